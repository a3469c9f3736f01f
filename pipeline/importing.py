"""Import real pipeline data (the Maven "CRM Sales Opportunities" layout): a write service.

`opportunities_import` returns the shared `salesops.imports.ImportResult`; it is all-or-nothing
(one transaction; any row error writes nothing and is listed in the result) and
idempotent by opportunity_id (kept in `Opportunity.external_ref`): deals already imported are not
created again; one whose stage changed in the file is moved with `opportunity_import_stage`
(an audited "imported" ledger entry). New deals, their lines and their "imported" ledger entries are
written with bulk_create in batches. Parsing and checking needs no database: pipeline.maven.
Pages run it as a background job (`OpportunityImportJob`, `opportunity_import_job_start`); who
may import deals is `teams.predicates.can_import(user, "opportunities")`.
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from customers.models import Account, Sector
from salesops.imports import ImportResult, RowError, csv_decode, stage, staged_read
from salesops.jobs import import_job_run, import_jobs_requeue_stale
from salesops.queue import enqueue_on_commit
from teams.models import Team, User
from teams.predicates import can_import

from . import maven
from .models import Opportunity, OpportunityImportJob, OpportunityLine, Product, Stage, StageTransition
from .selectors.metrics import day_start
from .services import forecast_model_recompute, opportunity_import_stage
from .services.ledger import ledger_entries_with_stays, opportunities_furthest_sync

BATCH = 1000
SOURCE_CURRENCY = "USD"  # the Maven data set is in US dollars
NO_ACCOUNT_REF = "maven:(none)"
NO_ACCOUNT_NAME = "(No account in the source data)"
SOURCE_NAME = "Maven CRM"


KIND = "opportunities"
FILES = (("pipeline", "sales_pipeline.csv"), ("accounts", "accounts.csv"), ("products", "products.csv"),
         ("teams", "sales_teams.csv"))


def error_message(error: RowError) -> str:
    p = error.params
    messages = {
        "unreadable": lambda: str(p["error"]),
        "missing_columns": lambda: _("Missing columns: %(columns)s.") % p,
        "agent_manager_required": lambda: _("Sales agent and manager are required."),
        "account_required": lambda: _("The account name is required."),
        "bad_product": lambda: _("Product name and a sales price of zero or more are required (got “%(value)s”).") % p,
        "bad_id": lambda: _("opportunity_id is required (at most 100 characters)."),
        "duplicate_id": lambda: _("opportunity_id “%(id)s” already appears on row %(first)s.") % p,
        "unknown_agent": lambda: _("Sales agent “%(value)s” is not in sales_teams.csv.") % p,
        "unknown_product": lambda: _("Product “%(value)s” is not in products.csv.") % p,
        "unknown_account": lambda: _("Account “%(value)s” is not in accounts.csv.") % p,
        "unknown_stage": lambda: _("Unknown deal stage “%(value)s” (expected Prospecting, Engaging, Won or Lost).") % p,
        "bad_date": lambda: _("%(column)s “%(value)s” is not a date (YYYY-MM-DD).") % p,
        "date_required": lambda: _("%(column)s is required for this deal stage.") % p,
        "open_with_close_date": lambda: _("An open deal cannot have a close date."),
        "closed_before_engaged": lambda: _("close_date is before engage_date."),
        "bad_value": lambda: _("close_value “%(value)s” is not an amount of zero or more.") % p,
        "value_required": lambda: _("A won deal needs its close_value."),
    }
    return messages.get(error.code, lambda: error.code)()


def read_dataset(path: Path, *, engaging_stage: str = "needs_confirmed") -> maven.Dataset:
    """Read sales_pipeline.csv at `path` and its siblings accounts.csv, products.csv, sales_teams.csv.
    A missing or unreadable file raises ValidationError."""
    folder = Path(path).parent
    data = {"pipeline": Path(path).read_bytes()}
    for key, name in FILES[1:]:
        sibling = folder / name
        if not sibling.is_file():
            raise ValidationError(_("%(file)s is missing next to the pipeline file.") % {"file": name})
        data[key] = sibling.read_bytes()
    return parse_files(data=data, engaging_stage=engaging_stage)


def parse_files(*, data: dict[str, bytes], engaging_stage: str = "needs_confirmed") -> maven.Dataset:
    """The four files' bytes -> a checked data set (size and encoding are file errors: ValidationError)."""
    texts = {key: csv_decode(data[key], field_name=key) for key, _name in FILES}
    return maven.parse(engaging_stage=engaging_stage, **texts)


