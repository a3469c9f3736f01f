"""Ranked article search that works for Chinese as well as English.

PostgreSQL full text does not split Chinese into words, so we do not use it. Every database ranks
by substring hits (`icontains`, which finds a two-character word such as 预算 inside a sentence):
a hit in the title scores above a hit in a tag, which scores above a hit in the body. On PostgreSQL
pg_trgm adds fuzzy matching (typos, word forms: "pricng" finds "pricing") through
`word_similarity` on title and body; those matches rank below exact hits of the same field. On
SQLite (the embedded default) the substring score alone ranks. One SQL statement either way.
"""
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from teams.models import Article, Tag

TITLE_HIT = 100.0
TAG_HIT = 50.0
BODY_HIT = 20.0
TITLE_FUZZY = 40.0  # × word similarity (0..1)
BODY_FUZZY = 10.0
FUZZY_THRESHOLD = 0.5  # pg_trgm's own default for word_similarity (<%)
QUERY_MAX = 200


def uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


def _hit(condition: Q, points: float) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0.0), output_field=FloatField())


def rank_articles(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    """`queryset` narrowed to the articles matching `q`, best first, each annotated with `score`.
    An empty `q` keeps every row (score 0, newest first)."""
    q = (q or "").strip()[:QUERY_MAX]
    if not q:
        return queryset.annotate(score=Value(0.0, output_field=FloatField())).order_by("-updated_at", "-id")
    tag_hit = Exists(Tag.objects.filter(articles=OuterRef("pk"), name__icontains=q))
    score = (_hit(Q(title__icontains=q), TITLE_HIT) + _hit(Q(tag_hit), TAG_HIT)
             + _hit(Q(body__icontains=q), BODY_HIT))
    matches = Q(title__icontains=q) | Q(body__icontains=q) | Q(tag_hit)
    if uses_trigrams():
        from django.contrib.postgres.search import TrigramWordSimilarity

        queryset = queryset.annotate(title_similarity=TrigramWordSimilarity(q, "title"),
                                     body_similarity=TrigramWordSimilarity(q, "body"))
        fuzzy = Greatest(F("title_similarity"), F("body_similarity"))
        queryset = queryset.annotate(fuzzy=fuzzy)
        score = score + F("title_similarity") * TITLE_FUZZY + F("body_similarity") * BODY_FUZZY
        matches |= Q(fuzzy__gte=FUZZY_THRESHOLD)
    return queryset.annotate(score=score).filter(matches).order_by("-score", "-updated_at", "-id")
