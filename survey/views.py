from django.shortcuts import render

from survey.models import Cycle


def home(request):
    return render(request, "survey/home.html", {"cycles": Cycle.objects.all()})
