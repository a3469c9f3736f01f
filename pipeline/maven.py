"""Parse and check the Maven Analytics "CRM Sales Opportunities" CSV layout (no database).

Files: sales_pipeline.csv (the deals) and its siblings accounts.csv, products.csv, sales_teams.csv.
Quirks handled (see ../shared/data/real/SOURCES.md): CRLF line endings and a UTF-8 BOM; pipeline
product `GTXPro` vs products.csv `GTX Pro` (names are matched ignoring case and spaces); sector
`technolgy`; open deals without an account; close_value blank for open deals and 0 for lost ones.

Mapping to our pipeline (README "Importing real pipeline data"):
- deal_stage Prospecting -> lead_identified; Engaging -> needs_confirmed (the customer is engaged,
  needs are being confirmed; the importer accepts `engaging_stage="solution_demo"` instead);
  Won -> closed_won; Lost -> closed_lost.
- amount: close_value as given (a lost deal's 0 stays 0); an open deal's blank close_value stays an
  empty amount (`amount_known` False). The product's list price is kept apart as `amount_estimate`
  (labelled an estimate wherever it is shown), never as the amount (issue 13).
- created_at = engage_date; Prospecting deals have none: they are marked `date_unknown`.
- sector: kept verbatim (customers.Sector) beside the mapped industry code; the team's regional office
  is kept; a pipeline product spelled differently from products.csv (`GTXPro`) is an alias, reported.
Files are read with the shared CSV framework (salesops.imports: dialect, header). Errors are
collected for every row as `salesops.imports.RowError` (file, row number counting the header as
row 1, code, params); pipeline.importing words them and writes nothing when there is any.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from salesops.imports import RowError, csv_read

PIPELINE_COLUMNS = ("opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
                    "close_date", "close_value")
ACCOUNT_COLUMNS = ("account", "sector")
PRODUCT_COLUMNS = ("product", "series", "sales_price")
TEAM_COLUMNS = ("sales_agent", "manager", "regional_office")

STAGE_MAP = {"prospecting": "lead_identified", "engaging": "needs_confirmed", "won": "closed_won",
             "lost": "closed_lost"}
ENGAGING_CHOICES = ("needs_confirmed", "solution_demo")

SECTOR_MAP = {
    "technolgy": "technology", "technology": "technology", "software": "technology", "finance": "finance",
    "retail": "retail", "medical": "healthcare", "telecommunications": "telecom",
    "employment": "other", "entertainment": "other", "marketing": "other", "services": "other",
}

MAX_ID = 100
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class Agent:
    name: str
    manager: str
    office: str


@dataclass(frozen=True)
class AccountRow:
    name: str
    sector: str  # our industry code
    employees: int | None
    sector_name: str = ""  # verbatim, as in accounts.csv


@dataclass(frozen=True)
class ProductRow:
    name: str
    series: str
    price: Decimal


@dataclass(frozen=True)
class Deal:
    row: int
    ref: str
    agent: str
    product: str  # the products.csv name
    account: str  # "" when the file has none
    stage_code: str
    engaged_on: date | None
    closed_on: date | None
    amount: Decimal
    close_value: Decimal | None
    estimate: Decimal | None = None  # the product's list price: an estimate, never the amount
    date_unknown: bool = False  # the file gives no engage_date

@dataclass
class Dataset:
    agents: dict[str, Agent]
    accounts: dict[str, AccountRow]
    products: dict[str, ProductRow]
    deals: list[Deal]
    errors: list[RowError]
    engaging_stage: str = "needs_confirmed"
    pipeline_rows: int = 0
    aliases: dict[str, tuple[str, int]] | None = None  # file spelling -> (products.csv name, rows)


def product_key(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


def username_for(name: str) -> str:
    """"Mei-Mei Johns" -> "mei-mei.johns" (letters, digits, dots and dashes)."""
    parts = [re.sub(r"[^a-z0-9-]", "", p.lower()) for p in name.split()]
    return ".".join(p for p in parts if p)[:150] or "user"


def _rows(text: str, name: str, required: tuple[str, ...], errors: list[RowError]):
    try:
        table = csv_read(text.lstrip("\ufeff"))
    except ValidationError as exc:
        errors.append(RowError(1, file=name, code="unreadable", params={"error": " ".join(exc.messages)}))
        return
    missing = [c for c in required if c not in table.header]
    if missing:
        errors.append(RowError(1, file=name, code="missing_columns", params={"columns": ", ".join(missing)}))
        return
    yield from table.records()


def _date(value: str) -> date | None:
    """A date within salesops.dates' bounds (1900-2100; this module stays free of Django), else None."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if 1900 <= parsed.year <= 2100 else None


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse(*, pipeline: str, accounts: str, products: str, teams: str,
          engaging_stage: str = "needs_confirmed") -> Dataset:
    """Parse the four files' texts; every problem becomes a RowError (nothing is raised)."""
    errors: list[RowError] = []
    stage_map = {**STAGE_MAP, "engaging": engaging_stage if engaging_stage in ENGAGING_CHOICES else "needs_confirmed"}

    agents: dict[str, Agent] = {}
    for number, row in _rows(teams, "sales_teams.csv", TEAM_COLUMNS, errors):
        if not row["sales_agent"] or not row["manager"]:
            errors.append(RowError(number, file="sales_teams.csv", code="agent_manager_required"))
            continue
        agents[row["sales_agent"]] = Agent(row["sales_agent"], row["manager"], row["regional_office"])

    account_rows: dict[str, AccountRow] = {}
    for number, row in _rows(accounts, "accounts.csv", ACCOUNT_COLUMNS, errors):
        if not row["account"]:
            errors.append(RowError(number, file="accounts.csv", code="account_required"))
            continue
        employees = row.get("employees", "")
        size = int(employees) if employees.isdigit() and 0 < int(employees) <= 10_000_000 else None
        sector = row["sector"].strip()
        account_rows[row["account"]] = AccountRow(row["account"], SECTOR_MAP.get(sector.lower(), "other"), size,
                                                  sector[:100])

    product_rows: dict[str, ProductRow] = {}
    for number, row in _rows(products, "products.csv", PRODUCT_COLUMNS, errors):
        price = _decimal(row["sales_price"])
        if not row["product"] or price is None or price < 0 or price > MAX_AMOUNT:
            errors.append(RowError(number, file="products.csv", code="bad_product",
                                   params={"value": row["sales_price"]}))
            continue
        product_rows[product_key(row["product"])] = ProductRow(row["product"], row["series"], price)

    deals: list[Deal] = []
    aliases: dict[str, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    pipeline_rows = 0
    for number, row in _rows(pipeline, "sales_pipeline.csv", PIPELINE_COLUMNS, errors):
        pipeline_rows += 1
        problems = []
        ref = row["opportunity_id"]
        if not ref or len(ref) > MAX_ID:
            problems.append(("bad_id", {}))
        elif ref in seen:
            problems.append(("duplicate_id", {"id": ref, "first": seen[ref]}))
        else:
            seen[ref] = number
        if row["sales_agent"] not in agents:
            problems.append(("unknown_agent", {"value": row["sales_agent"]}))
        product = product_rows.get(product_key(row["product"]))
        if product is None:
            problems.append(("unknown_product", {"value": row["product"]}))
        if row["account"] and row["account"] not in account_rows:
            problems.append(("unknown_account", {"value": row["account"]}))
        stage_code = stage_map.get(row["deal_stage"].lower())
        if stage_code is None:
            problems.append(("unknown_stage", {"value": row["deal_stage"]}))
        closed = stage_code in ("closed_won", "closed_lost")
        engaged_on = _date(row["engage_date"]) if row["engage_date"] else None
        closed_on = _date(row["close_date"]) if row["close_date"] else None
        if row["engage_date"] and engaged_on is None:
            problems.append(("bad_date", {"column": "engage_date", "value": row["engage_date"]}))
        elif stage_code and stage_code != "lead_identified" and engaged_on is None and not row["engage_date"]:
            problems.append(("date_required", {"column": "engage_date"}))
        if row["close_date"] and closed_on is None:
            problems.append(("bad_date", {"column": "close_date", "value": row["close_date"]}))
        elif closed and not row["close_date"]:
            problems.append(("date_required", {"column": "close_date"}))
        elif stage_code and not closed and row["close_date"]:
            problems.append(("open_with_close_date", {}))
        if engaged_on and closed_on and closed_on < engaged_on:
            problems.append(("closed_before_engaged", {}))
        close_value = _decimal(row["close_value"]) if row["close_value"] else None
        if row["close_value"] and (close_value is None or close_value < 0 or close_value > MAX_AMOUNT):
            problems.append(("bad_value", {"value": row["close_value"]}))
        elif stage_code == "closed_won" and close_value is None:
            problems.append(("value_required", {}))
        if problems:
            errors.extend(RowError(number, file="sales_pipeline.csv", code=code, params=params)
                          for code, params in problems)
            continue
        if row["product"] != product.name:
            aliases[row["product"]] = (product.name, aliases.get(row["product"], ("", 0))[1] + 1)
        deals.append(Deal(number, ref, row["sales_agent"], product.name, row["account"], stage_code, engaged_on,
                          closed_on, close_value if close_value is not None else Decimal("0"), close_value,
                          estimate=None if stage_code == "closed_won" else product.price,
                          date_unknown=engaged_on is None and closed_on is None))
    return Dataset(agents=agents, accounts=account_rows, products=product_rows, deals=deals, errors=errors,
                   engaging_stage=stage_map["engaging"], pipeline_rows=pipeline_rows, aliases=aliases)
