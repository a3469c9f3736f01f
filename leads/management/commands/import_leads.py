"""manage.py import_leads FILE --mapping NAME [--owner USERNAME] [--as-user USERNAME] [--dry-run]

Runs in the command's own process (it is not a web request). Without --as-user it imports as the
system; with it, that user must be allowed to import leads (teams.predicates.can_import)."""
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from leads.models import ImportMapping
from leads.services.imports import leads_import
from teams.models import User


class Command(BaseCommand):
    help = "Import leads from a CSV file with a saved import mapping (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="Name of a saved import mapping.")
        parser.add_argument("--owner", help="Username owning the new leads (default: no owner).")
        parser.add_argument("--as-user", default="", help="Import as this user (checked like the import page).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; save nothing.")

    def handle(self, *args, file, mapping, owner, dry_run, as_user="", **options):
        mapping_obj = ImportMapping.objects.filter(name=mapping).first()
        if mapping_obj is None:
            raise CommandError(f"No import mapping named {mapping!r}.")
        owner_obj = User.objects.filter(username=owner, is_active=True).first() if owner else None
        if owner and owner_obj is None:
            raise CommandError(f"No active user {owner!r}.")
        by = None
        if as_user:
            by = User.objects.filter(username=as_user).first()
            if by is None:
                raise CommandError(f"No user {as_user!r}.")
        try:
            result = leads_import(by=by, data=file.read_bytes(), mapping=mapping_obj, dry_run=dry_run,
                                  default_owner=owner_obj if owner else by, source=mapping_obj.name)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        for error in result.errors:
            self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
        if not result.ok:
            raise CommandError(f"{result.error_count} errors in {result.total_rows} rows; nothing was imported.")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(f"{result.total_rows} rows: {verb} {result.to_create} leads, "
                          f"skipped {len(result.duplicates)} duplicates.")
