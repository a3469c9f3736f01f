from django.urls import path

from . import views
from .review import views as review_views

app_name = "dashboards"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("dashboards/review/", review_views.review_latest_view, name="review-latest"),
    path("dashboards/review/<str:month>/", review_views.review_pack_view, name="review"),
    path("dashboards/review/<str:month>/pdf/", review_views.review_pack_pdf_view, name="review-pdf"),
]
