"""`/api/v1/kb/articles/`: knowledge-base articles. `?q=` ranks (title hits first), `kind`, `tag`
and `language` filter; everyone signed in reads published articles, editors (managers, marketing,
admins) also drafts, and create, change and delete them through teams.knowledge.services."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from salesops.api import reject_nul_characters

from ..knowledge import selectors, services
from ..knowledge.filters import ArticleFilterSet
from ..models import Article
from ..models.knowledge import BODY_MAX, TAG_MAX, TAGS_PER_ARTICLE, TITLE_MAX


class TagNamesField(serializers.ListField):
    """Tag names in and out (the article's tags, prefetched, on the way out)."""

    def to_representation(self, data):
        if hasattr(data, "all"):
            return [tag.name for tag in data.all()]
        return super().to_representation(data)


class ArticleSerializer(serializers.ModelSerializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    body = serializers.CharField(max_length=BODY_MAX, allow_blank=True, required=False, trim_whitespace=False)
    tags = TagNamesField(child=serializers.CharField(max_length=TAG_MAX), max_length=TAGS_PER_ARTICLE,
                                 required=False, help_text="Tag names; given on PUT/PATCH, they replace the tags.")
    score = serializers.FloatField(read_only=True, allow_null=True, default=None,
                                   help_text="Search rank for `?q=` (higher first); 0 without `q`.")

    class Meta:
        model = Article
        fields = ["id", "kind", "title", "body", "language", "tags", "author", "is_published",
                  "created_at", "updated_at", "score"]
        read_only_fields = ["id", "author", "created_at", "updated_at", "score"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["score"] = getattr(instance, "score", None)
        return data

    def validate(self, attrs):
        reject_nul_characters(attrs)
        return attrs


@extend_schema_view(list=extend_schema(description="Ranked with `q`: title hits above tag and body hits."))
class ArticleViewSet(viewsets.ModelViewSet):
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilterSet
    queryset = Article.objects.none()
    ordering_fields = ["updated_at", "title"]

    def get_queryset(self):
        return selectors.article_queryset_for(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.article_create(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.article_update(article=serializer.instance, by=self.request.user, **data)

    def perform_destroy(self, instance):
        services.article_delete(article=instance, by=self.request.user)
