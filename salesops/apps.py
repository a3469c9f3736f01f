from django.apps import AppConfig


class SalesOpsConfig(AppConfig):
    """The base layer as an app only to install its input rules once (no models, no pages)."""

    name = "salesops"
    verbose_name = "SalesOps"

    def ready(self):
        from . import dates

        dates.install()
