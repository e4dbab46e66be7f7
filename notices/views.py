from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import reviews_reports, scope_of
from departments.models import Institution
from notices.forms import RemindForm
from notices.reminders import interval, remind


@require_POST
@login_required
def send_reminders(request):
    """The filing page's button: remind the institutions of the user's scope that have not
    filed (coordinators: their province; admins: the province shown, or all)."""
    if not reviews_reports(request.user):
        raise Http404
    form = RemindForm(request.POST)
    if not form.is_valid():
        reasons = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, _("No reminder was sent: %(reasons)s") % {"reasons": reasons})
        return redirect("survey:filing")
    cycle, province = form.cleaned_data["year"], form.cleaned_data["province"]
    if province is not None and not (
        Institution.objects.visible_to(request.user).filter(province=province).exists()
    ):
        raise Http404  # another coordinator's province: not found, like its reports
    done = remind(
        scope_of(request.user), cycle, now=timezone.now(), by=request.user, province=province
    )
    report_to(request, done)
    query = {"year": cycle.year, **({"province": province.code} if province else {})}
    return redirect(f"{reverse('survey:filing')}?{urlencode(query)}")


def report_to(request, done):
    """Say in messages who was reminded and who was skipped, and why."""
    if done.reminded:
        messages.success(
            request,
            _("Reminder sent to %(institutions)s.")
            % {
                "institutions": "; ".join(
                    f"{institution.name} ({', '.join(to)})" for institution, to in done.reminded
                )
            },
        )
    else:
        messages.info(request, _("No reminder was sent."))
    if done.recent:
        days = interval().days
        messages.info(
            request,
            ngettext(
                "Not reminded again, reminded within the last day: %(institutions)s.",
                "Not reminded again, reminded within the last %(days)s days: %(institutions)s.",
                days,
            )
            % {
                "days": days,
                "institutions": "; ".join(
                    f"{institution.name} ({timezone.localtime(at):%Y-%m-%d %H:%M})"
                    for institution, at in done.recent
                ),
            },
        )
    if done.unreachable:
        messages.warning(
            request,
            _("Not reminded, no reporter with an e-mail address: %(institutions)s.")
            % {"institutions": "; ".join(i.name for i in done.unreachable)},
        )
