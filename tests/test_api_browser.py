"""The API's documentation (Swagger UI from our own static files) and the account page's
tokens, in a real browser under the site's CSP: no console error, nothing from elsewhere."""

import pytest
from django.urls import reverse

from tests.browser import PageWatch, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def year_2023(transactional_db):
    from departments.models import Institution
    from survey.models import Cycle, Report

    Cycle.objects.create(year=2023)
    for n in range(3):
        institution = Institution.objects.create(code=f"B51{n}", name_zh="医院", province_id="51")
        Report.objects.create(
            institution=institution, cycle_id=2023, status="accepted", eq_pet_ct=n + 1
        )


def test_the_docs_render_every_operation_under_the_csp(browser, live_server, year_2023):
    page = browser.new_page()
    watch = PageWatch(page, live_server.url)
    response = page.goto(f"{live_server.url}{reverse('api:openapi-view')}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/reports/{year}", "/api/figures/{year}", "/api/years"} <= {
        path.replace("\u200b", "") for path in paths
    }
    # Try one: Swagger UI's request goes to our own server (connect-src 'self').
    page.locator(".opblock-get", has_text="/api/years").locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table tbody .response-col_status")
    status = page.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "200"
    screenshot(page, "api-docs")
    assert watch.errors == []
    assert watch.foreign == []
    page.close()


def test_a_token_made_on_the_account_page_opens_the_api(browser, live_server, year_2023, make_user):
    from tests.conftest import PASSWORD

    make_user("analyst", username="browser-analyst")
    page = browser.new_page()
    watch = PageWatch(page, live_server.url)
    log_in(page, live_server.url, "browser-analyst", PASSWORD)
    page.click(f"nav a[href='{reverse('account')}']")
    page.fill("#id_name", "notebook")
    page.click("form[action$='/tokens/'] button[type=submit]")
    secret = page.locator(".api-secret").inner_text().strip()
    assert secret.startswith("nms_")
    assert f"Bearer {secret}" in page.locator(".api-snippet").inner_text()
    screenshot(page, "account-new-token")
    answer = page.request.get(
        f"{live_server.url}{reverse('api:reports', args=[2023])}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status == 200
    assert answer.json()["count"] == 3
    # Revoked from the page, the token no longer opens the API.
    page.goto(f"{live_server.url}{reverse('account')}")
    assert secret not in page.content()
    page.click("form[action$='/revoke/'] button[type=submit]")
    page.wait_for_selector(".messages")
    answer = page.request.get(
        f"{live_server.url}{reverse('api:reports', args=[2023])}",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status == 401
    assert watch.errors == []
    assert watch.foreign == []
    page.close()
