"""A page title per page: browser tabs, bookmarks and history tell the pages apart."""

import re

import pytest
from django.urls import reverse

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_of(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, name
    return " ".join(TITLE.search(response.content.decode()).group(1).split())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_main_pages_have_distinct_titles(client, analyst, report_2023, language):
    client.cookies["django_language"] = language
    login = title_of(client, "login")
    client.force_login(analyst)
    titles = {
        "login": login,
        "home": title_of(client, "home"),
        "national": title_of(client, "reports:national", year=2023),
        "province": title_of(client, "reports:province", "51", year=2023),
        "provinces": title_of(client, "reports:provinces", year=2023),
        "published check": title_of(client, "reports:published_check"),
        "brief": title_of(client, "reports:brief", year=2023),
        "equipment table": title_of(client, "reports:table", "equipment", year=2023),
        "province equipment table": title_of(
            client, "reports:table", "equipment", year=2023, province="51"
        ),
    }
    assert len(set(titles.values())) == len(titles), titles
    assert "2023" in titles["national"]
    assert ("四川" if language == "zh-hans" else "Sichuan") in titles["province"]