def summary_message(result: ImportResult, aliases: list[str] | tuple = ()) -> str:
    c = result.counts
    text = _("Imported: %(created)s new opportunities, %(moved)s moved, %(unchanged)s unchanged; %(users)s users, "
             "%(teams)s teams, %(accounts)s accounts, %(products)s products created.") % {
        "created": result.created, "moved": result.moved, "unchanged": result.unchanged,
        **{key: c.get(key, 0) for key in ("users", "teams", "accounts", "products")}}
    text += " " + _("Rows read: %(rows)s; created %(created)s, updated %(updated)s, skipped (unchanged) "
                    "%(skipped)s.") % {"rows": result.total_rows, "created": result.created,
                                        "updated": result.moved + c.get("updated", 0), "skipped": result.unchanged}
    text += " " + _("Kept verbatim: %(sectors)s sectors (%(new_sectors)s new reference values), %(offices)s "
                    "regional offices; %(no_value)s open deals without a value keep an empty amount (list price "
                    "kept as an estimate); %(undated)s deals without a date are marked “date unknown”.") % {
        "sectors": c.get("sectors_seen", 0), "new_sectors": c.get("sectors", 0), "offices": c.get("offices", 0),
        "no_value": c.get("amount_unknown", 0), "undated": c.get("date_unknown", 0)}
    if aliases:
        text += " " + _("Product aliases: %(aliases)s.") % {"aliases": "; ".join(aliases)}
    return text


def alias_lines(dataset: maven.Dataset) -> list[str]:
    """“GTXPro → GTX Pro (1,480 rows)”: pipeline spellings matched to a products.csv name."""
    return [_("%(alias)s → %(name)s (%(rows)s rows)") % {"alias": alias, "name": name, "rows": rows}
            for alias, (name, rows) in sorted((dataset.aliases or {}).items())]


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.partition(" ")
    return first[:150], last[:150]


def _team_name(agent: maven.Agent) -> str:
    return (f"{agent.office} – {agent.manager}" if agent.office else agent.manager)[:100]


def _ensure_people(dataset: maven.Dataset, counts: dict) -> dict[str, User]:
    """Teams (one per manager and office, the office kept in Team.regional_office), managers and agents
    (unusable passwords); existing ones kept (a known team without an office gets the file's)."""
    offices = {_team_name(a): a.office[:100] for a in dataset.agents.values()}
    team_names = set(offices)
    teams = {t.name: t for t in Team.objects.filter(name__in=team_names)}
    new_teams = [Team(name=name, regional_office=offices[name]) for name in sorted(team_names - set(teams))]
    Team.objects.bulk_create(new_teams)
    for office in {o for o in offices.values() if o}:
        Team.objects.filter(name__in=[n for n, o in offices.items() if o == office], regional_office="").update(
            regional_office=office)
    counts["teams"] = len(new_teams)
    counts["offices"] = len({o for o in offices.values() if o})
    teams = {t.name: t for t in Team.objects.filter(name__in=team_names)}

    wanted: dict[str, tuple[str, str, Team]] = {}
    for agent in dataset.agents.values():
        team = teams[_team_name(agent)]
        wanted.setdefault(maven.username_for(agent.manager), (agent.manager, User.Role.MANAGER, team))
        wanted.setdefault(maven.username_for(agent.name), (agent.name, User.Role.REP, team))
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    new_users = []
    for username, (name, role, team) in sorted(wanted.items()):
        if username in existing:
            continue
        first, last = _split_name(name)
        user = User(username=username, first_name=first, last_name=last, role=role, team=team)
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=BATCH)
    counts["users"] = len(new_users)
    users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    for agent in dataset.agents.values():
        team, manager = teams[_team_name(agent)], users[maven.username_for(agent.manager)]
        if team.manager_id is None:
            Team.objects.filter(pk=team.pk, manager__isnull=True).update(manager=manager)
            team.manager_id = manager.pk
    return {name: users[maven.username_for(name)] for name in dataset.agents}


