from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self):
        from . import registry

        registry.register()

        from django.db.models.signals import post_delete, post_save

        from .models import AttributeRule, BehaviourRule, EventType, GradeBand, RuleSet
        from .selectors import rule_set_cache_clear

        # Not business logic: the per-process cache of loaded rule sets forgets what changed here.
        for model in (RuleSet, AttributeRule, BehaviourRule, GradeBand, EventType):
            post_save.connect(rule_set_cache_clear, sender=model, dispatch_uid=f"rule_set_cache_{model.__name__}")
            post_delete.connect(rule_set_cache_clear, sender=model, dispatch_uid=f"rule_set_cache_d_{model.__name__}")
