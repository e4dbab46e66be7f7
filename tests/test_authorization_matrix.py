"""Every URL of the site against every role: the expected status, nothing more, nothing less.

A URL added to the site fails `test_every_url_is_in_the_matrix` until it is listed here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = [
    "anonymous",
    "reporter",
    "reporter_elsewhere",
    "coordinator",
    "coordinator_elsewhere",
    "analyst",
    "admin",
]

OK, FOUND, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
EVERYONE = dict.fromkeys(ROLES, OK)


def signed_in(status, anonymous=FOUND):
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], status)}


OWN_REPORT = {
    "anonymous": FOUND,
    "reporter": OK,
    "reporter_elsewhere": NOT_FOUND,
    "coordinator": OK,
    "coordinator_elsewhere": NOT_FOUND,
    "analyst": OK,
    "admin": OK,
}

# url name -> (arguments, {role: status}) for a GET
MATRIX = {
    "home": ((), EVERYONE),
    "healthz": ((), EVERYONE),
    "set_language": ((), dict.fromkeys(ROLES, FOUND)),
    "reports:national": ((), EVERYONE),
    "reports:province": (("51",), EVERYONE),
    "reports:table": (("equipment",), EVERYONE),
    "reports:provinces": ((), EVERYONE),
    "reports:brief": ((), EVERYONE),
    "reports:deck": ((), EVERYONE),
    "reports:workbook": ((), EVERYONE),
    # It compares every report with the national publication: analysts' and admins'.
    "reports:published_check": ((), {**signed_in(NOT_FOUND), "analyst": OK, "admin": OK}),
    "reports:download_table": (("equipment",), EVERYONE),
    "reports:aggregates": (("json",), EVERYONE),
    "reports:institution": (("{code}",), OWN_REPORT),
    "survey:reports": ((), signed_in(OK)),
    "survey:review": (
        (),
        {**signed_in(NOT_FOUND), "coordinator": OK, "coordinator_elsewhere": OK, "admin": OK},
    ),
    "survey:filing": (
        (),
        {**signed_in(OK), "reporter": NOT_FOUND, "reporter_elsewhere": NOT_FOUND},
    ),
    "survey:start": ((2023,), signed_in(NOT_ALLOWED)),
    "survey:report": ((2023, "{code}"), OWN_REPORT),
    # The audit trail is for the province's coordinator and admins.
    "survey:history": ((2023, "{code}"), {**signed_in(NOT_FOUND), "coordinator": OK, "admin": OK}),
    "survey:transition": ((2023, "{code}", "submit"), signed_in(NOT_ALLOWED)),
    "survey:section": ((2023, "{code}", "services"), OWN_REPORT),
    "survey:print": ((2023, "{code}"), OWN_REPORT),
    "survey:download": ((2023, "{code}"), OWN_REPORT),
    "survey:workbook": ((2023, "{code}"), OWN_REPORT),
    "login": ((), EVERYONE),
    "logout": ((), dict.fromkeys(ROLES, NOT_ALLOWED)),
    "password_change": ((), signed_in(OK)),
    "password_change_done": ((), signed_in(OK)),
    "password_reset": ((), EVERYONE),
    "password_reset_done": ((), EVERYONE),
    "password_reset_confirm": (("MQ", "set-password"), EVERYONE),
    "password_reset_complete": ((), EVERYONE),
    "admin:index": ((), {**dict.fromkeys(ROLES, FOUND), "admin": OK}),
    "account": ((), signed_in(OK)),
    "account_token_create": ((), signed_in(NOT_ALLOWED)),
    "account_token_revoke": ((1,), signed_in(NOT_ALLOWED)),
    # The API: a session is no token for microdata (tests/test_api.py).
    "api:api-root": ((), dict.fromkeys(ROLES, NOT_FOUND)),  # ninja's root: see /api/docs
    "api:openapi-json": ((), EVERYONE),
    "api:openapi-view": ((), EVERYONE),
    "api:reports": ((2023,), dict.fromkeys(ROLES, 401)),
    "api:figures": ((2023,), EVERYONE),
    "api:years": ((), EVERYONE),
    # The codebook documents the instrument: public.
    "interchange:index": ((), EVERYONE),
    "interchange:download": ((2023, "csv"), EVERYONE),
    "interchange:form": ((2023,), EVERYONE),
    "interchange:template": ((2023, "zh-hans"), EVERYONE),
    # POST only (the filing page's reminder button); tested in tests/test_notices.py.
    "notices:send_reminders": ((), dict.fromkeys(ROLES, NOT_ALLOWED)),
    "jobs:list": ((), signed_in(OK)),
    # A job is its owner's (and administrators'); none exists here.
    "jobs:detail": ((1,), signed_in(NOT_FOUND)),
    "jobs:columns": ((1,), signed_in(NOT_ALLOWED)),
    "jobs:import": ((1,), signed_in(NOT_ALLOWED)),
    "jobs:download": ((1,), signed_in(NOT_FOUND)),
}


def site_url_names(resolver=None, namespace=""):
    """Every named URL of the site; Django's admin counts as its index page."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                names.add("admin:index")
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= site_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    assert site_url_names() == set(MATRIX)


def url_of(name, arguments, code):
    return reverse(name, args=[str(a).format(code=code) for a in arguments])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(client, people, report_2023, name):
    arguments, expected = MATRIX[name]
    url = url_of(name, arguments, report_2023.institution.code)
    seen = {}
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        seen[role] = client.get(url).status_code
    assert seen == expected, f"{name} {url}: {seen}"
