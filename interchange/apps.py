from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Survey files in and out (CSV and XLSX in the interchange format), and the column
    mappings saved for files not written by this platform."""

    name = "interchange"
