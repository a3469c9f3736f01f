"""Pipeline's side of the knowledge base (teams.Article): openings of an article from a deal page,
so the article page can say how often it was opened on deals that were later won."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .deals import Opportunity


class ArticleDealView(models.Model):
    article = models.ForeignKey("teams.Article", verbose_name=_("article"), on_delete=models.CASCADE,
                                related_name="deal_views")
    opportunity = models.ForeignKey(Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE,
                                    related_name="article_views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("article opened on a deal")
        verbose_name_plural = _("articles opened on deals")
        indexes = [models.Index(fields=["article", "opportunity"], name="kb_deal_view_article")]

    def __str__(self):
        return f"{self.article_id} on {self.opportunity_id}"
