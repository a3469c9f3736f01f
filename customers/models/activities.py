"""The activity timeline: calls, meetings, emails, notes and tasks on a lead, an account or a contact.

A deal's activities are linked by pipeline (pipeline.OpportunityActivity); customers never points
at pipeline. `logged_at` vs `occurred_at` measures the 24-hour logging rule. A task has a due date
and is done when `done_at` is set; `key` (when not blank) makes a system-created task unique, so a
job that runs twice opens one follow-up, not two.
"""
from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .accounts import Account, Contact


class Activity(models.Model):
    """A logged call, meeting, email or note. `logged_at` vs `occurred_at` measures the 24-hour rule."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", pgettext_lazy("activity kind", "Email")  # an email sent, not an address
        NOTE = "note", _("Note")
        TASK = "task", _("Task")

    account = models.ForeignKey(Account, verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="activities")
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True, db_default=Now())
    summary = models.TextField(_("summary"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="activities")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    key = models.CharField(_("key"), max_length=120, blank=True,
                           help_text=_("Set by the system so a task it opens is opened once."))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="activity_account"),
            models.Index(fields=["owner", "-occurred_at"], name="activity_owner"),
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead"),
            # a rep's open tasks (my tasks, the header's overdue count)
            models.Index(fields=["owner", "due_at"], name="activity_open_task",
                         condition=Q(kind="task", done_at__isnull=True)),
            # the 24-hour metric counts by logged_at; reminders and overdue lists read open tasks by due date
            models.Index(fields=["logged_at"], name="activity_logged"),
            models.Index(fields=["due_at"], name="activity_open_task_due",
                         condition=Q(kind="task", done_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(account__isnull=False) | Q(lead__isnull=False),
                                   name="activity_on_account_or_lead"),
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="activity_unique_key"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
