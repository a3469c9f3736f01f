"""Web-to-lead forms: a public form key per website form (leads.services.web_forms)."""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .lead import Source


def new_form_key() -> str:
    return secrets.token_urlsafe(12)


class WebForm(models.Model):
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(_("form key"), max_length=40, unique=True, default=new_form_key, editable=False)
    allowed_origins = models.TextField(
        _("allowed origins"), blank=True,
        help_text=_("One per line, e.g. https://www.example.com. Browsers on other sites are refused."))
    posted_as = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submits as"), on_delete=models.PROTECT,
                                  related_name="+", help_text=_("The marketing user new leads and events are recorded by."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner of new leads"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("Empty: new leads wait in the pool for routing."))
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.WEBSITE)
    success_url = models.URLField(_("thank-you page"), max_length=500, blank=True,
                                  help_text=_("Where a plain HTML form submission is sent afterwards."))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self):
        return self.name

    def origins(self) -> set[str]:
        return {line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines() if line.strip()}
