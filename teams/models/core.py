"""People and organisation: users with roles, teams, territories, quotas."""
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A sales territory: a named set of regions (lower-case codes, e.g. `east`, `north`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    regions = models.JSONField(_("regions"), default=list, blank=True,
                               help_text=_("Region codes covered by this territory."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_teams",
    )
    regional_office = models.CharField(_("regional office"), max_length=100, blank=True,
                                       help_text=_("As an imported file names it (e.g. Maven's regional_office)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A SalesOps user. The role decides what they see (teams.selectors.scope_for_user)."""

    class Role(models.TextChoices):
        REP = "rep", _("Sales rep")
        MANAGER = "manager", _("Sales manager")
        MARKETING = "marketing", _("Marketing")
        SUCCESS = "success", _("Customer success")
        SUPPORT = "support", _("Support")
        PRODUCT = "product", _("Product")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="members")
    territory = models.ForeignKey(Territory, verbose_name=_("territory"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="users")
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Emails and review packs are sent in this language; remembered "
                                            "from the language menu. Empty: the site's default."))
    is_away = models.BooleanField(_("away"), default=False,
                                  help_text=_("Away reps receive no new assignments."))
    lead_capacity = models.PositiveIntegerField(_("lead capacity"), default=50,
                                                help_text=_("Most open leads routing gives this rep."))
    last_lead_assigned_at = models.DateTimeField(_("last lead assigned at"), null=True, blank=True,
                                                 help_text=_("Round-robin order: the longest-waiting rep goes first."))

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


class Quota(models.Model):
    """A rep's sales target for one period (e.g. a month or a quarter)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="quotas")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)

    class Meta:
        ordering = ["-period_start", "user__username"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start"], name="quota_one_per_user_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="quota_period_ordered"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.user} {self.period_start:%Y-%m-%d}: {self.amount} {self.currency}"


class Notification(models.Model):
    """An in-app notification. `text` is an English message id translated when shown."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=50)
    text = models.CharField(_("text"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message

    @property
    def message(self) -> str:
        from django.utils.translation import gettext
        try:
            return gettext(self.text) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.text)
