"""The read-only API: tokens, microdata scoped as the pages, figures as the dashboards show
them to the same viewer, logging, throttling, and the account page that makes tokens."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from api import services
from api.models import ApiToken, MicrodataRead
from departments.models import Institution, Province
from interchange import exporting
from reports import dashboard, privacy
from reports.exporting import aggregates
from survey.models import Report


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_of(user, name="script"):
    return services.create_token(user, name)[1]


def microdata(client, secret, year=2023, **params):
    return client.get(reverse("api:reports", args=[year]), params, **bearer(secret))


@pytest.fixture
def guangdong_report(cycle_2023):
    hospital = Institution.objects.create(
        code="T440001", name_zh="广东医院", name_en="Guangdong Hospital", province_id="44"
    )
    return Report.objects.create(institution=hospital, cycle=cycle_2023, eq_pet_ct=4)


@pytest.fixture
def country(report_2023, make_report, guangdong_report):
    """Two Sichuan reports (report_2023 and another) and one of Guangdong, for 2023."""
    make_report(eq_pet_ct=2)
    return Report.objects.all()


def codes(response):
    assert response.status_code == 200, response.content
    return [item["inst_code"] for item in response.json()["items"]]


# --- Microdata: scoped exactly as the pages ----------------------------------------------


def test_a_reporters_token_reads_its_institution_only(client, country, reporter, report_2023):
    response = microdata(client, token_of(reporter))
    assert codes(response) == [report_2023.institution.code]
    assert response.json()["count"] == 1


def test_a_sichuan_coordinators_token_reads_province_51_only(client, country, coordinator_sichuan):
    items = microdata(client, token_of(coordinator_sichuan)).json()["items"]
    assert len(items) == 2
    assert {item["province"] for item in items} == {"51"}


def test_an_analysts_token_reads_every_report(client, country, analyst):
    assert codes(microdata(client, token_of(analyst))) == sorted(
        Report.objects.values_list("institution__code", flat=True)
    )


def test_a_user_without_a_role_reads_nothing(client, country, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password")
    assert codes(microdata(client, token_of(nobody))) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer nms_" + "a" * 43},  # well formed, unknown
        {"HTTP_AUTHORIZATION": "Basic YW5hbHlzdDpwYXNzd29yZA=="},
        {"HTTP_AUTHORIZATION": "Bearer " + "x" * 100_000},
        {"HTTP_AUTHORIZATION": "Bearer nms_\u4e2d" + "a" * 42},
    ],
)
def test_microdata_without_a_valid_token_is_401(client, country, headers):
    response = client.get(reverse("api:reports", args=[2023]), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "items" not in response.json()


def test_a_signed_in_session_is_no_token(client, country, analyst):
    client.force_login(analyst)
    assert client.get(reverse("api:reports", args=[2023])).status_code == 401


def test_a_revoked_token_is_refused(client, country, analyst):
    token, secret = services.create_token(analyst, "laptop")
    assert microdata(client, secret).status_code == 200
    services.revoke_token(analyst, token.pk)
    assert microdata(client, secret).status_code == 401


def test_an_inactive_users_token_is_refused(client, country, analyst):
    secret = token_of(analyst)
    analyst.is_active = False
    analyst.save()
    assert microdata(client, secret).status_code == 401


def test_tokens_are_stored_only_as_a_digest(analyst):
    token, secret = services.create_token(analyst, "laptop")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert secret not in stored
    assert secret[12:] not in stored  # not even the part after the visible prefix
    assert token.prefix == secret[:12] and token.prefix in stored
    assert services.authenticate(secret) == token


def test_the_microdata_are_the_cells_of_the_csv_export(client, country, analyst):
    Report.objects.filter(eq_pet_ct=2).update(notes={}, status="accepted")
    body = microdata(client, token_of(analyst)).json()
    stream = io.BytesIO()
    exporting.write(exporting.reports_for_export(year=2023), stream, "csv")
    header, *rows = csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig")))
    assert body["columns"] == [*header, "status"]
    as_csv = [
        ["" if item[column] is None else str(item[column]) for column in header]
        for item in body["items"]
    ]
    assert as_csv == rows
    assert [item["status"] for item in body["items"]] == ["draft", "draft", "accepted"]
    assert body["items"][0]["eq_pet_ct"] == 4  # a number, not text
    assert body["items"][1]["eq_pet_ct"] is None  # not reported


def test_no_shared_cache_may_keep_an_answer(client, guangdong_report, analyst):
    secret = token_of(analyst)
    answers = [
        microdata(client, secret),
        client.get(reverse("api:figures", args=[2023])),
        client.get(reverse("api:years"), **bearer(secret)),
    ]
    for answer in answers:
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


def test_text_comes_through_as_filed_without_the_spreadsheet_formula_guard(
    client, guangdong_report, analyst
):
    Report.objects.update(op_suggestions="+86 28 1234: =more staff")
    item = microdata(client, token_of(analyst)).json()["items"][0]
    assert item["op_suggestions"] == "+86 28 1234: =more staff"


def test_chinese_names_come_through_as_they_are(client, guangdong_report, analyst):
    item = microdata(client, token_of(analyst)).json()["items"][0]
    assert item["inst_name_zh"] == "广东医院"


def test_microdata_page_through_a_year_in_constant_queries(
    client, make_report, analyst, django_assert_max_num_queries
):
    for _n in range(7):
        make_report()
    secret = token_of(analyst)
    url, seen, pages = reverse("api:reports", args=[2023]) + "?limit=3", [], 0
    while url:
        # auth, last-used, cycle, count, page, log (the last-used write is once a minute)
        with django_assert_max_num_queries(6):
            body = client.get(url, **bearer(secret)).json()
        seen += [item["inst_code"] for item in body["items"]]
        assert body["count"] == 7
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert seen == sorted(Report.objects.values_list("institution__code", flat=True))


@pytest.mark.parametrize(
    "year, params, status",
    [
        (2019, {}, 404),  # no such cycle
        (0, {}, 422),
        (99999, {}, 422),
        (2023, {"limit": 0}, 422),
        (2023, {"limit": 100_000}, 422),
        (2023, {"limit": "many"}, 422),
        (2023, {"after": "x" * 1000}, 422),
    ],
)
def test_bad_microdata_requests_are_refused_not_500(client, country, analyst, year, params, status):
    assert microdata(client, token_of(analyst), year=year, **params).status_code == status


def test_a_year_that_is_not_a_number_is_refused(client, country, analyst):
    response = client.get("/api/reports/twenty", **bearer(token_of(analyst)))
    assert response.status_code in (404, 422)


def test_every_microdata_read_is_logged_with_its_rows(client, country, coordinator_sichuan):
    token, secret = services.create_token(coordinator_sichuan, "laptop")
    microdata(client, secret, limit=1)
    microdata(client, secret, limit=5)
    reads = list(MicrodataRead.objects.order_by("pk"))
    assert [(r.user, r.token, r.year, r.rows, r.scope) for r in reads] == [
        (coordinator_sichuan, token, 2023, 1, "province 51"),
        (coordinator_sichuan, token, 2023, 2, "province 51"),
    ]
    assert reads[0].path == "/api/reports/2023?limit=1"
    # A refused read is no read.
    microdata(client, "nms_" + "b" * 43)
    assert MicrodataRead.objects.count() == 2


def test_last_used_is_recorded(client, country, analyst):
    token, secret = services.create_token(analyst, "laptop")
    assert token.last_used_at is None
    microdata(client, secret)
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- Figures: what the dashboards show the same viewer ----------------------------------


@pytest.fixture
def published(make_report):
    """Four accepted Sichuan reports: PET/CT units from three, 131I therapy from one only (so
    hidden from the public)."""
    for units in (2, 3, 4):
        make_report(status="accepted", eq_pet_ct=units, tx_i131_graves=0)
    make_report(status="accepted", eq_pet_ct=0, tx_i131_graves=70)


def figures(client, year=2023, secret=None, **params):
    headers = bearer(secret) if secret else {}
    return client.get(reverse("api:figures", args=[year]), params, **headers)


@pytest.mark.parametrize("viewer", ["anonymous", "reporter", "coordinator", "analyst"])
@pytest.mark.parametrize("province", [None, "51"])
def test_figures_are_what_the_dashboard_shows_the_viewer(
    client, published, people, viewer, province
):
    user = people[viewer]
    response = figures(client, secret=token_of(user) if user else None, province=province or "")
    assert response.status_code == 200, response.content
    metrics_shown = response.json()["metrics"]
    from django.contrib.auth.models import AnonymousUser

    user = user or AnonymousUser()
    disclosure = privacy.disclosure_for(user, province, 2023)
    assert response.json() == json.loads(
        json.dumps(aggregates(year=2023, province=province, disclosure=disclosure))
    )
    board = dashboard.for_viewer(
        user, year=2023, baseline=None, province=province, disclosure=disclosure
    )
    rows = [row for panel in board.panels for row in panel.rows] + board.headline
    assert rows
    for row in rows:
        assert metrics_shown[row.code]["value"] == row.value, row.code


def test_a_hidden_cell_stays_hidden_for_the_public(client, published, analyst):
    public = figures(client).json()
    assert public["published_reports_only"] is True
    assert "tx_i131_graves" in public["suppressed"]
    assert public["metrics"]["tx_i131_graves"]["value"] is None
    assert public["metrics"]["eq_pet_ct"]["value"] == 9
    entitled = figures(client, secret=token_of(analyst)).json()
    assert entitled["metrics"]["tx_i131_graves"]["value"] == 70
    assert "tx_i131_graves" in entitled["hidden_from_public"]


def test_figures_with_a_wrong_token_are_refused_not_public(client, published):
    assert figures(client, secret="nms_" + "c" * 43).status_code == 401


@pytest.mark.parametrize(
    "year, params, status",
    [
        (2019, {}, 404),
        (2023, {"province": "99"}, 404),
        (2023, {"province": "5" * 50}, 422),
        (2023, {"baseline": 2023}, 404),
        (2023, {"baseline": 2019}, 404),
        (2023, {"baseline": "earlier"}, 422),
        (0, {}, 422),
    ],
)
def test_bad_figure_requests_are_refused_not_500(client, published, year, params, status):
    assert figures(client, year=year, **params).status_code == status


def test_a_draft_year_has_no_public_figures(client, report_2023, analyst):
    assert figures(client).status_code == 404
    assert figures(client, secret=token_of(analyst)).status_code == 200


def test_years_say_what_the_viewer_may_read(client, published, report_2023, coordinator_sichuan):
    assert client.get(reverse("api:years")).json() == [
        {"year": 2023, "is_open": True, "reports": 0, "figures": True}
    ]
    response = client.get(reverse("api:years"), **bearer(token_of(coordinator_sichuan)))
    assert response.json() == [{"year": 2023, "is_open": True, "reports": 5, "figures": True}]


# --- Throttling --------------------------------------------------------------------------


def test_a_burst_is_throttled_per_token(client, country, analyst, coordinator_sichuan):
    secret = token_of(analyst)
    statuses = [client.get(reverse("api:years"), **bearer(secret)).status_code for _n in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    # Another token is another budget.
    other = bearer(token_of(coordinator_sichuan))
    assert client.get(reverse("api:years"), **other).status_code == 200


def test_the_public_is_throttled_by_address(client, published):
    for _n in range(120):
        client.get(reverse("api:years"))
    assert client.get(reverse("api:years")).status_code == 429
    assert client.get(reverse("api:years"), REMOTE_ADDR="10.0.0.9").status_code == 200


# --- The schema and its documentation ----------------------------------------------------


def test_the_openapi_schema_lists_the_endpoints(client):
    schema = client.get(reverse("api:openapi-json")).json()
    assert {"/api/reports/{year}", "/api/figures/{year}", "/api/years"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert client.get(reverse("api:openapi-view")).status_code == 200


def test_the_api_only_reads(client, country, analyst):
    response = client.post(reverse("api:reports", args=[2023]), **bearer(token_of(analyst)))
    assert response.status_code == 405


# --- The command -------------------------------------------------------------------------


def test_the_commands_last_word_is_a_working_token(client, country, analyst):
    out = io.StringIO()
    call_command("create_api_token", "analyst", "--name", "cron", stdout=out)
    secret = out.getvalue().split()[-1]
    assert codes(microdata(client, secret))
    assert ApiToken.objects.get(user=analyst).name == "cron"


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())


# --- The account page --------------------------------------------------------------------


def test_the_account_page_says_who_you_are(client, coordinator_sichuan, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(coordinator_sichuan)
    page = client.get(reverse("account")).content.decode()
    assert "Provincial coordinator" in page
    assert Province.objects.get(code="51").name in page
    assert reverse("password_change") in page


def test_a_new_token_is_shown_once_with_the_snippet(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("account_token_create"), {"name": "laptop"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=analyst)
    secret = response.context["secret"]
    page = response.content.decode()
    assert secret in page
    assert f'"Bearer {secret}"' in page and 'pd.DataFrame(r.json()["items"])' in page
    assert services.authenticate(secret) == token
    again = client.get(reverse("account")).content.decode()
    assert secret not in again
    assert token.prefix in again and "laptop" in again


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(client, analyst, name):
    client.force_login(analyst)
    assert client.post(reverse("account_token_create"), {"name": name}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_user_may_hold_only_so_many_tokens(client, analyst):
    client.force_login(analyst)
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.create_token(analyst, f"t{n}")
    assert client.post(reverse("account_token_create"), {"name": "one more"}).status_code == 400
    assert ApiToken.objects.count() == services.MAX_ACTIVE_TOKENS


def test_a_token_is_revoked_from_the_account_page(client, country, analyst):
    token, secret = services.create_token(analyst, "cron job")
    client.force_login(analyst)
    response = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert microdata(client, secret).status_code == 401
    assert "cron job" not in client.get(reverse("account")).content.decode()


def test_nobody_sees_or_revokes_another_users_token(client, country, analyst, reporter):
    token, secret = services.create_token(analyst, "analysts-laptop")
    client.force_login(reporter)
    assert "analysts-laptop" not in client.get(reverse("account")).content.decode()
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404
    assert microdata(client, secret).status_code == 200


def test_token_actions_are_post_only_and_need_csrf(analyst):
    token, _secret = services.create_token(analyst, "laptop")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(analyst)
    assert browser.get(reverse("account_token_create")).status_code == 405
    assert browser.get(reverse("account_token_revoke", args=[token.pk])).status_code == 405
    assert browser.post(reverse("account_token_create"), {"name": "x"}).status_code == 403
    assert browser.post(reverse("account_token_revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.active().count() == 1


def test_the_account_page_is_for_signed_in_users(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(reverse("account_token_create"), {"name": "x"}).status_code == 302


def test_a_token_revoked_twice_is_not_found_the_second_time(client, analyst):
    token, _secret = services.create_token(analyst, "laptop")
    client.force_login(analyst)
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 302
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404


def test_an_admin_revokes_tokens_in_the_admin_and_never_sees_the_secret(client, analyst):
    from django.contrib.auth import get_user_model

    token, secret = services.create_token(analyst, "laptop")
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "x-long-pass")
    client.force_login(boss)
    change = client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert change.status_code == 200 and secret not in change.content.decode()
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert services.authenticate(secret) is None
