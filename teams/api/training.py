"""Training, certification and awards API (h11).

- /api/v1/courses/ — courses with their open exams (everyone signed in reads the active ones);
- /api/v1/exams/ — exams with their questions (never the right answers); POST …/{id}/submit/ takes
  the exam (teams.services.training.exam_submit: 201 with the scored attempt; 400 for bad answers or
  when a retake is not allowed yet);
- /api/v1/exam-attempts/ — attempts: a rep reads their own, a manager their team's, admins all;
- /api/v1/certifications/ — certificates held, with status, scoped like attempts;
- /api/v1/awards/ — awards (public recognition: everyone signed in reads them).
Writes to courses, exams and certifications go through the admin (teams.services.training)."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import exams
from ..filters import AwardFilterSet, CertificationGrantFilterSet, ExamAttemptFilterSet
from ..models import Award, CertificationGrant, Course, Exam, ExamAttempt
from ..selectors import training as sel
from ..services.training import exam_submit


class QuestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    multiple = serializers.BooleanField()


class ExamSummarySerializer(serializers.ModelSerializer):
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = Exam
        fields = ["id", "title", "pass_mark", "max_attempts", "cooldown_hours", "question_count"]

    def get_question_count(self, exam) -> int:
        return len(exam.questions)


class CourseSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    exams = ExamSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "description", "kind", "roles", "material_url", "material_text", "is_active",
                  "exams"]


class ExamSerializer(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    questions = serializers.SerializerMethodField(help_text=_("The questions, without their right answers."))

    class Meta:
        model = Exam
        fields = ["id", "course", "course_title", "title", "pass_mark", "max_attempts", "cooldown_hours", "questions"]

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, exam):
        return [{"text": q["text"], "choices": q["choices"], "multiple": bool(q.get("multiple"))}
                for q in exam.questions]


class ExamSubmitSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=exams.MAX_CHOICES - 1),
                                    max_length=exams.MAX_CHOICES),
        max_length=exams.MAX_QUESTIONS,
        help_text=_("One list of chosen choice numbers (from 0) per question, in order; [] leaves one unanswered."))


class ExamAttemptSerializer(serializers.ModelSerializer):
    exam_title = serializers.CharField(source="exam.title", read_only=True)
    course = serializers.IntegerField(source="exam.course_id", read_only=True)

    class Meta:
        model = ExamAttempt
        fields = ["id", "exam", "exam_title", "course", "user", "score", "correct", "passed", "taken_at"]


class CertificationGrantSerializer(serializers.ModelSerializer):
    certification_name = serializers.CharField(source="certification.name", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = CertificationGrant
        fields = ["id", "certification", "certification_name", "user", "granted_on", "expires_on", "status"]

    @extend_schema_field(serializers.ChoiceField(choices=[exams.VALID, exams.EXPIRING, exams.EXPIRED]))
    def get_status(self, grant) -> str:
        return exams.certification_status(grant.expires_on, timezone.localdate(),
                                          warn_days=grant.certification.warn_days)


class AwardSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = Award
        fields = ["id", "kind", "period_start", "period_end", "team", "user", "user_name", "value", "reason",
                  "chosen_by", "created_at"]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourseSerializer
    queryset = Course.objects.none()
    ordering_fields = ["title"]

    def get_queryset(self):
        return sel.course_queryset_for(user=self.request.user).order_by("title", "id")


class ExamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ExamSerializer
    queryset = Exam.objects.none()

    def get_queryset(self):
        return sel.exam_queryset_for(user=self.request.user).order_by("course__title", "title", "id")

    @extend_schema(request=ExamSubmitSerializer, responses={201: ExamAttemptSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        exam = self.get_object()
        data = ExamSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = exam_submit(exam=exam, by=request.user, answers=data.validated_data["answers"])
        return Response(ExamAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class ExamAttemptViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ExamAttemptSerializer
    filterset_class = ExamAttemptFilterSet
    queryset = ExamAttempt.objects.none()

    def get_queryset(self):
        return sel.attempt_queryset_for(user=self.request.user)


class CertificationGrantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CertificationGrantSerializer
    filterset_class = CertificationGrantFilterSet
    queryset = CertificationGrant.objects.none()

    def get_queryset(self):
        return sel.grant_queryset_for(user=self.request.user)


class AwardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AwardSerializer
    filterset_class = AwardFilterSet
    queryset = Award.objects.none()

    def get_queryset(self):
        return sel.award_queryset().order_by("-period_start", "kind", "id")
