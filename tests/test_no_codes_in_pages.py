"""Words, not codes: the pages an analyst reads name every figure by its label, never by its
metric or item code (`inst_svc_coincidence`), in both languages."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from demo.generate import generate_demo_rows
from departments.models import Institution, Province
from departments.services import load_provinces
from reports import metrics
from survey.instrument import items as instrument
from survey.models import Cycle, Report

QUERY = {"year": 2023, "baseline": 2019}
PAGES = {
    "national dashboard": (reverse("reports:national"), QUERY),
    "province dashboard": (reverse("reports:province", args=["51"]), QUERY),
    "provinces": (reverse("reports:provinces"), {"year": 2023}),
    "published check": (reverse("reports:published_check"), {}),
    "brief": (reverse("reports:brief"), QUERY),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module by its command, and removed afterwards."""
    rows = generate_demo_rows()
    with django_db_blocker.unblock():
        if not Province.objects.exists():
            load_provinces(Province)
        call_command("load_demo", stdout=io.StringIO())
        yield
        get_user_model().objects.filter(username__startswith="demo-").delete()
        Report.objects.filter(cycle__in=rows).delete()
        Cycle.objects.filter(year__in=rows).delete()
        codes = {row["inst_code"] for cycle_rows in rows.values() for row in cycle_rows}
        Institution.objects.filter(code__in=codes).delete()


class VisibleText(HTMLParser):
    """The text a reader sees: no attributes, scripts or styles. (No page here shows codes
    on purpose; a codebook would put them in <code> and be skipped here.)"""

    SKIPPED = {"script", "style", "title"}

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def codes():
    # Codes with an underscore: a bare word ("institutions") is also an ordinary word.
    return {code for code in {*metrics.metrics(), *instrument.item_codes()} if "_" in code}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_pages_name_figures_by_their_labels(client, demo, analyst, language, page):
    client.force_login(analyst)
    client.cookies["django_language"] = language
    path, query = PAGES[page]
    response = client.get(path, query)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    shown = sorted(
        code for code in codes() if re.search(rf"(?<![\w]){re.escape(code)}(?![\w])", text)
    )
    assert shown == [], f"{page} ({language}) shows codes: {shown}"
