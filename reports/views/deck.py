"""The status report as a slide deck (being written: see issue 16)."""

from django.http import Http404


def status_deck(request):
    raise Http404
