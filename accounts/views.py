"""The signed-in user's own page: who they are on the platform, and their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import role_of
from api import services
from api.forms import TokenForm
from api.models import ApiToken
from survey.models import Cycle


@login_required
def account(request):
    return _account_page(request, TokenForm())


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.create_token(request.user, form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            # The secret is in this response only: never stored, never cached on the way.
            response = _account_page(request, TokenForm(), new_token=token, secret=secret)
            add_never_cache_headers(response)
            return response
    return _account_page(request, form, status=400)


@login_required
@require_POST
def revoke_token(request, pk):
    try:
        services.revoke_token(request.user, pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None  # another user's token, or revoked already: not found
    messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("account")


def _scope_of(user):
    """The institution or province a user's role applies to, or None (national)."""
    try:
        membership = user.membership
    except ObjectDoesNotExist:
        return None
    return membership.institution or membership.province


def _account_page(request, form, *, new_token=None, secret=None, status=200):
    user = request.user
    role = role_of(user)
    return render(
        request,
        "accounts/account.html",
        {
            "role": role.label if role else None,
            "scope": _scope_of(user),
            "tokens": ApiToken.objects.active().filter(user=user),
            "form": form,
            "new_token": new_token,
            "secret": secret,
            "base_url": request.build_absolute_uri("/").rstrip("/"),
            "example_year": Cycle.objects.values_list("year", flat=True).first() or 2023,
        },
        status=status,
    )
