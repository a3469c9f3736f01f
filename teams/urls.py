from django.urls import path

from . import views
from .views import compensation

app_name = "teams"
urlpatterns = [
    path("people/", views.PeopleListView.as_view(), name="people"),
    path("teams/", views.team_list_view, name="teams"),
    path("quotas/", views.QuotaListView.as_view(), name="quotas"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/read/", views.notification_mark_read_view, name="notifications-read"),
    # compensation (h9)
    path("pay/", compensation.my_pay_view, name="my-pay"),
    path("pay/<int:pk>/", compensation.payout_detail_view, name="payout"),
    path("pay/<int:pk>/approve/", compensation.payout_approve_view, name="payout-approve"),
    path("pay/lines/<int:pk>/dispute/", compensation.line_dispute_view, name="payout-line-dispute"),
    path("pay/disputes/<int:pk>/answer/", compensation.dispute_answer_view, name="payout-dispute-answer"),
    path("payouts/", compensation.PayoutReviewView.as_view(), name="payout-review"),
    path("plans/", compensation.plan_list_view, name="plans"),
    path("plans/new/", compensation.plan_edit_view, name="plan-new"),
    path("plans/<int:pk>/", compensation.plan_detail_view, name="plan"),
    path("plans/<int:pk>/edit/", compensation.plan_edit_view, name="plan-edit"),
    path("plans/<int:pk>/publish/", compensation.plan_publish_view, name="plan-publish"),
    path("plans/<int:pk>/new-version/", compensation.plan_new_version_view, name="plan-new-version"),
    path("plans/<int:pk>/assign/", compensation.plan_assign_view, name="plan-assign"),
]

# --- onboarding (h10) ------------------------------------------------------------------------------
from .views import onboarding as onboarding_views  # noqa: E402

urlpatterns += [
    path("onboarding/", onboarding_views.onboarding_mine_view, name="onboarding-mine"),
    path("onboarding/plans/", onboarding_views.onboarding_plan_list_view, {"view": "team"}, name="onboarding-team"),
    path("onboarding/mentees/", onboarding_views.onboarding_plan_list_view, {"view": "mentees"},
         name="onboarding-mentees"),
    path("onboarding/plans/new/", onboarding_views.onboarding_plan_create_view, name="onboarding-plan-create"),
    path("onboarding/plans/<int:pk>/", onboarding_views.onboarding_plan_view, name="onboarding-plan"),
    path("onboarding/plans/<int:pk>/change/", onboarding_views.onboarding_plan_update_view,
         name="onboarding-plan-update"),
    path("onboarding/tasks/<int:pk>/tick/", onboarding_views.onboarding_task_tick_view, name="onboarding-task-tick"),
    path("onboarding/tasks/<int:pk>/sign-off/", onboarding_views.onboarding_task_sign_off_view,
         name="onboarding-task-sign-off"),
    path("onboarding/templates/", onboarding_views.onboarding_template_list_view, name="onboarding-templates"),
    path("onboarding/templates/<int:pk>/", onboarding_views.onboarding_template_view, name="onboarding-template"),
    path("onboarding/steps/<int:pk>/remove/", onboarding_views.onboarding_step_remove_view,
         name="onboarding-step-remove"),
    path("onboarding/figures/", onboarding_views.onboarding_figures_view, name="onboarding-figures"),
]

# --- training, certification and awards (h11) -------------------------------------------------
from .views import awards as award_views  # noqa: E402
from .views import training as training_views  # noqa: E402

urlpatterns += [
    path("courses/", training_views.course_list_view, name="courses"),
    path("courses/<int:pk>/", training_views.course_detail_view, name="course-detail"),
    path("exams/<int:pk>/take/", training_views.exam_take_view, name="exam-take"),
    path("certifications/", training_views.my_certifications_view, name="my-certifications"),
    path("certifications/team/", training_views.team_certifications_view, name="team-certifications"),
    path("certifications/held/", training_views.GrantListView.as_view(), name="grant-list"),
    path("exam-attempts/", training_views.AttemptListView.as_view(), name="attempt-list"),
    path("awards/", award_views.award_list_view, name="awards"),
    path("awards/nominate/", award_views.nominate_view, name="award-nominate"),
    path("awards/nominations/<int:pk>/choose/", award_views.choose_view, name="award-choose"),
    path("awards/best-newcomer/", award_views.best_newcomer_view, name="award-best-newcomer"),
    path("awards/people/<int:pk>/", award_views.award_history_view, name="award-history"),
]

# --- knowledge base (h12) ---
from .knowledge import views as kb_views  # noqa: E402

urlpatterns += [
    path("kb/", kb_views.ArticleListView.as_view(), name="kb-list"),
    path("kb/new/", kb_views.article_edit_view, name="kb-create"),
    path("kb/<int:pk>/", kb_views.article_detail_view, name="kb-detail"),
    path("kb/<int:pk>/edit/", kb_views.article_edit_view, name="kb-edit"),
    path("kb/<int:pk>/delete/", kb_views.article_delete_view, name="kb-delete"),
]

# --- pickers' type-ahead and saved filters of the lists (issue 12) ---------------------------------
from .views import saved_filters as saved_filter_views  # noqa: E402

urlpatterns += [
    path("people/lookup/", saved_filter_views.people_lookup_view, name="people-lookup"),
    path("teams/lookup/", saved_filter_views.teams_lookup_view, name="teams-lookup"),
    path("saved-filters/", saved_filter_views.saved_filter_create_view, name="saved-filter-create"),
    path("saved-filters/<int:pk>/delete/", saved_filter_views.saved_filter_delete_view, name="saved-filter-delete"),
]
