"""The reports' pages and downloads, one module per kind of page."""

from reports.views.brief import brief_report
from reports.views.checks import published_check
from reports.views.dashboards import (
    download_aggregates,
    download_table,
    national,
    province,
    table,
)
from reports.views.deck import status_deck
from reports.views.institution import institution
from reports.views.provinces import provinces
from reports.views.workbook import dashboard_workbook

__all__ = [
    "brief_report",
    "dashboard_workbook",
    "download_aggregates",
    "download_table",
    "institution",
    "national",
    "province",
    "provinces",
    "published_check",
    "status_deck",
    "table",
]
