from django.urls import path

from . import views

urlpatterns = [
    path("metrics/", views.MetricListApi.as_view(), name="metrics-list"),
    path("metrics/<slug:code>/", views.MetricDetailApi.as_view(), name="metrics-detail"),
]
