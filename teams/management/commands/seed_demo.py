from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops import demo
from teams.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = _("Create (or complete) a realistic demo organisation. Safe to run repeatedly.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        summaries = [loader.load(today) for loader in demo.loaders()]  # each app's loader, lowest layer first
        self.stdout.write(self.style.SUCCESS(
            _("Demo data ready: %(summary)s. Log in as admin, mgr.east, rep.li, marketing… with password '%(password)s'.")
            % {"summary": ", ".join(summaries), "password": DEMO_PASSWORD}
        ))
