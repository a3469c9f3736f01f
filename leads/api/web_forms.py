"""The public web-to-lead endpoint: `POST /api/v1/public/forms/<key>/` (JSON or form-encoded), no
authentication, CORS for the form's allowed origins only, a rate limit per address."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.throttling import PublicFormThrottle

from ..models import WebForm
from ..services.web_forms import FORM_FIELDS, HONEYPOT_FIELD, UTM_FIELDS, origin_allowed, web_form_submit

SubmissionSerializer = inline_serializer("WebFormSubmission", fields={
    **{name: serializers.CharField(required=name == "email", allow_blank=name != "email")
       for name in (*FORM_FIELDS, *UTM_FIELDS)},
    HONEYPOT_FIELD: serializers.CharField(required=False, allow_blank=True,
                                         help_text="Honeypot: leave empty (hidden from people)."),
})


def _cors(response, origin: str | None):
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
    return response


class PublicFormView(APIView):
    """Submit a web-to-lead form. A new email creates a lead; a known email records a
    `form_submitted` event on its lead; either way (and for spam) the answer is the same 200."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicFormThrottle]
    parser_classes = [parsers.JSONParser, parsers.FormParser]

    def _form(self, key: str) -> WebForm:
        return get_object_or_404(WebForm.objects.select_related("posted_as", "owner"), key=key, is_active=True)

    @extend_schema(tags=["web-to-lead"], responses={200: None})
    def options(self, request, key):
        form = self._form(key)
        origin = request.headers.get("Origin")
        allowed = origin and origin_allowed(form, origin)
        return _cors(Response(status=status.HTTP_200_OK if allowed else status.HTTP_403_FORBIDDEN),
                     origin if allowed else None)

    @extend_schema(tags=["web-to-lead"], request=SubmissionSerializer, auth=[],
                   responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT,
                              404: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
    def post(self, request, key):
        form = self._form(key)
        origin = request.headers.get("Origin")
        if not origin_allowed(form, origin):
            return _cors(Response({"detail": _("This form does not accept submissions from this site.")},
                                  status=status.HTTP_403_FORBIDDEN), None)
        data = request.data
        if not hasattr(data, "get"):
            return _cors(Response({"detail": _("Send the form's fields as an object.")},
                                  status=status.HTTP_400_BAD_REQUEST), origin)
        try:
            web_form_submit(form=form, data=data)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return _cors(Response(detail, status=status.HTTP_400_BAD_REQUEST), origin)
        if form.success_url and not request.content_type.startswith("application/json"):
            return HttpResponseRedirect(form.success_url, status=303)
        return _cors(Response({"detail": _("Thank you, we have received your details.")}), origin)
