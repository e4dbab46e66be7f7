"""Following the filings of a cycle: who has filed and who has not, by province
(`provinces_overview`) and by institution of one province (`province_overview`).
"""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from accounts.models import Membership
from accounts.roles import Role
from departments.models import Institution, Province
from survey.models import Report, ReportStatus


def filing_status(*, user, cycle, province):
    """Each institution of `province` that `user` sees, with its report for `cycle` (if any).

    Institutions carry `report_id`, `report_status`, `report_updated` (None without a report)
    and `reporters` (their reporters' memberships, with users). Three queries in all.
    """
    reports = Report.objects.filter(institution=OuterRef("pk"), cycle=cycle)
    return list(
        Institution.objects.visible_to(user)
        .filter(province=province)
        .annotate(
            report_id=Subquery(reports.values("pk")[:1]),
            report_status=Subquery(reports.values("status")[:1]),
            report_updated=Subquery(reports.values("updated_at")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Membership.objects.filter(role=Role.REPORTER)
                .select_related("user")
                .order_by("user__email"),
                to_attr="reporters",
            )
        )
        .order_by("code")
    )


def province_summary(*, user, cycle):
    """Per province that `user` sees: institutions, and how many reports of `cycle` per status.

    One grouped query: [{"province": code, "institutions": n, "draft": n, ...}].
    """
    in_cycle = Q(reports__cycle=cycle)
    counts = {
        status: Count("reports", filter=in_cycle & Q(reports__status=status))
        for status in ReportStatus.values
    }
    return list(
        Institution.objects.visible_to(user)
        .values("province")
        .annotate(institutions=Count("pk", distinct=True), **counts)
        .order_by("province")
    )


def provinces_overview(*, user, cycle):
    """`province_summary` with each row's `Province`, its filed, missing and overdue counts;
    returns (rows, totals by column)."""
    names = {p.code: p for p in Province.objects.all()}
    summary = province_summary(user=user, cycle=cycle)
    for row in summary:
        row["province"] = names[row["province"]]
        row["filed"] = sum(row[s] for s in ReportStatus.values)
        row["missing"] = row["institutions"] - row["filed"]
        row["overdue"] = (
            row["missing"] + row[ReportStatus.DRAFT] + row[ReportStatus.RETURNED]
            if cycle.is_overdue()
            else 0
        )
    total = {
        column: sum(row[column] for row in summary)
        for column in ("institutions", "missing", *ReportStatus.values, "overdue")
    }
    return summary, total


def province_overview(*, user, cycle, province):
    """`filing_status` with each institution's `overdue`; returns (institutions, counts by
    status, "none" for no report, and "overdue")."""
    institutions = filing_status(user=user, cycle=cycle, province=province)
    counts = {status: 0 for status in ["none", *ReportStatus.values]}
    for institution in institutions:
        counts[institution.report_status or "none"] += 1
        institution.overdue = cycle.is_overdue() and institution.report_status in (
            None,
            ReportStatus.DRAFT,
            ReportStatus.RETURNED,
        )
    counts["overdue"] = sum(institution.overdue for institution in institutions)
    return institutions, counts
