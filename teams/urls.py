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