def _ensure_products(dataset: maven.Dataset, counts: dict) -> dict[str, Product]:
    names = {p.name for p in dataset.products.values()}
    existing = set(Product.objects.filter(name__in=names).values_list("name", flat=True))
    new = [Product(name=p.name, code=p.series[:50], list_price=p.price, currency=SOURCE_CURRENCY)
           for p in dataset.products.values() if p.name not in existing]
    Product.objects.bulk_create(new)
    counts["products"] = len(new)
    return {p.name: p for p in Product.objects.filter(name__in=names)}


def _ensure_sectors(dataset: maven.Dataset, counts: dict) -> dict[str, Sector]:
    """The file's sectors verbatim as reference rows (customers.Sector, keyed on a slug of the value):
    a value not seen before becomes a new row (counted in the summary), never merged into another."""
    names = {row.sector_name: row.sector for row in dataset.accounts.values() if row.sector_name}
    codes = {name: (slugify(name) or "sector")[:100] for name in names}
    existing = {s.code: s for s in Sector.objects.filter(code__in=set(codes.values()))}
    new = [Sector(code=code, name=name, industry=names[name], source=SOURCE_NAME)
           for name, code in sorted(codes.items()) if code not in existing]
    Sector.objects.bulk_create(new)
    counts["sectors"] = len(new)
    counts["sectors_seen"] = len(names)
    by_code = {s.code: s for s in Sector.objects.filter(code__in=set(codes.values()))}
    return {name: by_code[code] for name, code in codes.items()}


def _ensure_accounts(dataset: maven.Dataset, agents: dict[str, User], by, counts: dict,
                     sectors: dict[str, Sector]) -> dict[str, Account]:
    """Accounts by external_ref `maven:<name>`; owner: the agent with most deals there (else the importer)."""
    deals_per_agent = Counter((d.account, d.agent) for d in dataset.deals if d.account)
    main_agent = {}
    for (account, agent), _n in sorted(deals_per_agent.items(), key=lambda item: (-item[1], item[0][1])):
        main_agent.setdefault(account, agent)
    fallback = by if by is not None and by.is_authenticated else next(iter(agents.values()), None)
    refs = {f"maven:{name}": row for name, row in dataset.accounts.items()}
    needs_placeholder = any(not d.account for d in dataset.deals)
    if needs_placeholder:
        refs[NO_ACCOUNT_REF] = None
    existing = set(Account.objects.filter(external_ref__in=list(refs)).values_list("external_ref", flat=True))
    new = []
    for ref, row in refs.items():
        if ref in existing:
            continue
        if row is None:
            new.append(Account(name=NO_ACCOUNT_NAME, external_ref=ref, owner=fallback))
        else:
            owner = agents.get(main_agent.get(row.name)) or fallback
            new.append(Account(name=row.name[:200], industry=row.sector, employees=row.employees,
                               owner=owner, external_ref=ref, sector=sectors.get(row.sector_name)))
    Account.objects.bulk_create(new, batch_size=BATCH)
    counts["accounts"] = len(new)
    for name, sector in sectors.items():  # accounts imported before sectors were kept: one UPDATE per sector
        Account.objects.filter(external_ref__in=[f"maven:{a.name}" for a in dataset.accounts.values()
                                                 if a.sector_name == name], sector__isnull=True).update(sector=sector)
    return {a.external_ref: a for a in Account.objects.filter(external_ref__in=list(refs))}


