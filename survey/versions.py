"""A version stamp per survey year, renewed whenever the data of that year change.

Figures and dashboards are cached with the stamps of the years they read, so a repeat view
does no aggregation, and any change to a year's reports makes its cached figures stale.
Stamps live in the shared cache (Redis in production), so every app server sees a change.

`SURVEY_FIGURES_MAX_AGE` (seconds, default 0) lets stale figures be served that long after a
change, recomputed by one request while the others keep the previous ones. With 0, a change
shows at once; on a deadline day, when every few milliseconds a save changes the open year,
a few seconds keep the dashboards from being recomputed on every view.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

TIMEOUT = 24 * 3600
RECOMPUTE_LOCK_SECONDS = 30


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
    """`compute()`, cached under `name` and `parts`, recomputed when the `years` change."""
    key = ":".join(map(str, (name, *parts)))
    current = stamps(years)
    entry = cache.get(key)
    if entry is not None:
        computed_with, computed_at, value = entry
        if computed_with == current:
            return value
        recent = time.time() - computed_at < settings.SURVEY_FIGURES_MAX_AGE
        # One request recomputes; the others keep serving the recent figures meanwhile.
        if recent and not cache.add(f"{key}:recomputing", 1, RECOMPUTE_LOCK_SECONDS):
            return value
    started = time.time()
    value = compute()
    cache.set(key, (current, started, value), TIMEOUT)
    cache.delete(f"{key}:recomputing")
    return value
