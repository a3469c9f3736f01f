import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Article
from teams.models.knowledge import TAG_MAX

from .search import QUERY_MAX, rank_articles


class ArticleFilterSet(django_filters.FilterSet):
    """One FilterSet for the list page and the API: `q` ranks (teams.knowledge.search)."""

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=QUERY_MAX)
    kind = django_filters.ChoiceFilter(choices=Article.Kind.choices, label=_("Kind"))
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", label=_("Tag"),
                                    max_length=TAG_MAX)
    language = django_filters.ChoiceFilter(choices=Article.Language.choices, label=_("Language"))

    class Meta:
        model = Article
        fields = []
        form = forms.Form

    def search(self, queryset, name, value):
        return rank_articles(queryset, value)
