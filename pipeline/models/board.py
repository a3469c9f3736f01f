"""The board's column totals kept as a tally (issue 14): deals and amount per stage, owner and currency.

At 1M deals the unfiltered board's totals were an index-only scan of every open deal (400,000 index
entries, 60–70 ms of a page that must stay under 150 ms). On PostgreSQL, statement-level triggers on
`pipeline_opportunity` (migration 0021_board_tally) append one row per (stage, owner, currency) a
statement changes, with the change in deals and amount: +1 for a new or arriving deal, -1 for one that
leaves or is deleted. Rows are only ever appended by the triggers, so concurrent writers never wait on
each other here (an updated counter row would make every move of a stage wait for a long import that
touched it). `pipeline.services.board_tally.board_tally_compact` folds the rows into one per key every
few minutes; a column's total is the SUM of its rows, a few thousand at most whatever the number of
deals. Every write path (services, admin, API, imports, raw SQL, TRUNCATE) is counted by construction,
and `board_tally_verify` compares the tally with a live count nightly.

Not an editable record: no admin, no API, no Django write path. On other databases (SQLite in
development) there are no triggers and the board counts live (pipeline.selectors).
"""
from django.conf import settings
from django.db import models


class BoardTally(models.Model):
    # plain references (no constraint): rows are written by triggers and may outlive a deleted stage
    # or user with a net of zero until the next compaction drops them
    stage = models.ForeignKey("pipeline.Stage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    currency = models.CharField(max_length=3)
    deals = models.BigIntegerField()
    amount = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["stage", "owner"], name="board_tally_stage_owner")]

    def __str__(self):
        return f"{self.stage_id}/{self.owner_id}/{self.currency}: {self.deals}"
