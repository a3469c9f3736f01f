from django.urls import path

from . import views
from .views import imports as views_imports
from .views import nurture as views_nurture
from .views import reports as views_reports
from .views import routing as views_routing
from .views import scoring as views_scoring
from .views import suggestions as views_suggestions

app_name = "leads"
urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("new/", views.LeadCreateView.as_view(), name="create"),
    path("quick-add/", views.lead_quick_add_view, name="quick-add"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.LeadUpdateView.as_view(), name="edit"),
    path("<int:pk>/qualify/", views.lead_transition_view, {"transition": "qualify"}, name="qualify"),
    path("<int:pk>/nurturing/", views.lead_transition_view, {"transition": "nurturing"}, name="nurturing"),
    path("<int:pk>/disqualify/", views.lead_transition_view, {"transition": "disqualify"}, name="disqualify"),
    path("<int:pk>/nurture/", views_nurture.nurture_enroll_view, name="nurture-enroll"),
    path("scoring/", views_scoring.rule_set_list_view, name="rule-sets"),
    path("scoring/<int:pk>/", views_scoring.rule_set_detail_view, name="rule-set"),
    path("scoring/<int:pk>/edit/", views_scoring.rule_set_edit_view, name="rule-set-edit"),
    path("scoring/<int:pk>/publish/", views_scoring.rule_set_publish_view, name="rule-set-publish"),
    path("scoring/<int:pk>/copy/", views_scoring.rule_set_copy_view, name="rule-set-copy"),
    path("scoring/<int:pk>/suggest/", views_suggestions.suggestion_new_view, name="suggestion-new"),
    path("scoring/suggestions/<int:pk>/", views_suggestions.suggestion_detail_view, name="suggestion"),
    path("scoring/suggestions/<int:pk>/rerun/", views_suggestions.suggestion_rerun_view, name="suggestion-rerun"),
    path("quality/", views_reports.lead_quality_view, name="quality"),
    path("queue/", views_routing.lead_queue_view, name="queue"),
    path("<int:pk>/assign/", views_routing.lead_assign_view, name="assign"),
    path("<int:pk>/touch/", views_routing.lead_touch_view, name="touch"),
    path("import/", views_imports.lead_import_view, name="import"),
    path("import/uploads/<int:pk>/", views_imports.lead_import_map_view, name="import-map"),
    path("import/jobs/<int:pk>/", views_imports.lead_import_job_view, name="import-job"),
    path("import/jobs/<int:pk>/status/", views_imports.lead_import_job_status_view, name="import-job-status"),
    path("import/jobs/<int:pk>/errors.csv", views_imports.lead_import_job_errors_view, name="import-job-errors"),
    path("import/jobs/<int:pk>/confirm/", views_imports.lead_import_confirm_view, name="import-confirm"),
]

# web-to-lead forms (issue 15)
from .views import web_forms as views_web_forms  # noqa: E402

urlpatterns += [
    path("forms/", views_web_forms.web_form_list_view, name="web-forms"),
    path("forms/new/", views_web_forms.web_form_edit_view, name="web-form-create"),
    path("forms/<int:pk>/", views_web_forms.web_form_detail_view, name="web-form"),
    path("forms/<int:pk>/edit/", views_web_forms.web_form_edit_view, name="web-form-edit"),
]
