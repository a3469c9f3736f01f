from django.urls import path

from . import views

app_name = "pipeline"
urlpatterns = [
    path("", views.OpportunityListView.as_view(), name="list"),
    path("board/", views.board_view, name="board"),
    path("forecast/", views.forecast_view, name="forecast"),
    path("import/", views.import_view, name="import"),
    path("import/jobs/<int:pk>/", views.import_job_view, name="import-job"),
    path("import/jobs/<int:pk>/status/", views.import_job_status_view, name="import-job-status"),
    path("import/jobs/<int:pk>/errors.csv", views.import_job_errors_view, name="import-job-errors"),
    path("new/", views.OpportunityCreateView.as_view(), name="create"),
    path("quick-add/", views.opportunity_quick_add_view, name="quick-add"),  # issue 12
    path("<int:pk>/", views.OpportunityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OpportunityUpdateView.as_view(), name="edit"),
    path("<int:pk>/transition/", views.opportunity_transition_view, name="transition"),
    path("<int:pk>/move/", views.board_move_view, name="board-move"),
    path("<int:pk>/checklist/<int:item_pk>/", views.checklist_tick_view, name="checklist-tick"),
    path("<int:pk>/approvals/", views.approval_request_view, name="approval-request"),
    path("<int:pk>/approvals/<int:approval_pk>/", views.approval_decide_view, name="approval-decide"),
    path("<int:pk>/activities/", views.activity_log_view, name="activity-log"),
    path("handoffs/", views.handoff_list_view, name="handoff-list"),
    path("<int:pk>/handoff/", views.handoff_view, name="handoff"),
    path("<int:pk>/handoff/confirm-feasibility/", views.handoff_confirm_feasibility_view,
         name="handoff-confirm-feasibility"),
    path("convert/<int:lead_pk>/", views.lead_convert_view, name="lead-convert"),
]

urlpatterns += [  # h12: knowledge base
    path("<int:pk>/kb/<int:article_pk>/", views.deal_article_open_view, name="kb-open"),
]
