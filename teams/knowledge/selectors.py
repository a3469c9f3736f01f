"""Reads of the knowledge base, scoped to the reader (teams.predicates.can_edit_knowledge)."""
from django.db.models import Count, QuerySet

from salesops import article_figures
from teams.models import Article, ArticleView, Tag
from teams.predicates import can_edit_knowledge

from .search import rank_articles


def article_queryset_for(*, user) -> QuerySet[Article]:
    """Published articles for everyone signed in; drafts too for those who edit the knowledge base."""
    qs = Article.objects.select_related("author").prefetch_related("tags")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    return qs if can_edit_knowledge(user) else qs.filter(is_published=True)


def article_search(*, user, q: str = "") -> QuerySet[Article]:
    """The articles `user` may read that match `q`, ranked (title hits above tag and body hits);
    the one search behind the page, the API and the header."""
    return rank_articles(article_queryset_for(user=user), q)


def tag_choices() -> QuerySet[Tag]:
    return Tag.objects.filter(articles__isnull=False).distinct().order_by("name")


def article_view_count(*, article: Article) -> int:
    return ArticleView.objects.filter(article=article).count()


def article_figures_for(*, article: Article, user) -> list[article_figures.Figure]:
    """What the article page shows under the text: its views, then every registered figure."""
    from django.utils.translation import gettext as _

    figures = [article_figures.Figure(code="views", label=_("Views"), value=article_view_count(article=article))]
    return figures + article_figures.figures_for(article, user)


def popular_tags(limit: int = 30) -> list[Tag]:
    return list(Tag.objects.annotate(n=Count("articles")).filter(n__gt=0).order_by("-n", "name")[:limit])
