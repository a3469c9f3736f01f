from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from salesops.importers import public_datasets


class Command(BaseCommand):
    help = _("Load the public data sets of SALESOPS_REAL_DATA_DIR (see its SOURCES.md) with every registered "
             "importer. Each is all or nothing and safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help=_("Load only this data set (repeatable)."))
        parser.add_argument("--as-user", default="", help=_(
            "The user who owns the imported records. Default: the first active administrator."))
        parser.add_argument("--folder", default="", help=_("The data folder (default: SALESOPS_REAL_DATA_DIR)."))

    def handle(self, *args, **options):
        from pathlib import Path

        folder = Path(options["folder"] or settings.SALESOPS_REAL_DATA_DIR)
        User = get_user_model()
        if options["as_user"]:
            owner = User.objects.filter(username=options["as_user"]).first()
            if owner is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": options["as_user"]})
        else:
            owner = User.objects.filter(Q(role="admin") | Q(is_superuser=True), is_active=True).order_by("pk").first()
            if owner is None:
                raise CommandError(_("No active administrator to own the records: create one or pass --as-user."))
        datasets = [d for d in public_datasets() if not options["only"] or d.code in options["only"]]
        if not datasets:
            raise CommandError(_("No data set to load."))
        for dataset in datasets:
            path = folder.joinpath(*dataset.path)
            if not path.is_file():
                self.stderr.write(_("%(name)s: %(path)s is absent; skipped.") % {"name": dataset.name, "path": path})
                continue
            try:
                summary = dataset.load(folder, owner)
            except (PermissionDenied, ValidationError) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise CommandError(f"{dataset.name}: {' '.join(messages)}") from exc
            self.stdout.write(self.style.SUCCESS(f"{dataset.name}: {summary}"))
