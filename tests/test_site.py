"""The site speaks Chinese by default and English on request."""

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import CONTRACT


@pytest.mark.django_db
def test_home_page_is_in_chinese_by_default_even_for_an_english_browser(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "全国核医学现状调查" in page.content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_site_english(client):
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302
    page = client.get(reverse("home"))
    assert "National Nuclear Medicine Survey" in page.content.decode()
    assert '<html lang="en">' in page.content.decode()


def test_compiled_catalogue_matches_its_source():
    locale = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
    source = {
        (e.msgid, e.msgstr)
        for e in polib.pofile(locale / "django.po")
        if e.translated() and not e.obsolete
    }
    compiled = {(e.msgid, e.msgstr) for e in polib.mofile(locale / "django.mo") if e.msgid}
    assert source == compiled, "run `make messages` and commit locale/"


def test_every_catalogue_entry_is_translated():
    catalogue = polib.pofile(settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_the_projects_copy_of_the_contract_matches_shared():
    shared = settings.BASE_DIR.parent / "shared" / "survey"
    if not shared.is_dir():
        pytest.skip("../shared/survey is not beside this checkout")
    for copy in CONTRACT.rglob("*"):
        if copy.is_file():
            original = shared / copy.relative_to(CONTRACT)
            assert original.read_bytes() == copy.read_bytes(), copy.name


def test_the_served_plotly_js_matches_the_plotly_that_builds_the_figures():
    from django.conf import settings
    from plotly.offline import get_plotlyjs_version

    bundle = settings.BASE_DIR / "static" / "vendor" / "plotly" / "plotly-basic.min.js"
    header = bundle.read_text(encoding="utf-8")[:200]
    assert f"v{get_plotlyjs_version()}\n" in header
