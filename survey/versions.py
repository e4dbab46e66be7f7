"""A version stamp per survey year, renewed whenever the data of that year change.

Figures and dashboards are cached under the stamps of the years they read, so a repeat view
does no aggregation, and any change to a year's reports makes its cached figures unreachable.
Stamps live in the shared cache (Redis in production), so every app server sees a change.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 24 * 3600


def _key(year):
    return f"survey-data-version:{year}"


def stamps(years):
    """The current stamp of each year (None years are skipped)."""
    keys = [_key(year) for year in years if year is not None]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
    return tuple({**found, **missing}[key] for key in keys)


def changed(*years):
    """The data of `years` changed; takes effect when the current transaction commits.

    Renewing the stamp only after commit keeps a concurrent request from caching the
    uncommitted state's predecessor under the new stamp.
    """
    transaction.on_commit(lambda: cache.delete_many([_key(year) for year in years]))


def cached(name, *parts, years, compute):
    """`compute()`, cached under `name`, `parts` and the stamps of the `years` it reads."""
    key = ":".join(map(str, (name, *parts, *stamps(years))))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
