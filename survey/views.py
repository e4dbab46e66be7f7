"""Hospital reporting: the report list, the report page, one page per section, the review.

Every view finds reports through `Report.objects.visible_to / editable_by / reviewable_by`
(`accounts.roles`): a report outside the user's scope is a 404.
"""

import re
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, may_open, role_of, scope_of
from departments.models import Institution, Province
from equipment.models import IMAGING_UNIT_TYPES
from equipment.services import derived_items
from interchange import exporting
from survey import audit, editing, workflow
from survey.assessment import assess, sections_asked
from survey.filing import province_overview, provinces_overview
from survey.filing_files import write_filing_workbook
from survey.forms import EquipmentUnitFormSet, ReviewForm, SectionForm
from survey.instrument import items as instrument
from survey.models import Cycle, Report, ReportAction, ReportStatus

PAGE_SIZE = 50
HISTORY_ON_REPORT_PAGE = 50


def _report_or_404(user, year, code):
    return get_object_or_404(
        Report.objects.visible_to(user).select_related("institution__province", "cycle"),
        cycle_id=year,
        institution__code=code,
    )


def _report_and_previous_or_404(user, year, code):
    try:
        return Report.objects.with_previous(user, year, code)
    except Report.DoesNotExist:
        raise Http404 from None


def _report_url(report, name="survey:report", *extra):
    return reverse(name, args=[report.cycle_id, report.institution.code, *extra])


