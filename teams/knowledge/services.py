"""Writes of the knowledge base: the one door for pages, API, admin and demo. Each checks the
predicate, locks the row it changes, validates, writes and audits."""
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from teams.models import Article, ArticleView, Tag
from teams.models.knowledge import TAG_MAX, TAGS_PER_ARTICLE
from teams.predicates import can_edit_knowledge, can_read_article
from teams.services import audit_log, check_known_fields

ARTICLE_FIELDS = ("kind", "title", "body", "language", "is_published")


def _check_editor(by) -> None:
    if not can_edit_knowledge(by):
        raise PermissionDenied(gettext("Only managers, marketing and administrators edit the knowledge base."))


def clean_tag_names(names) -> list[str]:
    """Tag names as typed: trimmed, without duplicates (case-insensitive), each 1–50 characters
    without commas, at most 20. A bad list is a clear error."""
    if names is None:
        return []
    if isinstance(names, str):
        names = names.split(",")
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError({"tags": gettext("Tags are words.")})
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > TAG_MAX or "," in name:
            raise ValidationError({"tags": gettext("A tag has at most %(max)d characters and no comma.")
                                   % {"max": TAG_MAX}})
        if name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    if len(cleaned) > TAGS_PER_ARTICLE:
        raise ValidationError({"tags": gettext("At most %(max)d tags per article.") % {"max": TAGS_PER_ARTICLE}})
    return cleaned


def _set_tags(article: Article, names: list[str]) -> None:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    article.tags.set(tags)


@transaction.atomic
def article_create(*, by, tags=None, **fields) -> Article:
    _check_editor(by)
    check_known_fields(fields, ARTICLE_FIELDS)
    names = clean_tag_names(tags)
    article = Article(author=by, **fields)
    article.full_clean()
    article.save()
    _set_tags(article, names)
    audit_log(by=by, objects=[article], flag=ADDITION)
    return article


@transaction.atomic
def article_update(*, article: Article, by, tags=None, **fields) -> Article:
    """Change `fields` (and the tags, when given) of `article`."""
    _check_editor(by)
    check_known_fields(fields, ARTICLE_FIELDS)
    names = clean_tag_names(tags) if tags is not None else None
    locked = Article.objects.select_for_update().get(pk=article.pk)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if names is not None:
        before = set(locked.tags.values_list("name", flat=True))
        _set_tags(locked, names)
        if before != set(names):
            changed.append("tags")
    if changed:
        audit_log(by=by, objects=[locked], flag=CHANGE, fields=changed)
    return locked


@transaction.atomic
def article_delete(*, article: Article, by) -> None:
    _check_editor(by)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    pk = locked.pk
    locked.delete()
    locked.pk = pk
    audit_log(by=by, objects=[locked], flag=DELETION, message="Deleted.")


def article_view_record(*, article: Article, user) -> ArticleView:
    """Count one opening of `article` by `user` (who must be allowed to read it). Appends a row;
    nothing to lock."""
    if not can_read_article(user, article):
        raise PermissionDenied(gettext("You may not read this article."))
    return ArticleView.objects.create(article=article, user=user)
