"""Password-reset mail is throttled per e-mail address and per client address, silently."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetCount
from accounts.throttling import password_reset_allowed


def ask(client, email, address="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_twenty_requests_for_one_address_send_three_mails(client, reporter):
    responses = [ask(client, "reporter@example.org") for _ in range(20)]
    assert len(mail.outbox) == 3
    assert {(r.status_code, r.url) for r in responses} == {(302, reverse("password_reset_done"))}


def test_the_limit_holds_for_the_address_from_other_clients_and_in_other_case(client, reporter):
    for number in range(3):
        ask(client, "reporter@example.org", address=f"10.0.1.{number}")
    ask(client, "Reporter@Example.org", address="10.0.2.1")
    assert len(mail.outbox) == 3


def test_a_throttled_address_looks_the_same_as_an_unknown_one(client, reporter):
    for _ in range(3):
        ask(client, "reporter@example.org")
    throttled = ask(client, "reporter@example.org", address="10.0.0.2")
    unknown = ask(client, "nobody@example.org", address="10.0.0.3")
    assert (throttled.status_code, throttled.url) == (unknown.status_code, unknown.url)
    done = client.get(throttled.url)
    assert done.status_code == 200
    assert len(mail.outbox) == 3


def test_one_client_cannot_mail_many_addresses(client, settings, make_user):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 5
    for number in range(8):
        make_user("analyst", username=f"user{number}")
        ask(client, f"user{number}@example.org")
    assert len(mail.outbox) == 5
    # Colleagues elsewhere are not held back by that client.
    ask(client, "user7@example.org", address="10.9.9.9")
    assert len(mail.outbox) == 6


def test_the_count_starts_again_an_hour_later(db):
    now = timezone.now()
    asked = [password_reset_allowed(email="a@example.org", client_address="10.0.0.1", now=now)]
    asked += [
        password_reset_allowed(email="a@example.org", client_address="10.0.0.1", now=now)
        for _ in range(3)
    ]
    later = now + timedelta(hours=1)
    asked.append(
        password_reset_allowed(email="a@example.org", client_address="10.0.0.1", now=later)
    )
    assert asked == [True, True, True, False, True]
    # Past hours are dropped: the table holds the current hour's counts only.
    assert set(PasswordResetCount.objects.values_list("window", flat=True)) == {
        int(later.timestamp()) // 3600
    }


@pytest.mark.parametrize("email", ["reporter@example.org", "nobody@example.org"])
def test_the_table_keeps_no_address(client, reporter, email):
    ask(client, email)
    keys = list(PasswordResetCount.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any("example" in key or "10.0.0.1" in key for key in keys)


def test_spellings_the_reset_form_matches_to_one_account_share_its_limit(db):
    """PostgreSQL's UPPER and Django's NFKC-casefold comparison take "ſ" (U+017F) for "s" and
    the Kelvin sign for "K": a new spelling is no new allowance."""
    spellings = ["sam.k@example.org", "\u017fam.k@example.org", "SAM.\u212a@example.org"]
    allowed = [
        password_reset_allowed(email=email, client_address=f"10.0.3.{n}")
        for n, email in enumerate(spellings * 2)
    ]
    assert allowed == [True, True, True, False, False, False]