def _at(day: date | None, now):
    return day_start(day) if day else now


def opportunities_import(*, dataset: maven.Dataset, by=None, progress=None, finish=None) -> ImportResult:
    """Load a parsed data set, all or nothing: with any row error the result lists them (every
    message worded) and nothing is written. `by` None is the system (the command without
    --as-user); otherwise PermissionDenied unless they may import deals. `finish(result)` runs in
    the writing transaction (a job marks itself done)."""
    if by is not None and not can_import(by, KIND):
        raise PermissionDenied(_("You may not import opportunities."))
    result = ImportResult(total_rows=dataset.pipeline_rows, to_create=len(dataset.deals))
    if progress is not None:  # the files were parsed and checked whole before this call
        progress.total(dataset.pipeline_rows)
        progress.checked(dataset.pipeline_rows)
    if dataset.errors:
        for error in dataset.errors:
            error.message = error_message(error)
        result.add_errors(dataset.errors)
        return result
    with transaction.atomic():
        _write(dataset=dataset, by=by, result=result)
        if finish is not None:
            finish(result)
    return result


def _write(*, dataset: maven.Dataset, by, result: ImportResult) -> None:
    now = timezone.now()
    by = by if by is not None and getattr(by, "is_authenticated", False) else None
    stages = {s.code: s for s in Stage.objects.all()}
    agents = _ensure_people(dataset, result.counts)
    products = _ensure_products(dataset, result.counts)
    sectors = _ensure_sectors(dataset, result.counts)
    accounts = _ensure_accounts(dataset, agents, by, result.counts, sectors)
    result.counts["amount_unknown"] = sum(d.close_value is None for d in dataset.deals)
    result.counts["date_unknown"] = sum(d.date_unknown for d in dataset.deals)

    known = {o.external_ref: o for o in
             Opportunity.objects.filter(external_ref__in=[d.ref for d in dataset.deals]).select_related("stage")}
    new_deals, opportunities, to_update = [], [], []
    for deal in dataset.deals:
        stage = stages[deal.stage_code]
        opp = known.get(deal.ref)
        if opp is not None:
            facts = {"amount_known": deal.close_value is not None, "amount_estimate": deal.estimate,
                     "date_unknown": deal.date_unknown}
            if deal.close_value is not None or not opp.amount_known or opp.amount == deal.estimate:
                facts["amount"] = deal.amount  # the file's value (an older import's list price is undone)
            else:  # the file has none, and someone set an amount here since: theirs is kept
                facts["amount_known"] = True
            if any(getattr(opp, k) != v for k, v in facts.items()):
                for k, v in facts.items():
                    setattr(opp, k, v)
                to_update.append(opp)
            if opp.stage_id == stage.pk:
                if to_update and to_update[-1] is opp:
                    result.counts["updated"] = result.counts.get("updated", 0) + 1
                else:
                    result.unchanged += 1
            else:
                opportunity_import_stage(opportunity=opp, to_stage=stage, by=by, amount=deal.amount,
                                         at=_at(deal.closed_on or deal.engaged_on, now))
                result.moved += 1
            continue
        owner = agents[deal.agent]
        account = accounts[f"maven:{deal.account}" if deal.account else NO_ACCOUNT_REF]
        created = _at(deal.engaged_on, now)
        entered = _at(deal.closed_on, now) if stage.is_closed else created
        new_deals.append(deal)
        opportunities.append(Opportunity(
            name=f"{deal.account or deal.product} – {deal.product} ({deal.ref})"[:200], account=account, owner=owner,
            team_id=owner.team_id, stage=stage, stage_entered_at=entered, stage_probability=stage.probability,
            amount=deal.amount, amount_known=deal.close_value is not None, amount_estimate=deal.estimate,
            date_unknown=deal.date_unknown, currency=SOURCE_CURRENCY, expected_close_date=deal.closed_on,
            closed_at=entered if stage.is_closed else None, created_at=created, external_ref=deal.ref))
    # known deals whose imported facts changed (e.g. imported before amounts and dates were kept as given)
    Opportunity.objects.bulk_update(to_update, ["amount", "amount_known", "amount_estimate", "date_unknown"],
                                    batch_size=BATCH)
    Opportunity.objects.bulk_create(opportunities, batch_size=BATCH)
    if opportunities and opportunities[0].pk is None:  # databases that return no ids from bulk inserts
        ids = dict(Opportunity.objects.filter(external_ref__in=[o.external_ref for o in opportunities])
                   .values_list("external_ref", "pk"))
        for opp in opportunities:
            opp.pk = ids[opp.external_ref]
    result.created = len(opportunities)

    ledger, lines = [], []
    reason = _("Imported")
    for deal, opp in zip(new_deals, opportunities):
        stage = stages[deal.stage_code]
        entry = dict(opportunity_id=opp.pk, opportunity_ref=opp.pk, by=by, reason=reason, amount=opp.amount, currency=opp.currency,
                     kind=StageTransition.Kind.IMPORTED)
        if stage.is_closed:
            engaged = stages[dataset.engaging_stage] if deal.engaged_on else stages["lead_identified"]
            ledger.append(StageTransition(from_stage=None, to_stage=engaged, at=opp.created_at,
                                          probability=engaged.probability, **entry))
            ledger.append(StageTransition(from_stage=engaged, to_stage=stage, at=opp.closed_at,
                                          probability=stage.probability, **entry))
        else:
            ledger.append(StageTransition(from_stage=None, to_stage=stage, at=opp.stage_entered_at,
                                          probability=stage.probability, **entry))
        product = products[deal.product]
        lines.append(OpportunityLine(opportunity_id=opp.pk, product=product, quantity=1, unit_price=opp.amount,
                                     margin_percent=product.margin_percent))
    StageTransition.objects.bulk_create(ledger_entries_with_stays(ledger), batch_size=BATCH)
    opportunities_furthest_sync(opportunity_ids=[opp.pk for opp in opportunities])
    OpportunityLine.objects.bulk_create(lines, batch_size=BATCH)
    result.counts["ledger_entries"] = len(ledger) + result.moved
    result.to_create = result.created
    forecast_model_recompute()


