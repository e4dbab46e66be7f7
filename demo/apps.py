from django.apps import AppConfig


class DemoConfig(AppConfig):
    # No models: the demo's data are files (fixtures/demo/) and its commands load or rebuild them.
    name = "demo"