@login_required
def reports(request):
    """The reports the user sees (their own institution's for a reporter), filterable."""
    user = request.user
    found = Report.objects.visible_to(user).select_related("institution__province", "cycle")
    year, status = request.GET.get("year", ""), request.GET.get("status", "")
    province, query = request.GET.get("province", ""), request.GET.get("q", "").strip()
    if re.fullmatch(r"[0-9]{4}", year):
        found = found.filter(cycle_id=int(year))
    if status in ReportStatus.values:
        found = found.filter(status=status)
    if province:
        found = found.filter(institution__province_id=province)
    if query:
        found = found.filter(
            Q(institution__code__icontains=query)
            | Q(institution__name_zh__icontains=query)
            | Q(institution__name_en__icontains=query)
        )
    page = Paginator(found.order_by("-cycle_id", "institution__code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    scope = scope_of(user)
    startable = []
    if role_of(user) == Role.REPORTER:
        startable = Cycle.objects.filter(is_open=True).exclude(
            reports__institution_id=scope.institution_id
        )
    return render(
        request,
        "survey/reports.html",
        {
            "page": page,
            "role": role_of(user),
            "startable": startable,
            "cycles": Cycle.objects.all(),
            "statuses": ReportStatus.choices,
            "provinces": Province.objects.all() if scope.everything else [],
            "filters": {"year": year, "status": status, "province": province, "q": query},
            "query": _without_page(request),
        },
    )


def _without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_POST
def start(request, year):
    """Start (or open) an institution's report for an open cycle."""
    cycle = get_object_or_404(Cycle, year=year)
    institution = get_object_or_404(
        Institution.objects.visible_to(request.user), code=request.POST.get("institution", "")
    )
    try:
        report = editing.start_report(institution=institution, cycle=cycle, by=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("survey:reports")
    return redirect(_report_url(report))


@login_required
def report(request, year, code):
    """The report page: progress by section, the workflow steps, history and audit trail."""
    report, previous = _report_and_previous_or_404(request.user, year, code)
    assessment = assess(report, previous)
    show_audit = may_open(request.user, "history")
    steps = workflow.allowed_steps(report, request.user)
    return render(
        request,
        "survey/report.html",
        {
            "report": report,
            "previous": previous,
            "assessment": assessment,
            "steps": steps,
            "editable": report.editable,
            "events": list(report.events.select_related("by")),
            "explained": explained_warnings(assessment, report),
            "problems": _problems(assessment),
            "changes": audit.history(report)[:HISTORY_ON_REPORT_PAGE] if show_audit else None,
            "review_form": ReviewForm(),
        },
    )


def explained_warnings(assessment, report):
    """(warning, explanation) of each warning of the report that has been explained."""
    explained = [(w, w.explanation(report.notes)) for w in assessment.warnings]
    return [(warning, text) for warning, text in explained if text]


@login_required
def printable(request, year, code):
    """Every value of the report, its equipment units and the explanations of its warnings,
    as it stands or (`?as=submitted`) as it was last submitted: to print or keep."""
    report = _report_or_404(request.user, year, code)
    submission, filing = _filing(request, report)
    values = filing.values
    sections = [
        (
            section,
            [
                (item, audit.shown_value(item.code, values.get(item.code)))
                for item in instrument.section_items(section.key, report.cycle_id)
            ],
        )
        for section in sections_asked(report.cycle_id)
    ]
    return render(
        request,
        "survey/print.html",
        {
            "report": report,
            "sections": sections,
            "units": [
                [*audit.unit_columns(unit), audit.unit_features(unit)]
                for unit in filing.units or []
            ],
            "filing": filing,
            "submission": submission,
            "as_submitted": submission is not None and request.GET.get("as") == "submitted",
        },
    )


def _filing(request, report):
    """(latest submission or None, the `Filing` asked for: `?as=submitted` or as it stands)."""
    submission = _last_submission(report)
    if request.GET.get("as") == "submitted" and submission is not None:
        return submission, workflow.Filing.from_snapshot(submission.values)
    return submission, workflow.filing_of(report)


def _last_submission(report):
    """The report's latest submission event that kept its values, or None."""
    return (
        report.events.filter(action=ReportAction.SUBMIT, values__isnull=False)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )


def _download_name(report, submitted):
    name = f"report-{report.institution.code}-{report.cycle_id}"
    return f"{name}-submitted" if submitted else name


@login_required
def download(request, year, code):
    """The report in the interchange format (CSV), as the importer reads it back."""
    report = _report_or_404(request.user, year, code)
    submission = _last_submission(report)
    if request.GET.get("as") == "submitted" and submission is not None:
        columns = exporting.columns([report.cycle_id])
        row = exporting.row_of(report.cycle_id, submission.values, columns)
        return exporting.download_rows([row], "csv", _download_name(report, True), columns)
    return exporting.download(
        exporting.reports_for_export(Report.objects.filter(pk=report.pk)),
        "csv",
        _download_name(report, False),
    )


@login_required
def download_workbook(request, year, code):
    """The whole filing as XLSX: values (the interchange format, re-importable as it is),
    equipment units, explanations of warnings; `?as=submitted` as last submitted."""
    report = _report_or_404(request.user, year, code)
    submission, filing = _filing(request, report)
    submitted = submission is not None and request.GET.get("as") == "submitted"
    stream = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)
    write_filing_workbook(report.cycle_id, filing, stream)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{_download_name(report, submitted)}.xlsx",
        content_type=exporting.CONTENT_TYPES["xlsx"],
    )


def _problems(assessment):
    """(message, section key, item code, "error" or "warning") of what stands in the way."""
    by_code = instrument.items_by_code()
    return [
        (problem.message, by_code[problem.item].section, problem.item, kind)
        for kind, problems in (("error", assessment.errors), ("warning", assessment.unexplained))
        for problem in problems
    ]


@login_required
def section(request, year, code, key):
    """One section of a report: the form while it is editable, the values otherwise."""
    report, previous = _report_and_previous_or_404(request.user, year, code)
    sections = sections_asked(report.cycle_id)
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        raise Http404
    editable = report.editable
    if request.method == "POST" and not editable:
        raise PermissionDenied(_("This report cannot be changed any more."))
    equipment = key == "equipment"
    listed = list(report.equipment_units.all()) if equipment else []
    data = request.POST if request.method == "POST" else None
    form = SectionForm(data, report=report, section=section, derived=derived_items(listed))
    units = EquipmentUnitFormSet(data, instance=report, prefix="units") if equipment else None
    assessment = assess(report, previous)
    form.add_warnings(assessment.warnings, report.notes or {})
    if data is not None and form.is_valid() and (units is None or units.is_valid()):
        try:
            editing.save_section(
                report,
                values=form.item_values(),
                notes=form.notes(),
                version=form.cleaned_data["version"],
                by=request.user,
                units_formset=units,
                counts_shown=form.cleaned_data["counts_shown"],
            )
        except editing.UnconfirmedCounts as unconfirmed:
            form.ask_to_confirm(unconfirmed.changes, unconfirmed.counts)
        except editing.StaleVersion as stale:
            # Keep the input; carry the current version so that saving again is deliberate.
            messages.error(request, stale.message)
            report = stale.report
            data = data.copy()
            data["version"] = report.version
            form = SectionForm(data, report=report, section=section, derived=derived_items(listed))
            assessment = assess(report, previous)
            form.add_warnings(assessment.warnings, report.notes or {})
            form.is_valid()
            form.show_conflicts(report)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect(_report_url(report))
        else:
            messages.success(request, _("Saved."))
            return redirect(_next_page(request, report, sections, section))
    if not editable:
        form.disable()
    # A refused save: what stands in its way, at the top of the page, and the section's state
    # is that of the input on the page, not of the values saved before.
    summary = form.summary() + (units.summary() if units is not None and units.is_bound else [])
    index = sections.index(section)
    return render(
        request,
        "survey/section.html",
        {
            "report": report,
            "section": section,
            "form": form,
            "blocks": form.blocks(assessment),
            "units": units,
            "units_listed": bool(listed),
            "imaging_types": " ".join(sorted(IMAGING_UNIT_TYPES)),
            "editable": editable,
            "assessment": assessment,
            "state": assessment.section(key),
            "error_summary": summary if data is not None else [],
            "unsaved": data is not None,
            "previous_year": assessment.previous_year,
            "previous_section": sections[index - 1] if index else None,
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "identity": _identity(report) if key == "institution" else None,
            "other_lang": "en" if get_language() != "en" else "zh-hans",
        },
    )


def _identity(report):
    institution = report.institution
    return [
        (_("Institution code"), institution.code),
        (_("Name (Chinese)"), institution.name_zh or "—"),
        (_("Name (English)"), institution.name_en or "—"),
        (_("Province"), institution.province.name),
    ]


def _next_page(request, report, sections, section):
    keys = [s.key for s in sections]
    index = keys.index(section.key)
    if request.POST.get("then") == "next" and index + 1 < len(keys):
        return _report_url(report, "survey:section", keys[index + 1])
    if request.POST.get("then") == "overview" or request.POST.get("then") == "next":
        return _report_url(report)
    return _report_url(report, "survey:section", section.key)


@login_required
@require_POST
def transition(request, year, code, action):
    """Submit, accept, return or reopen a report (the rules are in `survey.workflow`)."""
    report = _report_or_404(request.user, year, code)
    step = workflow.STEPS.get(action)
    if step is None:
        raise Http404
    form = ReviewForm(request.POST)
    if not form.is_valid():
        # A refused comment is never dropped silently with the step taken regardless.
        messages.error(
            request,
            _("Nothing was done: the comment was refused (%(reasons)s).")
            % {"reasons": " ".join(form.errors["comment"])},
        )
        return redirect(_report_url(report))
    try:
        step.take(report, by=request.user, comment=form.cleaned_data["comment"])
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(step.done))
    return redirect(_report_url(report))


