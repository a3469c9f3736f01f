"""Customers' pages (under /customers/): accounts, contacts, the customer-360 page, tasks, contracts,
surveys and retention. Each area adds its own list of paths here."""
from django.urls import path  # noqa: F401

from . import views

app_name = "customers"

urlpatterns: list = []

# activities and tasks (h2)
urlpatterns += [
    path("activities/", views.activity_list_view, name="activity-list"),
    path("activities/log/", views.activity_log_view, name="activity-log"),
    path("tasks/", views.task_list_view, name="task-list"),
    path("tasks/<int:pk>/complete/", views.task_complete_view, name="task-complete"),
]
