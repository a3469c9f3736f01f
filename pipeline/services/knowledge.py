"""Record an article opened from a deal page (pipeline's side of the knowledge base)."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from teams.models import Article
from teams.predicates import can_read_article

from ..models import ArticleDealView, Opportunity


def article_deal_view_record(*, opportunity: Opportunity, article: Article, user) -> ArticleDealView:
    """Append one opening of `article` on `opportunity` (the caller read the deal through its scope).
    An append-only row: nothing to lock."""
    if not can_read_article(user, article):
        raise PermissionDenied(gettext("You may not read this article."))
    return ArticleDealView.objects.create(article=article, opportunity=opportunity, user=user)
