"""Every URL of the authorization matrix, as every role, with hostile input: never a 500.

The odd values go into each path argument in turn and into every query parameter the views
read. A value the site cannot use is a 400 or 404 (or is ignored); a 500 is always a bug.
"""

from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse

from survey.models import Cycle
from tests.test_authorization_matrix import MATRIX, ROLES

ODD_VALUES = [
    "\x00",
    "\x1b[31m",
    "99999999999999999999",
    "-1",
    "2023.5",
    "ZZ",
    "四川省",
    "😀",
    "x" * 3000,
    "%",
    " ",
]
# Every parameter some view reads; each URL is crawled with those it really reads.
QUERY_PARAMETERS = ["year", "baseline", "province", "page", "q", "status", "as", "download"]
# Roles that reach different code with the same URL (the others get the same 404s).
QUERY_ROLES = ["anonymous", "reporter", "coordinator", "analyst", "admin"]


def odd_paths(name, arguments, code):
    """The URL with each of its arguments in turn replaced by each odd value."""
    real = [str(argument).format(code=code) for argument in arguments]
    url = reverse(name, args=real)
    start = 0
    for argument in real:
        start = url.index(argument, start)
        for odd in ODD_VALUES:
            yield url[:start] + quote(odd, safe="") + url[start + len(argument) :]
        start += len(argument)


def parameters_read(client, url, monkeypatch):
    """The query parameters the view of `url` looks at (recorded from one request)."""
    read = set()

    def recording(method):
        def record(self, key, *args):
            if not self._mutable:  # a request's query, not one being built
                read.add(key)
            return method(self, key, *args)

        return record

    with monkeypatch.context() as patch:
        for name in ("__getitem__", "__contains__", "get", "getlist"):
            patch.setattr(QueryDict, name, recording(getattr(QueryDict, name)))
        client.get(url, dict.fromkeys(QUERY_PARAMETERS, "1"))
    return sorted(read & set(QUERY_PARAMETERS))


def odd_queries(url, parameters):
    """The URL with each odd value in each parameter alone, then in all of them at once."""
    for odd in ODD_VALUES:
        for parameter in parameters:
            yield f"{url}?{urlencode({parameter: odd})}"
        yield f"{url}?{urlencode(dict.fromkeys(QUERY_PARAMETERS, odd))}"


@pytest.fixture
def two_years(people, make_report, report_2023):
    """A 2019 report beside 2023's, so that the dashboards parse a baseline too."""
    cycle_2019 = Cycle.objects.create(year=2019)
    make_report(
        cycle=cycle_2019, institution=report_2023.institution, eq_pet_ct=1, status="accepted"
    )
    return people


def sign_in(client, person):
    client.logout()
    if person is not None:
        client.force_login(person)


def server_errors(client, urls, role):
    statuses = ((url, client.get(url).status_code) for url in urls)
    return [f"{role} {url[:120]!r}: {status}" for url, status in statuses if status >= 500]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_odd_path_arguments_never_give_a_server_error(client, two_years, report_2023, name):
    arguments, _expected = MATRIX[name]
    urls = list(odd_paths(name, arguments, report_2023.institution.code))
    client.raise_request_exception = False
    failures = []
    for role in ROLES:
        sign_in(client, two_years[role])
        failures += server_errors(client, urls, role)
    assert failures == []


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_odd_query_parameters_never_give_a_server_error(
    client, two_years, report_2023, name, monkeypatch
):
    arguments, _expected = MATRIX[name]
    code = report_2023.institution.code
    url = reverse(name, args=[str(argument).format(code=code) for argument in arguments])
    client.raise_request_exception = False
    failures = []
    for role in QUERY_ROLES:
        sign_in(client, two_years[role])
        urls = odd_queries(url, parameters_read(client, url, monkeypatch))
        failures += server_errors(client, urls, role)
    assert failures == []


def test_the_crawl_sees_which_parameters_a_view_reads(client, two_years, analyst, monkeypatch):
    client.force_login(analyst)
    assert parameters_read(client, reverse("reports:national"), monkeypatch) == [
        "baseline",
        "year",
    ]
    assert "q" in parameters_read(client, reverse("survey:reports"), monkeypatch)
