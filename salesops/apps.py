from django.apps import AppConfig


class SalesOpsConfig(AppConfig):
    """The base layer as an app only to install its input rules once (no models, no pages):
    dates within 1900-2100 everywhere, JSON values of the type the schema states."""

    name = "salesops"
    verbose_name = "SalesOps"

    def ready(self):
        from . import api, dates

        dates.install()
        api.install_strict_types()
