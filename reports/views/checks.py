from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.roles import may_open
from reports import consistency


@login_required
def published_check(request):
    if not may_open(request.user, "published_check"):
        raise Http404
    findings = consistency.check_published()
    return render(
        request,
        "reports/consistency.html",
        {"findings": findings, "publications": consistency.PUBLICATIONS},
    )
