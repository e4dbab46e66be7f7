from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Survey files in and out (CSV and XLSX in the interchange format); no models of its own."""

    name = "interchange"
