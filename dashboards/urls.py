from django.urls import path

from . import goal_views, views
from .review import views as review_views

app_name = "dashboards"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("goals/", goal_views.goal_list_view, name="goals"),
    path("goals/<int:pk>/edit/", goal_views.goal_edit_view, name="goal-edit"),
    path("goals/<int:pk>/delete/", goal_views.goal_delete_view, name="goal-delete"),
    path("kpi-snapshots/", goal_views.snapshot_jobs_view, name="snapshots"),
    path("dashboards/review/", review_views.review_latest_view, name="review-latest"),
    path("dashboards/review/<str:month>/", review_views.review_pack_view, name="review"),
    path("dashboards/review/<str:month>/pdf/", review_views.review_pack_pdf_view, name="review-pdf"),
    # after the review pages: it would take "review" for a dashboard's name
    path("dashboards/<slug:name>/", views.dashboard_view, name="dashboard"),
]
