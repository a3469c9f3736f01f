from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.demo import seed_leads, seed_routing_rules
from leads.demo.nurture import seed_nurture
from leads.demo.scoring import seed_events
from pipeline.demo import seed_pipeline
from teams.demo import DEMO_PASSWORD, seed_organisation


class Command(BaseCommand):
    help = _("Create (or complete) a realistic demo organisation. Safe to run repeatedly.")

    def handle(self, *args, **options):
        users = seed_organisation(today=timezone.localdate())
        seed_routing_rules()  # before the leads: demo leads reaching the top grade are routed
        added = seed_leads(users=users)
        events = seed_events()
        seed_nurture(users=users)
        deals = seed_pipeline(users=users, today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(users)} users, {added} new leads, {events} new behaviour events, "
            f"{deals} new opportunities. "
            f"Log in as admin, mgr.east, rep.li, marketing… with password '{DEMO_PASSWORD}'."
        ))
