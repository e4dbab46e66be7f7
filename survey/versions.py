"""A version stamp per survey year, renewed whenever the data of that year change.

Figures and dashboards are cached with the stamps of the years they read, so a repeat view
does no aggregation, and any change to a year's reports makes its cached figures stale.

The stamps live in the database (`DataVersion`), the figures in the cache. Every process of
every deployment thus sees a change at once, whether the cache is shared (Redis) or each
worker's own memory (the default), and whoever made the change: a web worker, the admin, or
`manage.py import_survey` in a process of its own. A request reads the stamps in one query,
the first time it needs one (`read_once_per_request`, from `DataVersionMiddleware`).

Each year also has a published stamp, renewed only when what the public may see can change: a
submitted or accepted report, a change of status, a new or deleted report, an import, the
registry. Draft saves, the bulk of a deadline day, leave it alone, and the public table and its
disclosure control (`reports.privacy.public`, seconds of work) with it (`published=True`).

`SURVEY_FIGURES_MAX_AGE` (seconds, default 0) lets stale figures be served that long after a
change, recomputed by one request while the others keep the previous ones. With 0, a change
shows at once; on a deadline day, when every few milliseconds a save changes the open year,
a few seconds keep the dashboards from being recomputed on every view.
"""

import contextlib
import contextvars
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

TIMEOUT = 24 * 3600
RECOMPUTE_LOCK_SECONDS = 30

# {year: (stamp, published stamp)} read during the current request; None outside a request.
_read_in_request = contextvars.ContextVar("survey_data_versions", default=None)


@contextlib.contextmanager
def read_once_per_request():
    """Within the block, the stamps are read from the database once, then remembered."""
    token = _read_in_request.set({})
    try:
        yield
    finally:
        _read_in_request.reset(token)


def _read(years):
    from survey.models import DataVersion

    rows = (
        DataVersion.objects.all() if years is None else DataVersion.objects.filter(year__in=years)
    )
    return {
        year: (stamp, published)
        for year, stamp, published in rows.values_list("year", "stamp", "published_stamp")
    }


def started(*years):
    """Give `years` their first stamp, unless they have one (a new survey cycle)."""
    from survey.models import DataVersion

    DataVersion.objects.bulk_create(
        [
            DataVersion(year=year, stamp=uuid.uuid4().hex, published_stamp=uuid.uuid4().hex)
            for year in years
        ],
        ignore_conflicts=True,
    )


def _created(years):
    """Stamps for years that have none yet (cycles older than the stamps' table)."""
    started(*years)
    return _read(years)


def stamps(years, *, published=False):
    """The current stamp of each year (None years are skipped); its published stamp with
    `published`."""
    years = [year for year in years if year is not None]
    remembered = _read_in_request.get()
    if remembered is None:
        found = _read(years)
    else:
        if not remembered.keys() >= set(years):
            # The table has a row per survey year: reading all of them is one small query.
            remembered.update(_read(None))
        found = remembered
    missing = [year for year in years if year not in found]
    if missing:
        found.update(_created(missing))
    return tuple(found[year][1 if published else 0] for year in years)


def changed(*years, published=True):
    """The data of `years` changed; takes effect when the current transaction commits.
    `published=False`: only reports the public cannot see did (a draft's values).

    Renewing the stamp only after commit keeps a concurrent request from caching the
    uncommitted state's predecessor under the new stamp, and keeps the stamp rows free of
    long transactions' locks (an import holds its own rows, never the stamps).
    """
    if years:
        transaction.on_commit(lambda: _renew(years, published), robust=True)


def _renew(years, published=True):
    from survey.models import DataVersion

    stamp, now = uuid.uuid4().hex, timezone.now()
    years = sorted(set(years))
    renewing = {
        "stamp": stamp,
        "changed_at": now,
        **({"published_stamp": stamp} if published else {}),
    }
    # A save changes one year, which has its row: one statement, where the upsert takes three.
    renewed = len(years) == 1 and DataVersion.objects.filter(year=years[0]).update(**renewing)
    if not renewed:
        _upsert(years, stamp, now)
    remembered = _read_in_request.get()
    if remembered is not None:
        remembered.clear()


def _upsert(years, stamp, now):
    from survey.models import DataVersion

    DataVersion.objects.bulk_create(
        [
            DataVersion(year=year, stamp=stamp, published_stamp=stamp, changed_at=now)
            for year in years
        ],
        # The same order in every upsert: two at once cannot deadlock.
        update_conflicts=True,
        unique_fields=["year"],
        update_fields=["stamp", "published_stamp", "changed_at"],
    )


def cached(name, *parts, years, compute, published=False, fresh=False):
    """`compute()`, cached under `name` and `parts`, recomputed when the `years` change (only
    what the public may see of them, with `published`). `fresh`: never a value of older data,
    whatever `SURVEY_FIGURES_MAX_AGE` allows (for what other entries are computed from)."""
    key = ":".join(map(str, (name, *parts)))
    current = stamps(years, published=published)
    entry = cache.get(key)
    if entry is not None:
        computed_with, computed_at, value = entry
        if computed_with == current:
            return value
        recent = not fresh and time.time() - computed_at < settings.SURVEY_FIGURES_MAX_AGE
        # One request recomputes; the others keep serving the recent figures meanwhile.
        if recent and not cache.add(f"{key}:recomputing", 1, RECOMPUTE_LOCK_SECONDS):
            return value
    started = time.time()
    value = compute()
    cache.set(key, (current, started, value), TIMEOUT)
    cache.delete(f"{key}:recomputing")
    return value
