"""Reference data shared by every app (base layer: imports no app).

Choices stored as codes on leads, accounts and territories; an app imports them from here, never
from another app's models.
"""
from django.db import models
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
