"""Who may open which page is decided once (`accounts.roles.PAGE_AUDIENCES`): the view lets
exactly that audience in, and the home page and the navigation link it for exactly them."""

import pytest
from django.urls import reverse

from accounts.roles import PAGE_AUDIENCES, may_open

PAGE_URLS = {"review": "survey:review", "filing": "survey:filing"}


@pytest.mark.parametrize("page", sorted(PAGE_URLS))
def test_the_pages_links_and_the_view_agree_for_every_role(client, people, page):
    url = reverse(PAGE_URLS[page])
    for name, user in people.items():
        if user is None:
            continue
        client.force_login(user)
        allowed = may_open(user, page)
        assert (client.get(url).status_code == 200) is allowed, name
        # The home page links it twice (the navigation and the coordinators' card).
        home = client.get(reverse("home")).content.decode()
        assert home.count(f'href="{url}"') == (2 if allowed else 0), name
        reports = client.get(reverse("survey:reports")).content.decode()
        assert (f'href="{url}"' in reports) is allowed, name


def test_analysts_follow_the_filings_but_do_not_review(analyst):
    assert may_open(analyst, "filing")
    assert not may_open(analyst, "review")


def test_the_published_check_is_linked_for_exactly_those_who_may_open_it(client, people):
    url = reverse("reports:published_check")
    for name, user in people.items():
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        allowed = user is not None and may_open(user, "published_check")
        page = client.get(reverse("reports:national"))
        assert (f'href="{url}"' in page.content.decode()) is allowed, name
        assert (client.get(url).status_code == 200) is allowed, name


def test_the_audit_trail_is_for_coordinators_and_admins(people):
    readers = {name for name, user in people.items() if may_open(user, "history")}
    assert readers == {"coordinator", "coordinator_elsewhere", "admin"}


def test_every_page_audience_is_a_check_of_the_user():
    assert set(PAGE_AUDIENCES) == {"review", "filing", "history", "published_check"}
    for check in PAGE_AUDIENCES.values():
        assert check(None) is False
