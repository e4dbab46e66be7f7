from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "notices"

    def ready(self):
        # Connect the receivers: the language at sign-in, and the notices of review steps.
        from notices import languages, steps  # noqa: F401
