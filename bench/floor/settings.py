"""The floor of a section save: a minimal Django project with the platform's essentials.

Sessions in the database, CSRF, authentication, and one authenticated conditional UPDATE of
one report row per POST (`floor.urls`), on the same PostgreSQL database, users and sessions
table as the platform's benchmark. What a save cannot cost less than on this machine.
"""

import os

import dj_database_url

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "floor.urls"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
USE_TZ = True
