"""Saved filters (issue 12): a person's named filter of one list, e.g. "my open deals closing this month"."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """`list_key` names a list registered in salesops.list_filters (leads, deals, accounts,
    activities); `query` is the list's query string without the page number."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="saved_filters")
    list_key = models.CharField(_("list"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["user", "list_key", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name
