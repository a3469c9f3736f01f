"""Saved filters: create and delete a person's own named filters of a list (one door for page, API, admin)."""
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from salesops.list_filters import saved_list

from ..models import SavedFilter, User

MAX_PER_LIST = 30
DROPPED_PARAMS = {"page", "csrfmiddlewaretoken"}


def clean_query(query: str) -> str:
    """The list's query string without the page number (and re-encoded, so it stays one query)."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in DROPPED_PARAMS]
    return urlencode(pairs)


@transaction.atomic
def saved_filter_create(*, user, list_key: str, name: str, query: str) -> SavedFilter:
    if not user or not user.is_authenticated:
        raise ValidationError(_("Sign in to save a filter."))
    if saved_list(list_key) is None:
        raise ValidationError({"list_key": _("There is no list called “%(key)s”.") % {"key": list_key[:30]}})
    name, query = (name or "").strip(), query or ""
    for field, value in (("name", name), ("query", query)):
        if "\x00" in value:  # PostgreSQL text holds no NUL
            raise ValidationError({field: _("Null characters are not allowed.")})
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("A filter's name has at most 100 characters.")})
    query = clean_query(query)
    if len(query) > 1000:
        raise ValidationError({"query": _("This filter is too long to save.")})
    # lock the user's row: two saves at once cannot pass the count check together
    User.objects.select_for_update().filter(pk=user.pk).first()
    if SavedFilter.objects.filter(user=user, list_key=list_key).count() >= MAX_PER_LIST:
        raise ValidationError(_("You have %(count)d saved filters on this list; delete one first.")
                              % {"count": MAX_PER_LIST})
    if SavedFilter.objects.filter(user=user, list_key=list_key, name=name).exists():
        raise ValidationError({"name": _("You already have a filter called “%(name)s” on this list.") % {"name": name}})
    saved = SavedFilter(user=user, list_key=list_key, name=name, query=query)
    saved.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        raise ValidationError({"name": _("You already have a filter called “%(name)s” on this list.")
                                       % {"name": name}}) from None
    return saved


@transaction.atomic
def saved_filter_delete(*, user, saved_filter: SavedFilter) -> None:
    """Delete one of the user's own saved filters (anybody else's is not found)."""
    locked = SavedFilter.objects.select_for_update().filter(pk=saved_filter.pk, user=user).first()
    if locked is None:
        raise ValidationError(_("This saved filter does not exist."))
    locked.delete()
