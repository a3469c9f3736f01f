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
