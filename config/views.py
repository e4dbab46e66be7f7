"""The site's own pages: the home page (each app's pages are in its own `views.py`)."""

from django.shortcuts import render

from survey.models import Cycle


def home(request):
    return render(request, "home.html", {"cycles": Cycle.objects.all()})
