"""The saved import mapping for the X Education lead-scoring data set (shared/data/real/x-education-leads,
see SOURCES.md): Prospect ID is the external reference, leads are named after their Lead Number, the
Converted column is the historic outcome. The file has no email column, so rows dedupe by Prospect ID."""
from django.db import migrations

NAME = "X Education"

# Lead Source -> our Source codes. Matching is case-insensitive (Google / google); blanks and
# anything else are "other".
SOURCES = {
    "Google": "paid_search",  # Google ads (organic Google traffic is "Organic Search")
    "bing": "paid_search",
    "Pay per Click Ads": "paid_search",
    "Organic Search": "website",
    "Direct Traffic": "website",
    "Olark Chat": "website",  # the site's chat widget
    "Live Chat": "website",
    "blog": "website",
    "Welingak Website": "partner",
    "WeLearn": "partner",
    "welearnblog_Home": "partner",
    "Reference": "referral",
    "Referral Sites": "referral",
    "Facebook": "social",
    "Social Media": "social",
    "youtubechannel": "social",
    "NC_EDM": "email_campaign",  # electronic direct mail
    "Click2call": "other",
    "Press_Release": "other",
    "testone": "other",
    "Select": "other",
    "": "other",
    "*": "other",
}

# Country -> Region. Our regions are Chinese regions plus "overseas": every named foreign country is
# overseas; blanks, "unknown", "Select" and China (no region given) stay blank.
REGIONS = {"": "", "Select": "", "unknown": "", "China": "", "*": "overseas"}

MAPPING = {
    "columns": {
        "external_ref": "Prospect ID",
        "name": "X Education lead {Lead Number}",
        "source": "Lead Source",
        "origin": "Lead Origin",
        "last_activity": "Last Activity",
        "total_visits": "TotalVisits",
        "time_on_site": "Total Time Spent on Website",
        "do_not_email": "Do Not Email",
        "region": "Country",
        "outcome": "Converted",
    },
    "values": {
        "source": SOURCES,
        "region": REGIONS,
        "origin": {"Select": ""},
        "last_activity": {"Select": ""},
    },
}


def install(apps, schema_editor):
    ImportMapping = apps.get_model("leads", "ImportMapping")
    ImportMapping.objects.get_or_create(name=NAME, defaults=MAPPING)


def remove(apps, schema_editor):
    apps.get_model("leads", "ImportMapping").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_default_scoring")]
    operations = [migrations.RunPython(install, remove)]
