"""Health recompute requests from the writes that change an account's health inputs (usage, tickets,
survey answers, contracts, activities). Replaced by the health work: see customers.health."""
from collections.abc import Iterable


def health_recompute_later(account_ids: Iterable[int]) -> None:
    """Ask for the health of `account_ids` to be recomputed after the current transaction commits."""
    return None
