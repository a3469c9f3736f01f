"""Links to many records of one kind at the cost of one reverse()."""
from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

_SENTINEL = 987654321987654321


def id_link(viewname: str) -> Callable[[int], str]:
    """`reverse(viewname, args=[pk])` as a function of pk, reversed once: for pages that link every
    row of a long list (the pipeline board's 150 cards link four URLs each: 600 reverses, a fifth
    of its rendering). The view must take one integer argument; the URL is the one reverse() gives,
    with the pk in the argument's place."""
    try:
        sample = reverse(viewname, args=[_SENTINEL])
    except NoReverseMatch:
        raise ValueError(f"{viewname} does not take one integer argument") from None
    prefix, found, suffix = sample.partition(str(_SENTINEL))
    if not found or str(_SENTINEL) in suffix:
        raise ValueError(f"{viewname} does not take one integer argument")
    return lambda pk: f"{prefix}{int(pk)}{suffix}"