# --- background jobs ------------------------------------------------------------------------------
@transaction.atomic
def opportunity_import_job_start(*, by, data: dict[str, bytes], engaging_stage: str = "needs_confirmed"
                                 ) -> OpportunityImportJob:
    """Check the four files' size and text, stage them (0600) and queue the import job."""
    if not can_import(by, KIND):
        raise PermissionDenied(_("You may not import opportunities."))
    for key, _name in FILES:
        csv_decode(data[key], field_name=key)
    job = OpportunityImportJob.objects.create(
        created_by=by, file_name="sales_pipeline.csv", staged={key: stage(data=data[key]) for key, _name in FILES},
        options={"engaging_stage": engaging_stage if engaging_stage in maven.ENGAGING_CHOICES else "needs_confirmed"})
    from .tasks import opportunity_import_job_run_task

    enqueue_on_commit(opportunity_import_job_run_task, job.pk)
    return job


def opportunity_import_job_run(*, job_id: int) -> None:
    """Run a queued job (the Celery task); see salesops.jobs.import_job_run."""
    def work(job, progress, finish):
        if job.created_by is None:
            raise ValidationError(_("The person who started this import no longer has an account."))
        dataset = parse_files(data={key: staged_read(name=job.staged.get(key, "")) for key, _name in FILES},
                              engaging_stage=job.options.get("engaging_stage", "needs_confirmed"))
        return opportunities_import(dataset=dataset, by=job.created_by, progress=progress, finish=finish)

    import_job_run(OpportunityImportJob, job_id, work)


def opportunity_import_jobs_requeue_stale() -> list[int]:
    from .tasks import opportunity_import_job_run_task
    return import_jobs_requeue_stale(OpportunityImportJob, opportunity_import_job_run_task)