@login_required
def history(request, year, code):
    """Every value change of a report (coordinators and admins)."""
    report = _report_or_404(request.user, year, code)
    if not may_open(request.user, "history"):
        raise Http404
    page = Paginator(audit.history(report), 200).get_page(request.GET.get("page"))
    return render(request, "survey/history.html", {"report": report, "page": page})


@login_required
def review(request):
    """The submitted reports waiting for the user's review."""
    if not may_open(request.user, "review"):
        raise Http404
    waiting = (
        Report.objects.reviewable_by(request.user)
        .select_related("institution__province", "cycle", "submitted_by")
        .order_by("submitted_at", "institution__code")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "survey/review.html", {"page": page})


@login_required
def filing(request):
    """Who has filed and who has not, for the open cycle: a coordinator's province, or any."""
    user = request.user
    scope = scope_of(user)
    if not may_open(user, "filing"):
        raise Http404
    cycles = list(Cycle.objects.all())
    year = request.GET.get("year", "")
    cycle = next((c for c in cycles if str(c.year) == year), None) or next(
        (c for c in cycles if c.is_open), cycles[0] if cycles else None
    )
    if cycle is None:
        return render(request, "survey/filing.html", {"cycle": None})
    if scope.province_id:
        province = Province.objects.get(code=scope.province_id)
    else:
        code = request.GET.get("province", "")
        province = Province.objects.filter(code=code).first() if code else None
    context = {
        "cycle": cycle,
        "cycles": cycles,
        "province": province,
        "provinces": Province.objects.all() if scope.everything else [],
    }
    if province is None:
        context["summary"], context["total"] = provinces_overview(user=user, cycle=cycle)
    else:
        institutions, counts = province_overview(user=user, cycle=cycle, province=province)
        only = request.GET.get("status", "")
        if only:
            institutions = [i for i in institutions if (i.report_status or "none") == only]
        context.update(
            institutions=institutions,
            counts=counts,
            only=only,
            statuses=ReportStatus.choices,
        )
    return render(request, "survey/filing.html", context)
