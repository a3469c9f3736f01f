from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("people/", views.PeopleListView.as_view(), name="people"),
    path("teams/", views.team_list_view, name="teams"),
    path("quotas/", views.QuotaListView.as_view(), name="quotas"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/read/", views.notification_mark_read_view, name="notifications-read"),
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
