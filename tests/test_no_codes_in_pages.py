"""Words, not codes: the pages an analyst reads name every figure by its label, never by its
metric or item code (`inst_svc_coincidence`), in both languages."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reports import metrics
from survey.instrument import items as instrument

QUERY = {"year": 2023, "baseline": 2019}
PAGES = {
    "national dashboard": (reverse("reports:national"), QUERY),
    "province dashboard": (reverse("reports:province", args=["51"]), QUERY),
    "provinces": (reverse("reports:provinces"), {"year": 2023}),
    "published check": (reverse("reports:published_check"), {}),
    "brief": (reverse("reports:brief"), QUERY),
    # The tables a dashboard fetches when they are opened.
    "growth table": (reverse("reports:table", args=["growth"]), QUERY),
    "province equipment table": (
        reverse("reports:table", args=["equipment"]),
        {**QUERY, "province": "51"},
    ),
    "therapy table": (reverse("reports:table", args=["therapy"]), QUERY),
}


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
def test_pages_name_figures_by_their_labels(client, loaded_demo, analyst, language, page):
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
