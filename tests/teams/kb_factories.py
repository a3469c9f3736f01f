"""Articles for the knowledge-base tests, made through the service (as every entry point does)."""
from teams.knowledge.services import article_create
from teams.models import Article


def make_article(by, *, title="How to price", body="", kind=Article.Kind.FAQ, language="en",
                 is_published=True, tags=()):
    return article_create(by=by, kind=kind, title=title, body=body, language=language,
                          is_published=is_published, tags=list(tags))
