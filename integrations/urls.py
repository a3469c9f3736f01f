from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.integrations_view, name="settings"),
    path("keys/<int:pk>/revoke/", views.key_action_view, {"action": "revoke"}, name="key-revoke"),
    path("keys/<int:pk>/rotate/", views.key_action_view, {"action": "rotate"}, name="key-rotate"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver_view, name="redeliver"),
]
