"""Surveys API: /api/v1/surveys/ (read: everyone signed in; write: can_manage_surveys; POST …/{id}/send/:
can_send_surveys) and /api/v1/survey-responses/ (the answers of the accounts you may see; POST records
one through customers.services.survey_response_record, idempotent by external_id: 201 new, 200 known)."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from teams.predicates import can_manage_surveys, can_record_survey_responses, can_send_surveys, is_active_user

from .. import services
from .. import surveys as math
from ..filters import SurveyResponseFilterSet
from ..models import Account, Contact, Survey, SurveyResponse
from ..selectors import account_queryset_for, contact_queryset_for, survey_response_queryset_for
from ..services.surveys import MAX_ANSWERS, MAX_SEND

MAX_ID = 2**63 - 1


class SurveyPermission(permissions.BasePermission):
    """Read: everyone signed in. Send: can_send_surveys. Other writes: can_manage_surveys."""

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "send":
            return can_send_surveys(request.user)
        return can_manage_surveys(request.user)


class SurveySerializer(serializers.ModelSerializer):
    extra_questions = serializers.ListField(
        child=serializers.CharField(max_length=math.MAX_QUESTION_LENGTH), max_length=math.MAX_EXTRA_QUESTIONS,
        required=False, help_text=_("Further questions, answered in free text."))

    class Meta:
        model = Survey
        fields = ["id", "name", "kind", "question", "extra_questions", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]

    def create(self, validated_data):
        return services.survey_create(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.survey_update(survey=instance, by=self.context["request"].user, **validated_data)


class SurveySendSerializer(serializers.Serializer):
    contacts = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                     min_length=1, max_length=MAX_SEND,
                                     help_text=_("Ids of contacts (of accounts you may see) to invite."))


class SurveySendResultSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text=_("Invitations created and queued for email."))
    invitations = serializers.ListField(child=serializers.IntegerField())
    no_email = serializers.ListField(child=serializers.IntegerField(), help_text=_("Contacts skipped: no email."))
    already_invited = serializers.ListField(child=serializers.IntegerField(),
                                            help_text=_("Contacts skipped: an open invitation to this survey."))


class SurveyViewSet(viewsets.ModelViewSet):
    """NPS and CSAT surveys. A survey that was sent or answered is not deleted (400): deactivate it."""

    serializer_class = SurveySerializer
    permission_classes = [SurveyPermission]
    queryset = Survey.objects.all()
    filterset_fields = ["kind", "is_active"]
    ordering_fields = ["name", "created_at"]

    def perform_destroy(self, instance):
        services.survey_delete(survey=instance, by=self.request.user)

    @extend_schema(request=SurveySendSerializer, responses={201: SurveySendResultSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Email the survey to contacts with a personal link (no login; one answer; expires in 30 days)."""
        data = SurveySendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.survey_send(survey=self.get_object(), contact_ids=data.validated_data["contacts"],
                                       by=request.user)
        body = {**outcome.as_dict(), "invitations": [i.pk for i in outcome.invitations]}
        return Response(SurveySendResultSerializer(body).data, status=status.HTTP_201_CREATED)


class SurveyResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "account", "contact", "kind", "score", "reason", "answers", "responded_at",
                  "external_id"]
        read_only_fields = fields


class SurveyResponseInputSerializer(serializers.Serializer):
    survey = serializers.PrimaryKeyRelatedField(queryset=Survey.objects.all())
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none(),
                                                 help_text=_("An account you may see."))
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.none(), required=False, allow_null=True)
    score = serializers.IntegerField(min_value=0, max_value=10, help_text=_("NPS 0–10; CSAT 1–5."))
    reason = serializers.CharField(max_length=math.MAX_ANSWER_LENGTH, required=False, allow_blank=True)
    answers = serializers.DictField(child=serializers.CharField(max_length=math.MAX_ANSWER_LENGTH, allow_blank=True),
                                    required=False, help_text=_("Further answers: question → text."))
    responded_at = serializers.DateTimeField(required=False)
    external_id = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                        help_text=_("Your id of the answer: posting it again returns the first (200)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        self.fields["account"].queryset = account_queryset_for(user=user)   # others' accounts: invalid
        self.fields["contact"].queryset = contact_queryset_for(user=user)

    def validate_answers(self, answers):
        if len(answers) > MAX_ANSWERS or any(len(q) > math.MAX_QUESTION_LENGTH for q in answers):
            raise serializers.ValidationError(_("At most %(n)d answers, each question at most %(m)d characters.")
                                              % {"n": MAX_ANSWERS, "m": math.MAX_QUESTION_LENGTH})
        return answers


class SurveyResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            viewsets.GenericViewSet):
    """Survey answers on the accounts you may see. POST records one (an integration's answer)."""

    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilterSet
    queryset = SurveyResponse.objects.none()  # for the schema; requests read get_queryset()
    ordering_fields = ["responded_at", "score"]

    def get_queryset(self):
        return survey_response_queryset_for(user=self.request.user).order_by("-responded_at", "-id")

    @extend_schema(request=SurveyResponseInputSerializer,
                   responses={201: SurveyResponseSerializer,
                              200: OpenApiResponse(SurveyResponseSerializer,
                                                   description=_("Known external_id: the first answer, unchanged."))})
    def create(self, request, *args, **kwargs):
        if not can_record_survey_responses(request.user):
            self.permission_denied(request, message=_("You may not record survey answers."))
        data = SurveyResponseInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        response, created = services.survey_response_record(by=request.user, **data.validated_data)
        return Response(SurveyResponseSerializer(response).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
