"""Import customers from a CSV file through a saved mapping (customers.CustomerImportMapping), e.g.
IBM's "Telco Customer Churn": one account and one contract per row. A write service.

- account: external_ref = the customer id; name = the customer id too (the Telco file has no names);
  every other column, as given, in `source_attributes` ("unknown" where blank); sales owner: the importer.
- contract: contract type from the mapping; MRR = monthly charges in the mapping's currency; the file has
  no dates, so a *reference date* stands for "now" in the file: the contract starts `tenure` months
  before it; a churned customer's contract ends on it (status ended, outcome churned, outcome_at the
  reference date); other contracts stay active with no end date (the file gives none).
  The reference date is settings.CUSTOMERS_TELCO_REFERENCE_DATE, else the first day of the previous
  month at import; a job keeps it in its options so a re-run uses the same day.
All or nothing (one transaction; any row error writes nothing), idempotent by external_ref: customers
already imported are left unchanged. Pages run it as a background job (`CustomerImportJob`); who may
import is `teams.predicates.can_import(user, "customers")`.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.imports import ImportResult, RowError, csv_decode, csv_read, stage, staged_read
from salesops.jobs import import_job_run, import_jobs_requeue_stale
from salesops.queue import enqueue_on_commit
from teams.predicates import can_import

from .. import customer_file
from ..models import Account, Contract, CustomerImportJob, CustomerImportMapping
from ..retention import add_months

KIND = "customers"
BATCH = 1000
TELCO_MAPPING = "IBM Telco"


def reference_date(today: date | None = None) -> date:
    configured = getattr(settings, "CUSTOMERS_TELCO_REFERENCE_DATE", "")
    if configured:
        try:
            return date.fromisoformat(str(configured))
        except ValueError:
            raise ValidationError(_("CUSTOMERS_TELCO_REFERENCE_DATE is not a date (YYYY-MM-DD).")) from None
    today = today or timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def error_message(error: RowError) -> str:
    p = error.params
    messages = {
        "missing_columns": lambda: _("Missing columns: %(columns)s.") % p,
        "bad_id": lambda: _("The customer id is required (at most %(max)s characters).") % p,
        "duplicate_id": lambda: _("Customer id “%(id)s” already appears on row %(first)s.") % p,
        "unknown_term": lambda: _("Unknown contract type “%(value)s”.") % p,
        "bad_mrr": lambda: _("Monthly charges “%(value)s” is not an amount of zero or more.") % p,
        "bad_tenure": lambda: _("Tenure “%(value)s” is not a whole number of months.") % p,
        "bad_churned": lambda: _("Churn “%(value)s” is neither yes nor no.") % p,
    }
    return messages.get(error.code, lambda: error.code)()


def mapping_get(*, name: str = TELCO_MAPPING) -> CustomerImportMapping:
    mapping = CustomerImportMapping.objects.filter(name=name).first()
    if mapping is None:
        raise ValidationError({"mapping": [_("No saved customer mapping “%(name)s”.") % {"name": name}]})
    if customer_file.mapping_problems(mapping.columns, mapping.values):
        raise ValidationError({"mapping": [_("The mapping “%(name)s” must name a column for each of: %(fields)s.")
                                           % {"name": name, "fields": ", ".join(customer_file.FIELDS)}]})
    return mapping


def parse(*, data: bytes, mapping: CustomerImportMapping) -> customer_file.CustomerFile:
    table = csv_read(csv_decode(data))
    return customer_file.parse(header=table.header, records=table.records(), columns=mapping.columns,
                               values=mapping.values or {})


def summary_message(result: ImportResult) -> str:
    return _("Imported: %(created)s new customers (accounts with one contract each, %(churned)s churned); "
             "%(unchanged)s already imported.") % {
        "created": result.created, "churned": result.counts.get("churned", 0), "unchanged": result.unchanged}


def _check_may(by) -> None:
    if by is not None and not can_import(by, KIND):
        raise PermissionDenied(_("You may not import customers."))


def customers_import(*, data: bytes, mapping: CustomerImportMapping, by, owner=None, reference: date | None = None,
                     progress=None, finish=None) -> ImportResult:
    """Load a customer file, all or nothing. `by` None is the system (the command), then `owner` owns the
    accounts; otherwise PermissionDenied unless `by` may import customers, and `by` owns them."""
    _check_may(by)
    owner = by if by is not None else owner
    if owner is None:
        raise ValidationError(_("Name the user who will own the imported accounts."))
    reference = reference or reference_date()
    parsed = parse(data=data, mapping=mapping)
    result = ImportResult(total_rows=parsed.rows, to_create=len(parsed.customers))
    if progress is not None:
        progress.total(parsed.rows)
        progress.checked(parsed.rows)
    if parsed.errors:
        for error in parsed.errors:
            error.message = error_message(error)
        result.add_errors(parsed.errors)
        return result
    with transaction.atomic():
        _write(parsed=parsed, mapping=mapping, owner=owner, reference=reference, result=result)
        if finish is not None:
            finish(result)
    return result


def _write(*, parsed, mapping, owner, reference: date, result: ImportResult) -> None:
    refs = [c.ref for c in parsed.customers]
    known = set()
    for start in range(0, len(refs), BATCH):
        known |= set(Account.objects.filter(external_ref__in=refs[start:start + BATCH])
                     .values_list("external_ref", flat=True))
    new = [c for c in parsed.customers if c.ref not in known]
    result.unchanged = len(parsed.customers) - len(new)
    accounts = [Account(name=c.ref[:200], external_ref=c.ref, owner=owner, source_attributes=c.attributes)
                for c in new]
    Account.objects.bulk_create(accounts, batch_size=BATCH)
    if accounts and accounts[0].pk is None:  # databases that return no ids from bulk inserts
        ids = {}
        for start in range(0, len(new), BATCH):
            ids.update(Account.objects.filter(external_ref__in=[c.ref for c in new[start:start + BATCH]])
                       .values_list("external_ref", "pk"))
        for account in accounts:
            account.pk = ids[account.external_ref]
    contracts = []
    for customer, account in zip(new, accounts):
        churned = customer.churned
        contracts.append(Contract(
            account_id=account.pk, product=mapping.product, term=customer.term,
            start=add_months(reference, -customer.tenure), end=reference if churned else None, mrr=customer.mrr,
            currency=mapping.currency, status=Contract.Status.ENDED if churned else Contract.Status.ACTIVE,
            outcome=Contract.Outcome.CHURNED if churned else "", outcome_at=reference if churned else None,
            external_ref=customer.ref))
    Contract.objects.bulk_create(contracts, batch_size=BATCH)
    result.created = len(accounts)
    result.counts["accounts"] = len(accounts)
    result.counts["contracts"] = len(contracts)
    result.counts["churned"] = sum(1 for c in new if c.churned)
    result.to_create = result.created


def telco_public_dataset_load(*, folder: Path, owner) -> ImportResult:
    """`load_public_datasets`: the Telco file of the real-data folder, with the saved "IBM Telco" mapping."""
    path = Path(folder) / "ibm-telco-customer-churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    return customers_import(data=path.read_bytes(), mapping=mapping_get(), by=None, owner=owner)


# --- background jobs ------------------------------------------------------------------------------
@transaction.atomic
def customer_import_job_start(*, by, data: bytes, file_name: str, mapping: CustomerImportMapping
                              ) -> CustomerImportJob:
    """Check the file's size and text, stage it (0600) and queue the import job."""
    if not can_import(by, KIND):
        raise PermissionDenied(_("You may not import customers."))
    csv_decode(data)
    if customer_file.mapping_problems(mapping.columns, mapping.values):
        mapping_get(name=mapping.name)  # raises the worded error
    job = CustomerImportJob.objects.create(
        created_by=by, file_name=file_name[:255], staged={"customers": stage(data=data)},
        options={"mapping": mapping.name, "reference_date": reference_date().isoformat()})
    from ..tasks import customer_import_job_run_task

    enqueue_on_commit(customer_import_job_run_task, job.pk)
    return job


def customer_import_job_run(*, job_id: int) -> None:
    """Run a queued job (the Celery task); see salesops.jobs.import_job_run."""
    def work(job, progress, finish):
        if job.created_by is None:
            raise ValidationError(_("The person who started this import no longer has an account."))
        mapping = mapping_get(name=job.options.get("mapping", TELCO_MAPPING))
        return customers_import(data=staged_read(name=job.staged.get("customers", "")), mapping=mapping,
                                by=job.created_by, reference=date.fromisoformat(job.options["reference_date"]),
                                progress=progress, finish=finish)

    import_job_run(CustomerImportJob, job_id, work)


def customer_import_jobs_requeue_stale() -> list[int]:
    from ..tasks import customer_import_job_run_task
    return import_jobs_requeue_stale(CustomerImportJob, customer_import_job_run_task)
