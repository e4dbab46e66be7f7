"""Accounts: logging in and out, passwords, roles, contacts imported in bulk, demo users."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from accounts.roles import Role, role_of
from demo.accounts import DEMO_PASSWORD, create_demo_users
from departments.models import Institution
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_a_reporter_logs_in_lands_on_their_reports_and_logs_out(client, reporter):
    page = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert page.status_code == 302 and page.url == reverse("survey:reports")
    html = client.get(page.url).content.decode()
    assert reverse("survey:reports") in html and reverse("logout") in html
    assert reverse("survey:review") not in html  # reporters do not review
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("survey:reports")).status_code == 302


def test_a_wrong_password_is_refused(client, reporter):
    page = client.post(reverse("login"), {"username": "reporter", "password": "nope"})
    assert page.status_code == 200 and page.context["form"].errors


def test_the_nav_offers_review_to_coordinators(client, coordinator_sichuan):
    client.force_login(coordinator_sichuan)
    html = client.get(reverse("home")).content.decode()
    assert reverse("survey:review") in html and reverse("survey:filing") in html


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, reporter):
    page = client.post(reverse("password_reset"), {"email": "reporter@example.org"})
    assert page.status_code == 302
    [message] = mail.outbox
    assert message.to == ["reporter@example.org"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Another-long-pass-42", "new_password2": "Another-long-pass-42"},
    )
    assert done.status_code == 302
    assert client.login(username="reporter", password="Another-long-pass-42")


def test_the_password_is_changed_when_logged_in(client, reporter):
    client.force_login(reporter)
    page = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-password-7",
            "new_password2": "Brand-new-password-7",
        },
    )
    assert page.status_code == 302
    reporter.refresh_from_db()
    assert reporter.check_password("Brand-new-password-7")


def test_email_goes_to_the_console_unless_an_smtp_host_is_set(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert importlib.reload(config.settings).EMAIL_BACKEND.endswith("console.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "465")
    reloaded = importlib.reload(config.settings)
    assert reloaded.EMAIL_BACKEND.endswith("smtp.EmailBackend") and reloaded.EMAIL_PORT == 465
    monkeypatch.delenv("EMAIL_HOST")
    importlib.reload(config.settings)


# --- roles ---------------------------------------------------------------------------------


def test_a_role_needs_its_scope_and_nothing_else(report_2023, sichuan):
    user = User.objects.create_user("someone")
    with pytest.raises(ValidationError) as refused:
        Membership(user=user, role=Role.REPORTER).full_clean()
    assert "institution" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        Membership(
            user=user, role=Role.COORDINATOR, institution=report_2023.institution
        ).full_clean()
    assert set(refused.value.message_dict) == {"province", "institution"}
    with pytest.raises(ValidationError):
        Membership(user=user, role=Role.ANALYST, province=sichuan).full_clean()
    Membership(user=user, role=Role.COORDINATOR, province=sichuan).full_clean()
    # The database holds the same line for writes that skip validation.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.REPORTER)


def test_the_user_admin_edits_the_role_inline(client, django_user_model, reporter):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    page = client.get(reverse("admin:auth_user_change", args=[reporter.pk]))
    assert page.status_code == 200 and "membership-0-role" in page.content.decode()
    listing = client.get(reverse("admin:auth_user_changelist"), {"membership__role": "reporter"})
    assert listing.status_code == 200 and "reporter@example.org" in listing.content.decode()


# --- import_contacts -----------------------------------------------------------------------

GOOD = """inst_code,name,email,role,province
{code},王医生,Wang@Hospital.example.cn,reporter,
,李协调员,li@csnm.example.cn,coordinator,四川
,赵分析师,zhao@csnm.example.cn,analyst,
,管理员,admin@csnm.example.cn,admin,
"""


def write(tmp_path, text, encoding="utf-8", name="contacts.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_contacts_become_users_with_their_roles(tmp_path, report_2023, capsys):
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code))
    call_command("import_contacts", path)
    assert "created 4, updated 0, unchanged 0" in capsys.readouterr().out
    wang = User.objects.get(username="wang@hospital.example.cn")
    assert wang.first_name == "王医生" and wang.email == "wang@hospital.example.cn"
    assert (wang.membership.role, wang.membership.institution) == (
        "reporter",
        report_2023.institution,
    )
    assert wang.has_usable_password()  # a random one: reset works, nobody can log in with it
    li = User.objects.get(username="li@csnm.example.cn")
    assert (role_of(li), li.membership.province_id) == (Role.COORDINATOR, "51")
    admin = User.objects.get(username="admin@csnm.example.cn")
    assert role_of(admin) == Role.ADMIN and admin.is_staff and not admin.is_superuser


def test_importing_the_same_contacts_twice_changes_nothing(tmp_path, report_2023, capsys):
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code))
    call_command("import_contacts", path)
    call_command("import_contacts", path)
    assert "created 0, updated 0, unchanged 4" in capsys.readouterr().out
    assert User.objects.count() == 4
    moved = GOOD.format(code=report_2023.institution.code).replace(",四川", ",Guangdong")
    call_command("import_contacts", write(tmp_path, moved, name="moved.csv"))
    assert "created 0, updated 1, unchanged 3" in capsys.readouterr().out
    assert User.objects.get(username="li@csnm.example.cn").membership.province_id == "44"


def test_a_gb18030_file_from_excel_is_read(tmp_path, report_2023):
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code), encoding="gb18030")
    call_command("import_contacts", path)
    assert User.objects.get(username="li@csnm.example.cn").first_name == "李协调员"


def test_a_dry_run_writes_nothing(tmp_path, report_2023, capsys):
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code))
    call_command("import_contacts", path, "--dry-run")
    assert "would have created 4" in capsys.readouterr().out
    assert not User.objects.exists()


def test_a_bad_file_names_every_bad_line_and_imports_nothing(tmp_path, report_2023, capsys):
    Institution.objects.create(code="G44", name_zh="广东医院", province_id="44")
    bad = f"""inst_code,name,email,role,province
{report_2023.institution.code},好,good@example.cn,reporter,
NOPE,甲,a@example.cn,reporter,
,乙,not-an-email,analyst,
,丙,c@example.cn,boss,
,丁,d@example.cn,coordinator,
,戊,e@example.cn,coordinator,Atlantis
G44,己,f@example.cn,reporter,51
,庚,good@example.cn,analyst,
"""
    with pytest.raises(CommandError, match="7 error"), translation.override("en"):
        call_command("import_contacts", write(tmp_path, bad))
    errors = capsys.readouterr().err
    for expected in [
        "line 3, column inst_code: no institution has the code “NOPE”",
        "line 4, column email: “not-an-email” is not an e-mail address",
        "line 5, column role: “boss” is not a role",
        "line 6, column province: a coordinator needs the province",
        "line 7, column province: “Atlantis” is not a province",
        "line 8, column province: institution G44 is in",
        "line 9: e-mail good@example.cn appears twice (also on line 2)",
    ]:
        assert expected in errors, expected
    assert not User.objects.exists()


def test_unknown_or_missing_columns_are_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_contacts", write(tmp_path, "email,phone\na@b.cn,123\n"))
    with pytest.raises(CommandError):
        call_command("import_contacts", write(tmp_path, "name,email\n甲,a@b.cn\n"))
    with pytest.raises(CommandError):
        call_command("import_contacts", write(tmp_path, ""))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_contacts", str(tmp_path / "missing.csv"))


def test_new_users_can_be_sent_their_password_link(tmp_path, report_2023, capsys):
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code))
    call_command("import_contacts", path, "--send-reset", "survey.example.org")
    assert "password e-mails sent: 4" in capsys.readouterr().out
    assert len(mail.outbox) == 4
    assert "https://survey.example.org/accounts/reset/" in mail.outbox[0].body


# --- demo users ----------------------------------------------------------------------------


def test_demo_users_are_one_per_role_and_idempotent(client, report_2023):
    first = create_demo_users()
    second = create_demo_users()
    assert (
        set(first)
        == set(second)
        == {
            "demo-reporter",
            "demo-coordinator",
            "demo-analyst",
            "demo-admin",
        }
    )
    assert User.objects.filter(username__startswith="demo-").count() == 4
    reporter = User.objects.get(username="demo-reporter")
    assert reporter.membership.institution == report_2023.institution
    assert User.objects.get(username="demo-coordinator").membership.province_id == "51"
    assert User.objects.get(username="demo-admin").is_superuser
    for username in first:
        assert client.login(username=username, password=DEMO_PASSWORD), username


def test_demo_users_without_institutions_have_no_reporter(db):
    assert "demo-reporter" not in create_demo_users()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",Wang\x1b[31m,w@example.cn,analyst,", "line 2, column name: The text contains control"),
        # A NUL byte makes the whole file binary to the survey files' reader.
        (",王\x00医生,w@example.cn,analyst,", "it contains binary data"),
        (",Wang\u202eGnaw,w@example.cn,analyst,", "U+202E"),
        (",{long},w@example.cn,analyst,", "line 2, column name: 400 characters; at most 150"),
        (",Wang,{email},analyst,", "line 2, column email: 159 characters; at most 150"),
        (",Wang,w\x00@example.cn,analyst,", "it contains binary data"),
    ],
    ids=["escape", "NUL", "bidi override", "long name", "long e-mail", "NUL in e-mail"],
)
def test_contact_values_follow_the_text_rule_and_the_field_lengths(tmp_path, capsys, row, expected):
    row = row.format(long="名" * 400, email="w" * 148 + "@example.cn")
    with pytest.raises(CommandError, match="1 error"), translation.override("en"):
        call_command(
            "import_contacts", write(tmp_path, f"inst_code,name,email,role,province\n{row}\n")
        )
    assert expected in capsys.readouterr().err
    assert not User.objects.exists()


def test_a_column_named_twice_is_refused(tmp_path, capsys):
    text = "name,email,email,role\n甲,a@example.cn,b@example.cn,analyst\n"
    with pytest.raises(CommandError), translation.override("en"):
        call_command("import_contacts", write(tmp_path, text))
    assert "line 1: column(s) email appear twice" in capsys.readouterr().err
    assert not User.objects.exists()


def test_the_database_failing_is_a_clean_error(tmp_path, monkeypatch, report_2023):
    from django.db import OperationalError

    from accounts.models import Membership

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Membership.objects, "create", down)
    path = write(tmp_path, GOOD.format(code=report_2023.institution.code))
    with pytest.raises(CommandError, match="nothing was imported"), translation.override("en"):
        call_command("import_contacts", path)
    assert not User.objects.exists()
