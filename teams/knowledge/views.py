"""Knowledge-base pages (/org/kb/): thin over teams.knowledge selectors and services."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from teams.predicates import can_edit_knowledge

from . import selectors, services
from .filters import ArticleFilterSet
from .forms import ArticleForm


class ArticleListView(LoginRequiredMixin, FilterView):
    filterset_class = ArticleFilterSet
    template_name = "teams/kb/article_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.article_queryset_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=can_edit_knowledge(self.request.user),
                                        tags=selectors.popular_tags(), **kwargs)


@login_required
def article_detail_view(request, pk):
    article = get_object_or_404(selectors.article_queryset_for(user=request.user), pk=pk)
    services.article_view_record(article=article, user=request.user)
    return render(request, "teams/kb/article_detail.html", {
        "article": article, "figures": selectors.article_figures_for(article=article, user=request.user),
        "can_edit": can_edit_knowledge(request.user)})


def _save(request, form, article=None):
    data = dict(form.cleaned_data)
    tags = data.pop("tags")
    try:
        if article is None:
            return services.article_create(by=request.user, tags=tags, **data)
        return services.article_update(article=article, by=request.user, tags=tags, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    return None


@login_required
def article_edit_view(request, pk=None):
    if not can_edit_knowledge(request.user):
        raise PermissionDenied(_("Only managers, marketing and administrators edit the knowledge base."))
    article = get_object_or_404(selectors.article_queryset_for(user=request.user), pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, article)
        if saved is not None:
            messages.success(request, _("Article saved."))
            return redirect("teams:kb-detail", pk=saved.pk)
    return render(request, "teams/kb/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_delete_view(request, pk):
    article = get_object_or_404(selectors.article_queryset_for(user=request.user), pk=pk)
    services.article_delete(article=article, by=request.user)
    messages.success(request, _("Article deleted."))
    return redirect("teams:kb-list")
