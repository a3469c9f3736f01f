from django.urls import path

from . import goal_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("dashboards/<slug:name>/", views.dashboard_view, name="dashboard"),
    path("goals/", goal_views.goal_list_view, name="goals"),
    path("goals/<int:pk>/edit/", goal_views.goal_edit_view, name="goal-edit"),
    path("goals/<int:pk>/delete/", goal_views.goal_delete_view, name="goal-delete"),
    path("kpi-snapshots/", goal_views.snapshot_jobs_view, name="snapshots"),
]
