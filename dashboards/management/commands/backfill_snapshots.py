"""Snapshot every metric (or one) for every complete day of a range: `--start 2026-01-01 --end 2026-11-30`."""
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboards.models import KpiSnapshot
from dashboards.snapshots import snapshots_backfill


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Write the missing KPI snapshots of a range of complete days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, type=_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, type=_day, help="last day, YYYY-MM-DD (before today)")
        parser.add_argument("--metric", default="", help="one metric code (default: every metric)")
        parser.add_argument("--kinds", default="", help="period kinds, comma-separated (default: settings)")

    def handle(self, *args, start, end, metric, kinds, **options):
        chosen = [k for k in kinds.split(",") if k] or None
        if chosen and set(chosen) - set(KpiSnapshot.Kind.values):
            raise CommandError(f"unknown kinds; choose from {', '.join(KpiSnapshot.Kind.values)}")
        state = {"total": 0}

        def total(n):
            state["total"] = n

        def step(n):
            if options["verbosity"] > 1 or n == state["total"]:
                self.stdout.write(f"{n}/{state['total']} periods")

        try:
            written = snapshots_backfill(start=start, end=end, metric=metric or None, kinds=chosen,
                                         total=total, step=step)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{written} snapshots written"))
