"""The site's error pages, rendered in its layout and the user's language.

Django's own 400 handler renders without the request (no user, no language switch); this one
renders with it. 403 and 404 use Django's handlers, which already pass the request; 500 is
Django's too, with a standalone template that needs neither request nor database.
"""

from django.shortcuts import render


def bad_request(request, exception):
    return render(request, "400.html", status=400)
