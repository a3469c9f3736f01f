from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)
from salesops.jobs import ImportJobBase



class LeadImportJob(ImportJobBase):
    """A CSV import of leads run in the background: a preview (check only) or the import itself."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    preview_of = models.ForeignKey("self", verbose_name=_("confirms the preview"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta(ImportJobBase.Meta):
        verbose_name = _("lead import job")
        verbose_name_plural = _("lead import jobs")


class ImportMapping(models.Model):
    """How the columns of one source's CSV files map to lead fields (saved per source)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Lead field -> CSV column name (or a template like 'Lead {Lead Number}')."))
    values = models.JSONField(_("value maps"), default=dict, blank=True,
                              help_text=_("Lead field -> {CSV value: our value}, e.g. source names to source codes."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self):
        return self.name


class LeadImportUpload(models.Model):
    """A CSV file uploaded for import, kept (staged, 0600) while its columns are mapped and checked:
    a mistake on the mapping screen or a failed check never makes the person upload it again. Each
    check or import runs as a LeadImportJob on a copy of it (`options["upload"]` names this row)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    staged_name = models.CharField(_("staged file"), max_length=100)
    header = models.JSONField(_("columns"), default=list)
    sample = models.JSONField(_("first rows"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    mapping = models.ForeignKey(ImportMapping, verbose_name=_("mapping"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead import upload")
        verbose_name_plural = _("lead import uploads")

    def __str__(self):
        return self.file_name
