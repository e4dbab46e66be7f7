"""Mail in a real browser: a reporter switches the site to English, a coordinator presses the
filing page's reminder button; the reporter's reminder comes in English."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from departments.models import Institution
from notices.models import MailLanguage, Reminder
from survey.models import Cycle
from tests.browser import PageWatch, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def unfiled(transactional_db, django_user_model):
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    Cycle.objects.create(year=2023, is_open=True, deadline=deadline)
    hospital = Institution.objects.create(
        code="510102", name_zh="成都市第一人民医院", name_en="Chengdu First", province_id="51"
    )
    reporter = django_user_model.objects.create_user("li", "li@example.org", PASSWORD)
    Membership.objects.create(user=reporter, role="reporter", institution=hospital)
    coordinator = django_user_model.objects.create_user("zhao", "zhao@example.org", PASSWORD)
    Membership.objects.create(user=coordinator, role="coordinator", province_id="51")
    return hospital


def test_a_coordinator_reminds_a_reporter_who_reads_english(
    browser, live_server, unfiled, mailoutbox
):
    reporter = browser.new_context()
    page = reporter.new_page()
    log_in(page, live_server.url, "li", PASSWORD)
    page.click("form.language-switch button[value=en]")
    page.wait_for_load_state()
    assert MailLanguage.objects.get(user__username="li").language == "en"
    reporter.close()

    coordinator = browser.new_context(viewport={"width": 1280, "height": 900})
    page = coordinator.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "zhao", PASSWORD)
    page.goto(f"{live_server.url}{reverse('survey:filing')}")
    page.click("form.reminders button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('survey:filing')}?year=2023&province=51")
    assert "li@example.org" in page.inner_text(".messages")
    screenshot(page, "notices-reminded")
    assert watch.errors == [] and watch.foreign == []
    coordinator.close()

    assert Reminder.objects.get().institution == unfiled
    (message,) = mailoutbox
    assert message.to == ["li@example.org"]
    assert (
        message.subject == "Reminder: the 2023 survey report of Chengdu First is not submitted yet"
    )
    assert "20 days left" in message.body
