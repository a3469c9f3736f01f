from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pipeline.importing import ImportFailed, opportunities_import, read_dataset
from pipeline.maven import ENGAGING_CHOICES
from teams.models import User


class Command(BaseCommand):
    help = _("Import opportunities from a sales_pipeline.csv in the Maven CRM layout (with its sibling "
             "accounts.csv, products.csv and sales_teams.csv). All or nothing; safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Path to sales_pipeline.csv"))
        parser.add_argument("--engaging-stage", choices=ENGAGING_CHOICES, default="needs_confirmed",
                            help=_("Our stage for the file's “Engaging” deals"))
        parser.add_argument("--as-user", default="", help=_("Username recorded as the importer in the ledger"))

    def handle(self, *args, **options):
        by = None
        if options["as_user"]:
            by = User.objects.filter(username=options["as_user"]).first()
            if by is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": options["as_user"]})
        try:
            dataset = read_dataset(options["file"], engaging_stage=options["engaging_stage"])
            result = opportunities_import(dataset=dataset, by=by)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"{error['file']}:{error['row']}: {error['message']}")
            raise CommandError(_("%(count)s errors; nothing was imported.") % {"count": len(exc.errors)}) from exc
        self.stdout.write(self.style.SUCCESS(_(
            "Imported: %(created)s new opportunities, %(moved)s moved, %(unchanged)s unchanged; %(users)s users, "
            "%(teams)s teams, %(accounts)s accounts, %(products)s products created.") % vars(result)))
