from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pipeline.importing import alias_lines, opportunities_import, read_dataset, summary_message
from pipeline.maven import ENGAGING_CHOICES
from teams.models import User


class Command(BaseCommand):
    help = _("Import opportunities from a sales_pipeline.csv in the Maven CRM layout (with its sibling "
             "accounts.csv, products.csv and sales_teams.csv). All or nothing; safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Path to sales_pipeline.csv"))
        parser.add_argument("--engaging-stage", choices=ENGAGING_CHOICES, default="needs_confirmed",
                            help=_("Our stage for the file's “Engaging” deals"))
        parser.add_argument("--as-user", default="", help=_(
            "Import as this user (recorded in the ledger; must be allowed to import deals). Default: the system."))

    def handle(self, *args, **options):
        by = None
        if options["as_user"]:
            by = User.objects.filter(username=options["as_user"]).first()
            if by is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": options["as_user"]})
        try:
            dataset = read_dataset(options["file"], engaging_stage=options["engaging_stage"])
            result = opportunities_import(dataset=dataset, by=by)
        except (FileNotFoundError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{error.file}:{error.row}: {error.message}")
            raise CommandError(_("%(count)s errors; nothing was imported.") % {"count": result.error_count})
        self.stdout.write(self.style.SUCCESS(summary_message(result, alias_lines(dataset))))
