"""Knowledge base: articles (FAQ, success story, talk track, competitor analysis) with tags, and
who opened them. Links from stages and competitors, and opens on deals, are pipeline's (it stands
above teams): see pipeline.models.knowledge."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MAX = 20000
TAG_MAX = 50
TAGS_PER_ARTICLE = 20


class Tag(models.Model):
    """A free word that groups articles ("pricing", "预算"); names are unique, case as first typed."""

    name = models.CharField(_("name"), max_length=TAG_MAX, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Article(models.Model):
    class Kind(models.TextChoices):
        FAQ = "faq", _("FAQ")
        SUCCESS_STORY = "success_story", _("Success story")
        TALK_TRACK = "talk_track", _("Talk track")
        COMPETITOR_ANALYSIS = "competitor_analysis", _("Competitor analysis")

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("body"), max_length=BODY_MAX, blank=True,
                            help_text=_("Plain text; blank lines separate paragraphs."))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="kb_articles")
    is_published = models.BooleanField(_("published"), default=False,
                                       help_text=_("Everyone signed in reads published articles; drafts only editors."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["is_published", "kind"], name="kb_article_published_kind")]

    def __str__(self):
        return self.title


class ArticleView(models.Model):
    """One opening of an article page (the article's view count)."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("article view")
        verbose_name_plural = _("article views")

    def __str__(self):
        return f"{self.article_id} @ {self.viewed_at:%Y-%m-%d %H:%M}"
