from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import is_admin
from interchange.exporting import CONTENT_TYPES
from jobs.forms import ColumnsForm
from jobs.models import Job, JobKind, JobStatus
from jobs.services import confirm_columns, notice_lost_task, start_checked_import

# While a job runs its page reloads itself this often (seconds): no script needed.
REFRESH_SECONDS = 2


@login_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("user")[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, job_id):
    job = notice_lost_task(get_object_or_404(Job.objects.visible_to(request.user), pk=job_id))
    columns_form = None
    if job.awaits_columns and may_import(request.user, job):
        columns_form = _columns_form(job)
    return _detail_page(request, job, columns_form)


def _detail_page(request, job, columns_form):
    at_rest = job.finished or job.stalled or job.status == JobStatus.COLUMNS
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "summary": job.import_summary(),
            "file_columns": columns_form.file_columns if columns_form else job.file_columns(),
            "columns_form": columns_form,
            "refresh": None if at_rest else REFRESH_SECONDS,
            "owner": job.user_id == request.user.pk,
            "may_import": job.may_be_imported and may_import(request.user, job),
            "import_job": getattr(job, "import_job", None),
        },
        status=400 if columns_form is not None and columns_form.errors else 200,
    )


def _columns_form(job, data=None):
    year_given = job.options.get("year") is not None
    return ColumnsForm(data, file_columns=job.file_columns(), year_given=year_given)


def may_import(user, check):
    # An import writes any institution's report: administrators only, from their own check.
    return is_admin(user) and check.user_id == user.pk


def _own_check(request, job_id):
    """The import check `job_id`, for the administrator who started it only."""
    check = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=JobKind.IMPORT)
    if not may_import(request.user, check):
        raise PermissionDenied
    return check


@login_required
@require_POST
def columns(request, job_id):
    """The mapping step's answer: the items the columns of a checked file hold."""
    check = _own_check(request, job_id)
    if not check.awaits_columns:
        # Confirmed already (a second click, another tab), or its file deleted: its page says.
        return redirect("jobs:detail", job_id=check.pk)
    form = _columns_form(check, request.POST)
    if not form.is_valid():
        return _detail_page(request, check, form)
    confirm_columns(check, form.mapping(), user=request.user, save_as=form.cleaned_data["save_as"])
    return redirect("jobs:detail", job_id=check.pk)


@login_required
@require_POST
def import_checked(request, job_id):
    check = _own_check(request, job_id)
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
