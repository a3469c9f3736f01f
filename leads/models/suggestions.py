from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoring import RuleSet


class ScoringSuggestion(models.Model):
    """Suggested weights learned from history (issue 16): a background job fits a model on part of
    the leads of a period and saves a draft rule set; its record keeps everything needed to run it
    again and get the same figures — inputs, features, library versions, sizes and figures."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    base_rule_set = models.ForeignKey(RuleSet, verbose_name=_("compared with"), null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    draft_rule_set = models.ForeignKey(RuleSet, verbose_name=_("suggested draft"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    rerun_of = models.ForeignKey("self", verbose_name=_("re-run of"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # inputs: the data window (leads created from start to end), segment, split, as-of moment
    start = models.DateField(_("leads created from"), null=True, blank=True)
    end = models.DateField(_("leads created until"), null=True, blank=True)
    filters = models.JSONField(_("segment filters"), default=dict, blank=True)
    held_out_percent = models.PositiveSmallIntegerField(_("held-out share (%)"), default=25)
    targets = models.JSONField(_("conversion targets"), default=list, blank=True)
    as_of = models.DateTimeField(_("events counted until"))
    random_state = models.PositiveIntegerField(_("random state"), default=16)
    max_leads = models.PositiveIntegerField(_("leads used at most"))
    # what the job found
    features = models.JSONField(_("features"), default=list, blank=True)
    rules = models.JSONField(_("suggested rules"), default=list, blank=True)
    grades = models.JSONField(_("suggested grades"), default=list, blank=True)
    model_info = models.JSONField(_("model"), default=dict, blank=True)
    library_versions = models.JSONField(_("library versions"), default=dict, blank=True)
    leads_used = models.PositiveIntegerField(_("leads used"), default=0)
    train_size = models.PositiveIntegerField(_("training leads"), default=0)
    held_out_size = models.PositiveIntegerField(_("held-out leads"), default=0)
    figures = models.JSONField(_("figures on held-out leads"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scoring suggestion")
        verbose_name_plural = _("scoring suggestions")

    def __str__(self):
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
