"""The read-only API: microdata for the reports a token's user sees, figures as the dashboards
show them to the same viewer, and the survey years. django-ninja generates the OpenAPI schema
(/api/openapi.json) and serves Swagger UI (/api/docs) from our own static files."""

from urllib.parse import urlencode

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI, Path, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.openapi.docs import Swagger
from pydantic import Field

from api import microdata, services
from api.auth import TokenAuth, TokenOrPublic, TokenRateThrottle, viewer_of
from departments.models import Province
from reports import privacy
from reports.exporting import aggregates
from survey.models import Cycle, Report

api = NinjaAPI(
    title="National Nuclear Medicine Survey API",
    version="1",
    description=(
        "Read-only. Send a personal token (made on your account page) as "
        "`Authorization: Bearer <token>`: you read what you read on the site."
    ),
    urls_namespace="api",
    # Swagger UI's own files from our static files (ninja is an installed app), no inline
    # script: it works under the site's CSP. No validator: it would call swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    throttle=TokenRateThrottle(),
)


class MicrodataPage(Schema):
    year: int
    count: int = Field(description="Reports of the year you see, on every page.")
    columns: list[str] = Field(description="The columns of the interchange format's CSV.")
    items: list[dict[str, int | str | None]] = Field(
        description="One report per item: its CSV row by column (null: not reported), status."
    )
    next: str | None = Field(description="The address of the next page, null on the last.")


class MicrodataQuery(Schema):
    after: str | None = Field(None, max_length=32, description="The last inst_code read.")
    limit: int = Field(microdata.DEFAULT_PAGE_SIZE, ge=1, le=microdata.MAX_PAGE_SIZE)


class FiguresQuery(Schema):
    baseline: int | None = Field(None, ge=1, le=9999, description="An earlier year to compare.")
    province: str | None = Field(None, max_length=2, description="GB/T 2260 code; none: national.")


class SurveyYear(Schema):
    year: int
    is_open: bool
    reports: int = Field(description="Reports of the year you may read through /reports.")
    figures: bool = Field(description="Whether /figures has the year's national figures for you.")


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(
        request, {"detail": _("A valid API token is needed.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def throttled(request, exc):
    return api.create_response(
        request, {"detail": _("Too many requests: wait a minute.")}, status=429
    )


# Each answer is its viewer's (never_cache): no shared cache may give it to another.
@api.get(
    "/reports/{year}",
    response=MicrodataPage,
    auth=TokenAuth(),
    tags=["microdata"],
    operation_id="reports",
)
@decorate_view(never_cache)
def reports(request, year: int = Path(..., ge=1, le=9999), query: Query[MicrodataQuery] = None):
    """The year's reports that the token's user sees on the site, a page at a time. Every
    read is logged."""
    get_object_or_404(Cycle, year=year)
    page = microdata.reports_page(
        request.auth.user, year=year, after=query.after, limit=query.limit
    )
    services.record_read(
        request.auth, path=request.get_full_path(), year=year, rows=len(page.items)
    )
    following = None
    if page.more:
        following = request.build_absolute_uri(
            f"{request.path}?{urlencode({'after': page.last_code, 'limit': query.limit})}"
        )
    return {
        "year": year,
        "count": page.count,
        "columns": page.columns,
        "items": page.items,
        "next": following,
    }


@api.get(
    "/figures/{year}", response=dict, auth=TokenOrPublic(), tags=["figures"], operation_id="figures"
)
@decorate_view(never_cache)
def figures(request, year: int = Path(..., ge=1, le=9999), query: Query[FiguresQuery] = None):
    """Every metric of the year (national, or of `province`), compared with `baseline`, as
    the dashboards show them to you: the public's figures, cells blanked by disclosure
    control, unless you are entitled to the scope's reports (the JSON of the dashboard's
    download). Without a token: the public's."""
    viewer = viewer_of(request)
    province = query.province or None  # ?province= is the nation, as on the dashboards
    if province and not Province.objects.filter(code=province).exists():
        raise HttpError(404, _("No such province."))
    years = privacy.years_for(viewer, province)
    if year not in years:
        raise HttpError(404, _("No figures of that year for you."))
    baseline = query.baseline
    if baseline is not None and (baseline not in years or baseline >= year):
        raise HttpError(404, _("The baseline must be an earlier year with figures for you."))
    return aggregates(
        year=year,
        baseline=baseline,
        province=province,
        disclosure=privacy.disclosure_for(viewer, province, year, baseline),
    )


@api.get(
    "/years", response=list[SurveyYear], auth=TokenOrPublic(), tags=["years"], operation_id="years"
)
@decorate_view(never_cache)
def years(request):
    """The survey years with data, latest first: how many reports of each you may read, and
    whether its national figures are there for you."""
    viewer = viewer_of(request)
    with_figures = set(privacy.years_for(viewer, None))
    readable = dict(
        Report.objects.visible_to(viewer).order_by().values_list("cycle_id").annotate(n=Count("pk"))
    )
    cycles = Cycle.objects.filter(year__in=with_figures | readable.keys()).order_by("-year")
    return [
        {
            "year": cycle.year,
            "is_open": cycle.is_open,
            "reports": readable.get(cycle.year, 0),
            "figures": cycle.year in with_figures,
        }
        for cycle in cycles
    ]
