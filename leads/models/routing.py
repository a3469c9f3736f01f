from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesops.reference import Industry, Region  # noqa: F401  (reference data of the base; still importable from here)
from .lead import Lead



class RoutingRule(models.Model):
    """Which team's reps receive a new top-grade lead. Rules are tried by priority; the first match wins."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower runs first."))
    is_active = models.BooleanField(_("active"), default=True)
    territory = models.ForeignKey("teams.Territory", verbose_name=_("territory"), null=True, blank=True,
                                  on_delete=models.CASCADE, help_text=_("Match leads in this territory's regions."))
    industries = models.JSONField(_("industries"), default=list, blank=True, help_text=_("Empty: any industry."))
    min_company_size = models.PositiveIntegerField(_("company size at least"), null=True, blank=True)
    max_company_size = models.PositiveIntegerField(_("company size at most"), null=True, blank=True)
    team = models.ForeignKey("teams.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                             help_text=_("Round-robin among this team's available reps."))

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """Audit of every lead assignment: who got it, why, and by whom (empty: by the router).

    An append-only log: its lead, rep and assigner are not foreign-key constraints in the database
    (as integrations.ChangeEvent.owner). Django still applies on_delete (SET_NULL) when a lead or
    user is deleted. The lead and rep are held as the constraint held them: the assigning services
    lock the lead, and the rep is the lead's new owner, whose own constraint is checked on the lead
    (an import writes its own new leads). The assigner is the user acting; a user deleted at that
    very moment would leave an id that reads as no one (select_related: empty), an audit row kept
    all the same. The three checks a row at commit were a third of a 100,000-lead import's database
    time (issue 14). The previous owner and the
    routing rule keep their constraints: nothing else holds them (a rule deleted while a routing run
    goes on, a user deleted while their lead is reassigned), and an import leaves both empty (no
    check). Indexed for what reads them: a lead's history (lead), a rep's assignments (rep); the
    others only for a user's or rule's deletion, partial on the rows that have one."""

    # SET_NULL: assignments are an audit trail and outlive a deleted lead (see LeadAudit).
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), null=True, on_delete=models.SET_NULL,
                             related_name="assignments", db_constraint=False)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="lead_assignments", db_constraint=False,
                            help_text=_("Empty: the lead went to the managers' queue."))
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("previous owner"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False,
                                    db_index=False)
    rule = models.ForeignKey(RoutingRule, verbose_name=_("routing rule"), null=True, blank=True,
                             on_delete=models.SET_NULL, db_index=False)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            # the SET NULL of a deleted user or routing rule (rare): only the rows that name one
            models.Index(fields=["previous_owner"], name="assignment_previous_owner",
                         condition=models.Q(previous_owner__isnull=False)),
            models.Index(fields=["assigned_by"], name="assignment_assigned_by",
                         condition=models.Q(assigned_by__isnull=False)),
            models.Index(fields=["rule"], name="assignment_rule", condition=models.Q(rule__isnull=False)),
        ]
