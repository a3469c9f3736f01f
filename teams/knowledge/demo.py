"""Demo articles in English and Chinese (idempotent: found by title, never duplicated). Pipeline's
demo links them to stages and to the demo competitor (pipeline.demo_kb), by title."""
from teams.models import Article, User

from .services import article_create

K = Article.Kind
# Titles pipeline's demo links by (keep in step with pipeline/demo_kb.py).
NEEDS_GUIDE = "SPIN guide: confirming needs"
DEMO_GUIDE = "SPIN guide: the solution demo"
BATTLECARD = "Battlecard: CloudCRM Inc."
BUDGET_TALK_TRACK_ZH = "客户预算有限时的话术"

ARTICLES = [
    (K.TALK_TRACK, NEEDS_GUIDE, "en", ["spin", "discovery"],
     "Situation: ask how the customer runs sales today and who decides.\n\n"
     "Problem: ask where deals get lost or delayed.\n\n"
     "Implication: ask what a lost quarter costs them.\n\n"
     "Need-payoff: ask what a shorter sales cycle would be worth."),
    (K.TALK_TRACK, DEMO_GUIDE, "en", ["spin", "demo"],
     "Show only what answers the confirmed needs; end each part by asking how it would change "
     "their week. Close with the next step and a date."),
    (K.COMPETITOR_ANALYSIS, BATTLECARD, "en", ["competitor", "pricing"],
     "Their strength: a low list price.\n\n"
     "Our answer: compare the three-year total cost including integration work; we offer local "
     "support and data residency in China."),
    (K.TALK_TRACK, BUDGET_TALK_TRACK_ZH, "zh-hans", ["预算", "谈判"],
     "客户预算有限时的话术：先确认预算的范围和审批流程，再按价值拆分方案，"
     "建议分阶段上线，第一阶段只包含最急需的功能。"),
    (K.FAQ, "How long does an implementation take?", "en", ["implementation"],
     "A standard rollout takes six to eight weeks: two weeks of set-up, four of training and data import."),
    (K.FAQ, "数据存放在哪里？", "zh-hans", ["数据安全"],
     "所有客户数据存放在中国境内的数据中心，并每日备份。"),
    (K.SUCCESS_STORY, "Success story: a distributor cut its sales cycle by 30 %", "en", ["success", "distribution"],
     "A regional distributor moved from spreadsheets to SalesOps; within two quarters its average "
     "sales cycle fell from 90 to 63 days."),
]


def seed_articles(*, author: User | None) -> int:
    """Create the demo articles that are missing; answers how many were new."""
    if author is None:
        return 0
    existing = set(Article.objects.filter(title__in=[a[1] for a in ARTICLES]).values_list("title", flat=True))
    created = 0
    for kind, title, language, tags, body in ARTICLES:
        if title in existing:
            continue
        article_create(by=author, kind=kind, title=title, language=language, body=body,
                       is_published=True, tags=tags)
        created += 1
    return created
