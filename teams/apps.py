from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self):
        from . import registry

        registry.register()
        registry.register_training()  # h11
        from . import signals  # noqa: F401  (connects the token receivers)
