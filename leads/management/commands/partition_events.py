"""manage.py partition_events [--check | --apply]

PostgreSQL only: shows whether the events table (leads_leadevent) is partitioned by month and how
large it is (--check, the default), or converts it (--apply; see leads.services.partitions for what
changes and why). On SQLite it says so and does nothing."""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from leads.services.partitions import events_partition_convert, events_partition_status


class Command(BaseCommand):
    help = "Partition the behaviour events table by month (PostgreSQL): --check reports, --apply converts."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--check", action="store_true", help="Report only (the default).")
        group.add_argument("--apply", action="store_true", help="Convert the table (locks events while it copies).")

    def handle(self, *args, apply=False, **options):
        status = events_partition_status()
        if not status["supported"]:
            self.stdout.write(_("Partitioning events needs PostgreSQL; this database is not, so nothing was done."))
            return
        self.stdout.write(_("Events: %(rows)s rows, %(mb)s MB, from %(oldest)s to %(newest)s.") % {
            "rows": status["rows"], "mb": status["bytes"] // (1024 * 1024), "oldest": status["oldest"] or "—",
            "newest": status["newest"] or "—"})
        if status["partitioned"]:
            self.stdout.write(_("Partitioned by month: %(n)s partitions.") % {"n": len(status["partitions"])})
            for name, bound in status["partitions"]:
                self.stdout.write(f"  {name}  {bound}")
            return
        if not apply:
            self.stdout.write(_("Not partitioned. Run with --apply to convert it."))
            return
        result = events_partition_convert()
        self.stdout.write(self.style.SUCCESS(_("Converted: %(rows)s rows copied into %(n)s partitions.") % {
            "rows": result["rows"], "n": result["partitions"]}))
