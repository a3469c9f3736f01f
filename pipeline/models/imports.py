
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.jobs import ImportJobBase


class OpportunityImportJob(ImportJobBase):
    """An import of the Maven CRM files (pipeline.importing) run in the background."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(ImportJobBase.Meta):
        verbose_name = _("opportunity import job")
        verbose_name_plural = _("opportunity import jobs")
