"""API of a deal's handoff checklist: `GET/PUT /api/v1/opportunities/{id}/handoff/` and
`POST /api/v1/opportunities/{id}/handoff/confirm-feasibility/` (thin: pipeline.services.handoff writes)."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from customers.models import Contact

from .. import services
from ..models import Handoff, HandoffStakeholder, Opportunity
from ..selectors import handoff as selectors

MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1


class StakeholderSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=HandoffStakeholder.Role.choices)
    contact = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True,
                                       help_text="A contact of the deal's account; null clears the role.")


class StakeholderOutSerializer(serializers.Serializer):
    role = serializers.CharField()
    contact = serializers.IntegerField()
    contact_name = serializers.CharField()


class FeasibilitySerializer(serializers.Serializer):
    confirmed = serializers.BooleanField()
    confirmed_by = serializers.IntegerField(allow_null=True)
    confirmed_by_name = serializers.CharField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class HandoffPartSerializer(serializers.Serializer):
    part = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    done = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())


class HandoffTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    summary = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id")
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)


class HandoffSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back on PUT to detect concurrent changes (409).")
    success_criteria = serializers.CharField(allow_blank=True)
    target_30 = serializers.CharField(allow_blank=True)
    target_60 = serializers.CharField(allow_blank=True)
    target_90 = serializers.CharField(allow_blank=True)
    promises = serializers.ListField(child=serializers.CharField())
    stakeholders = StakeholderOutSerializer(many=True)
    feasibility = FeasibilitySerializer()
    success_owner = serializers.IntegerField(allow_null=True, help_text="The account's success owner (set on the "
                                                                         "account).")
    status = HandoffPartSerializer(many=True)
    onboarding_tasks = HandoffTaskSerializer(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class HandoffUpdateSerializer(serializers.Serializer):
    """Input of PUT: fields left out stay as they are; `stakeholders` sets the roles it names."""

    success_criteria = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    target_30 = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    target_60 = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    target_90 = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    promises = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=300), required=False,
                                     max_length=30, help_text="What sales promised, one text per item.")
    stakeholders = StakeholderSerializer(many=True, required=False, max_length=3)
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT,
                                       help_text="The version you saw; 409 when the handoff changed since.")

    def validate_stakeholders(self, value):
        roles = [item["role"] for item in value]
        if len(roles) != len(set(roles)):
            raise serializers.ValidationError(_("Give each role at most once."))
        return value


class FeasibilityConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_INT,
                                       help_text="The version you saw; 409 when the handoff changed since.")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField()


def handoff_data(opportunity: Opportunity, handoff: Handoff | None) -> dict:
    status = selectors.handoff_status(handoff, opportunity=opportunity, required=selectors.required_handoff_parts())
    tasks = selectors.onboarding_tasks(opportunity_ids=[opportunity.pk]).get(opportunity.pk, [])
    by = handoff.feasibility_confirmed_by if handoff else None
    return {
        "opportunity": opportunity.pk, "version": handoff.version if handoff else 1,
        "success_criteria": handoff.success_criteria if handoff else "",
        "target_30": handoff.target_30 if handoff else "", "target_60": handoff.target_60 if handoff else "",
        "target_90": handoff.target_90 if handoff else "", "promises": list(handoff.promises or []) if handoff else [],
        "stakeholders": [{"role": s.role, "contact": s.contact_id, "contact_name": s.contact.name}
                         for s in selectors.stakeholders_of(handoff)],
        "feasibility": {"confirmed": bool(handoff and handoff.feasibility_confirmed),
                        "confirmed_by": by.pk if by else None, "confirmed_by_name": str(by) if by else None,
                        "confirmed_at": handoff.feasibility_confirmed_at if handoff else None,
                        "note": handoff.feasibility_note if handoff else ""},
        "success_owner": opportunity.account.success_owner_id,
        "status": [{**row, "label": str(row["label"])} for row in status],
        "onboarding_tasks": tasks, "updated_at": handoff.updated_at if handoff else None,
    }


def _contacts(opportunity: Opportunity, stakeholders: list[dict]) -> dict:
    """{role: Contact or None}; a contact that is not the deal's account's is a 400."""
    ids = {item["contact"] for item in stakeholders if item["contact"] is not None}
    found = {c.pk: c for c in Contact.objects.filter(pk__in=ids, account_id=opportunity.account_id)}
    if ids - set(found):
        raise serializers.ValidationError({"stakeholders": [_("A stakeholder must be a contact of the deal's "
                                                              "account.")]})
    return {item["role"]: found.get(item["contact"]) for item in stakeholders}


def _write_responses(forbidden: str) -> dict:
    return {200: HandoffSerializer, 400: OpenApiResponse(description="invalid input"),
            403: OpenApiResponse(description=forbidden), 404: OpenApiResponse(description="not found or not yours"),
            409: OpenApiResponse(ConflictSerializer, description="changed by someone else")}


class _HandoffBase(APIView):
    def _opportunity(self, request, pk) -> Opportunity:
        return get_object_or_404(selectors.handoff_opportunity_queryset_for(user=request.user), pk=pk)

    def _response(self, opportunity):
        handoff = selectors.handoff_for(opportunity=opportunity)
        return Response(HandoffSerializer(handoff_data(opportunity, handoff)).data)


class HandoffApi(_HandoffBase):
    """A deal's sales-to-success handoff checklist. Readable by whoever sees the deal, the account's
    success owner, support and product (404 otherwise); changed by the deal's owner (and manager,
    admins) and the success owner (403 for other readers)."""

    @extend_schema(responses={200: HandoffSerializer, 404: OpenApiResponse(description="not found or not yours")})
    def get(self, request, pk):
        return self._response(self._opportunity(request, pk))

    @extend_schema(request=HandoffUpdateSerializer,
                   responses=_write_responses("you may read but not change this handoff"))
    def put(self, request, pk):
        opportunity = self._opportunity(request, pk)
        params = HandoffUpdateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        version = data.pop("version", None)
        if "stakeholders" in data:
            data["stakeholders"] = _contacts(opportunity, data["stakeholders"])
        services.handoff_update(opportunity=opportunity, by=request.user, expected_version=version, **data)
        return self._response(opportunity)


class HandoffConfirmFeasibilityApi(_HandoffBase):
    """Product confirms the deal's product feasibility (who and when are recorded); others get 403."""

    @extend_schema(request=FeasibilityConfirmSerializer,
                   responses=_write_responses("only the product role confirms feasibility"))
    def post(self, request, pk):
        opportunity = self._opportunity(request, pk)
        params = FeasibilityConfirmSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.handoff_confirm_feasibility(opportunity=opportunity, by=request.user,
                                             note=params.validated_data["note"],
                                             expected_version=params.validated_data.get("version"))
        return self._response(opportunity)
