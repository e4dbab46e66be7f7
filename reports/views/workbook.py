"""A dashboard as one workbook (being written: see issue 16)."""

from django.http import Http404


def dashboard_workbook(request):
    raise Http404
