"""The knowledge base on deals: the stage's SPIN guidance and the battlecards of the deal's
competitors (teams.Article, linked by pipeline), and how often an article was opened on deals."""
from django.db.models import Count, F, Q

from teams.models import Article
from teams.predicates import can_read_article

from ..models import ArticleDealView, Competitor, Opportunity, Stage


def deal_knowledge_for(*, opportunity: Opportunity, user) -> dict:
    """{"guidance": Article | None, "battlecards": [(Competitor, Article)]}: only articles `user`
    may read. Two queries whatever the deal holds."""
    stage = Stage.objects.select_related("guidance_article").filter(pk=opportunity.stage_id).first()
    guidance = stage.guidance_article if stage is not None else None
    if guidance is not None and not can_read_article(user, guidance):
        guidance = None
    competitors = (Competitor.objects.filter(opportunities=opportunity, battlecard_article__isnull=False)
                   .select_related("battlecard_article").order_by("name"))
    battlecards = [(c, c.battlecard_article) for c in competitors if can_read_article(user, c.battlecard_article)]
    return {"guidance": guidance, "battlecards": battlecards}


def deal_article_ids(*, opportunity: Opportunity) -> set[int]:
    """Ids of the articles a deal's page links (those it may be opened from)."""
    ids = set(Stage.objects.filter(pk=opportunity.stage_id, guidance_article__isnull=False)
              .values_list("guidance_article_id", flat=True))
    ids |= set(Competitor.objects.filter(opportunities=opportunity, battlecard_article__isnull=False)
               .values_list("battlecard_article_id", flat=True))
    return ids


def article_deal_figures(*, article: Article) -> dict:
    """{"opens", "deals", "won"}: openings from deal pages, on how many deals, and how many of
    those deals were won after an opening (won now, closed at or after it). One query."""
    return ArticleDealView.objects.filter(article=article).aggregate(
        opens=Count("pk"), deals=Count("opportunity", distinct=True),
        won=Count("opportunity", distinct=True,
                  filter=Q(opportunity__stage__is_won=True, opportunity__closed_at__gte=F("viewed_at"))))
