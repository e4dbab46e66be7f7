from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import is_admin
from interchange.exporting import CONTENT_TYPES
from jobs.models import Job, JobKind
from jobs.services import notice_lost_task, start_checked_import

# While a job runs its page reloads itself this often (seconds): no script needed.
REFRESH_SECONDS = 2


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("user")[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, job_id):
    job = notice_lost_task(get_object_or_404(Job.objects.visible_to(request.user), pk=job_id))
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "summary": job.import_summary(),
            "refresh": None if job.finished or job.stalled else REFRESH_SECONDS,
            "owner": job.user_id == request.user.pk,
            "may_import": job.may_be_imported and may_import(request.user, job),
            "import_job": getattr(job, "import_job", None),
        },
    )


def may_import(user, check):
    # An import writes any institution's report: administrators only, from their own check.
    return is_admin(user) and check.user_id == user.pk


@login_required
@require_POST
def import_checked(request, job_id):
    check = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=JobKind.IMPORT)
    if not may_import(request.user, check):
        raise PermissionDenied
    job = start_checked_import(check, user=request.user)
    return redirect("jobs:detail", job_id=(job or check).pk)


@login_required
def download(request, job_id):
    job = get_object_or_404(
        Job.objects.owned_by(request.user).exclude(output=""), pk=job_id, kind=JobKind.EXPORT
    )
    file_format = job.options["format"]
    try:
        stream = job.output.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"survey-{job.options['year']}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )
