from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("people/", views.PeopleListView.as_view(), name="people"),
    path("teams/", views.team_list_view, name="teams"),
    path("quotas/", views.QuotaListView.as_view(), name="quotas"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/read/", views.notification_mark_read_view, name="notifications-read"),
]

# --- knowledge base (h12) ---
from .knowledge import views as kb_views  # noqa: E402

urlpatterns += [
    path("kb/", kb_views.ArticleListView.as_view(), name="kb-list"),
    path("kb/new/", kb_views.article_edit_view, name="kb-create"),
    path("kb/<int:pk>/", kb_views.article_detail_view, name="kb-detail"),
    path("kb/<int:pk>/edit/", kb_views.article_edit_view, name="kb-edit"),
    path("kb/<int:pk>/delete/", kb_views.article_delete_view, name="kb-delete"),
]
