"""Settings for the test suite: production settings with a throwaway key and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

os.environ.setdefault("TASKS_BACKEND", "immediate")

from config.settings import *  # noqa: E402, F403

STORAGES = {
    **STORAGES,  # noqa: F405
    # The manifest storage needs collectstatic first; tests serve the source files.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# Throttling needs the request in authenticate(), which client.login() does not pass; the
# throttling test turns it on.
AXES_ENABLED = False
# Job files (uploads, exports) of the tests, never in the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="nmsurvey-media-")
