"""Numbered pages of big lists whose cost does not grow with the table (issue 14).

Django's paginator counts every match (`SELECT COUNT(*)`) to print "Page 4 of N", and reads page N by
OFFSET through the whole page query. At 1,000,000 rows both grow with the table:
- the count of a whole table (the list without a filter, as an administrator sees it first) reads every
  row to tell a figure nobody needs exactly. `LargeListPaginator` takes PostgreSQL's own estimate
  (`pg_class.reltuples`, kept by ANALYZE / autovacuum) when the list has no filter and the estimate is
  at least `SALESOPS_LIST_ESTIMATE_FROM` rows (default 100,000), and the page says "about N". A
  filtered list (a scope, a search) is still counted exactly: its count reads an index range, not the
  table, and a planner's guess for a filter can be far off.
- a deep page (`bottom` ≥ `SALESOPS_LIST_DEFERRED_FROM`, default 1,000 rows) is read as a deferred
  join: the OFFSET runs over the ids alone (`WHERE id IN (SELECT id … ORDER BY … LIMIT 50 OFFSET k)`,
  an index-only walk along the order's index) and only the 50 rows of the page are joined to their
  owner, account and stage. Still one query. A page past the middle of an exactly counted list is
  read from the other end (reversed order, OFFSET count - page end): its last page skips nothing.

With an estimate the last page number is a guess: a page past the real end is an empty page, not a
404, and the template offers no "last" link (sorting the other way is the way to the oldest rows).
Whether a NEXT page exists is not guessed: an estimated page reads one row more than it shows, so
its "next" link (and the API's `next`, which clients follow to the end) is there exactly when a row
follows — an estimate below the real count never hides the last rows, one above it never offers a
page of nothing.

The API's page-number lists use this paginator too (salesops.api.Pagination).
"""
from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def estimate_from() -> int:
    return int(getattr(settings, "SALESOPS_LIST_ESTIMATE_FROM", 100_000))


def deferred_from() -> int:
    return int(getattr(settings, "SALESOPS_LIST_DEFERRED_FROM", 1_000))


def table_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of `queryset`'s table (None on other databases, or when the
    table was never analysed)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def unfiltered(queryset) -> bool:
    """True when `queryset` is a whole table: no WHERE, no DISTINCT, no slice, no GROUP BY."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return not query.where and not query.distinct and not query.is_sliced and query.group_by is None


class LargeListPage(Page):
    """A page that knows whether a row follows it (`more`, read with the page) when the count is a
    guess; with an exact count (`more` None) Django's arithmetic answers."""

    more: bool | None = None

    def has_next(self) -> bool:
        return super().has_next() if self.more is None else self.more

    def next_page_number(self) -> int:
        if self.more:  # a row follows: the next page exists, whatever the estimate says
            return self.number + 1
        return super().next_page_number()


class LargeListPaginator(Paginator):
    """Paginator with an estimated count for a whole big table and deferred-join deep pages (see the
    module's docstring). `estimated` says whether `count` is PostgreSQL's estimate."""

    estimated = False

    @cached_property
    def count(self) -> int:
        if unfiltered(self.object_list):
            guess = table_estimate(self.object_list)
            if guess is not None and guess >= estimate_from():
                self.estimated = True
                return guess
        return super().count

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # past a guessed end: an empty page, not a 404 -- the estimate may be short of the real
            # count, and a page whose predecessor read a row after it (`more`) is a real page however
            # far past the guess. Page 0, negative pages and absurd numbers (an OFFSET beyond
            # PostgreSQL's bigint) stay a 404.
            if self.count and self.estimated and 1 <= int(number) and int(number) * self.per_page < 2**62:
                return int(number)
            raise

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count and not self.estimated:
            top = self.count
        rows = self.object_list
        # a guessed count cannot tell whether a row follows this page: read one more and see
        extra = 1 if self.estimated else 0
        if isinstance(rows, QuerySet) and bottom >= deferred_from():
            # the OFFSET walks the ids only; the page's rows are then read by id, in the same order.
            # Past the middle of an exact count the ids are read from the other end (the last page
            # skips nothing): the outer query keeps the list's order either way.
            if not self.estimated and rows.ordered and bottom > self.count // 2:
                ids = rows.reverse().values("pk")[max(self.count - top, 0):self.count - bottom]
            else:
                ids = rows.values("pk")[bottom:top + extra]
            rows = rows.filter(pk__in=ids)
        else:
            rows = rows[bottom:top + extra]
        if not extra:
            return self._get_page(rows, number, self)
        rows = list(rows)
        page = self._get_page(rows[:self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return LargeListPage(*args, **kwargs)
