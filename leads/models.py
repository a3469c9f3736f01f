"""Leads: people and companies marketing and sales work before there is an opportunity."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    FINANCE = "finance", _("Finance")
    RETAIL = "retail", _("Retail")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    ENERGY = "energy", _("Energy")
    TELECOM = "telecom", _("Telecommunications")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    NORTH = "north", _("North China")
    EAST = "east", _("East China")
    SOUTH = "south", _("South China")
    CENTRAL = "central", _("Central China")
    SOUTHWEST = "southwest", _("Southwest China")
    NORTHWEST = "northwest", _("Northwest China")
    NORTHEAST = "northeast", _("Northeast China")
    OVERSEAS = "overseas", _("Overseas")


class Source(models.TextChoices):
    WEBSITE = "website", _("Website")
    WEBINAR = "webinar", _("Webinar")
    TRADE_SHOW = "trade_show", _("Trade show")
    REFERRAL = "referral", _("Referral")
    PAID_SEARCH = "paid_search", _("Paid search")
    SOCIAL = "social", _("Social media")
    EMAIL = "email_campaign", _("Email campaign")
    PARTNER = "partner", _("Partner")
    COLD_CALL = "cold_call", _("Cold call")
    OTHER = "other", _("Other")


class Lead(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        WORKING = "working", _("Working")
        NURTURING = "nurturing", _("Nurturing")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    company_size = models.PositiveIntegerField(
        _("company size"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
        help_text=_("Number of employees."),
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=30, choices=Source.choices, default=Source.WEBSITE)
    consent = models.BooleanField(_("marketing consent"), default=False)
    do_not_email = models.BooleanField(_("do not email"), default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="leads")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    completeness = models.PositiveSmallIntegerField(
        _("data completeness"), default=0, help_text=_("Share of profile fields filled, in percent."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="lead_email_unique_ci",
                                    violation_error_message=_("A lead with this email already exists.")),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="lead_owner_created")]

    def __str__(self):
        return f"{self.name} <{self.email}>"
