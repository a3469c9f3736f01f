"""Demo links from stages and the demo competitor to the knowledge base's demo articles (by title;
idempotent: a link already set is left alone)."""
from teams.knowledge.demo import BATTLECARD, DEMO_GUIDE, NEEDS_GUIDE
from teams.models import Article

from .models import Competitor, Stage

STAGE_GUIDES = {"needs_confirmed": NEEDS_GUIDE, "solution_demo": DEMO_GUIDE}
COMPETITOR_BATTLECARDS = {"CloudCRM Inc.": BATTLECARD}


def link_demo_articles() -> int:
    """Set the missing links; answers how many were set."""
    articles = {a.title: a for a in Article.objects.filter(
        title__in=[*STAGE_GUIDES.values(), *COMPETITOR_BATTLECARDS.values()])}
    linked = 0
    for code, title in STAGE_GUIDES.items():
        if title in articles:
            linked += Stage.objects.filter(code=code, guidance_article__isnull=True).update(
                guidance_article=articles[title])
    for name, title in COMPETITOR_BATTLECARDS.items():
        if title in articles:
            linked += Competitor.objects.filter(name=name, battlecard_article__isnull=True).update(
                battlecard_article=articles[title])
    return linked
