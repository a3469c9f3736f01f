from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from customers.views.surveys import survey_answer_view
from leads.views.nurture import nurture_click_view
from teams import views as teams_views
from teams.forms import LoginForm

from . import views

api_v1 = [
    path("", include("teams.api.urls")),
    path("", include("leads.api.urls")),
    path("", include("pipeline.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("dashboards.api.urls")),  # after pipeline: /metrics/funnel/ stays pipeline's
    path("", include("integrations.api.urls")),
]

urlpatterns = [
    path("", include("dashboards.urls")),
    path("leads/", include("leads.urls")),
    path("pipeline/", include("pipeline.urls")),
    path("customers/", include("customers.urls")),
    path("org/", include("teams.urls")),
    path("org/integrations/", include("integrations.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", teams_views.set_language_view, name="set_language"),  # remembers a user's choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="salesops/api_docs.html"),
         name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="salesops/api_redoc.html"),
         name="api-redoc"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search_view, name="search"),
    path("n/c/<slug:token>/", nurture_click_view, name="nurture-click"),  # public nurture email link
    path("s/<slug:token>/", survey_answer_view, name="survey-answer"),  # public survey link (customers)
]

handler400 = "salesops.api.bad_request"
handler404 = "salesops.api.not_found"
handler500 = "salesops.api.server_error"
