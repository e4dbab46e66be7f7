"""Login throttling (django-axes): keyed on username and address together."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("throttling")


@pytest.fixture
def throttling(settings):
    settings.AXES_ENABLED = True


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_that_user_on_that_address(client, analyst):
    for _ in range(4):
        assert attempt(client, "analyst", "wrong").status_code == 200
    assert attempt(client, "analyst", "wrong").status_code == 429
    locked = attempt(client, "analyst", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_colleague_at_the_same_hospital_address_can_still_log_in(client, analyst, make_user):
    make_user("analyst", username="colleague")
    for _ in range(5):
        attempt(client, "analyst", "wrong")
    response = attempt(client, "colleague", PASSWORD)
    assert response.status_code == 302


def test_the_same_user_from_another_address_is_not_locked(client, analyst):
    for _ in range(5):
        attempt(client, "analyst", "wrong")
    assert attempt(client, "analyst", PASSWORD, address="10.0.0.2").status_code == 302


@pytest.mark.parametrize("length", [151, 256, 1000])
def test_an_over_long_username_is_a_form_error_not_a_500(client, db, length, settings):
    """django-axes records a failed login's username in a varchar(255): on PostgreSQL a
    longer one was a DataError. The form refuses it before anyone authenticates."""
    from axes.models import AccessAttempt

    settings.LANGUAGE_CODE = "en"
    response = attempt(client, "u" * length, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors.get("username")
    assert not AccessAttempt.objects.exists()


def test_an_over_long_username_at_the_admin_login_is_not_a_500(client, db):
    response = client.post(
        "/admin/login/", {"username": "u" * 1000, "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200


def test_an_over_long_address_for_a_password_reset_is_a_form_error(client, db):
    response = client.post(reverse("password_reset"), {"email": "a" * 300 + "@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("email")
