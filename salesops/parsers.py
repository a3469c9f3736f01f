"""Request parsers (apart from salesops.api: DRF's APIView reads DEFAULT_PARSER_CLASSES when
rest_framework.views is imported, which salesops.api does)."""
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class StrictMultiPartParser(parsers.MultiPartParser):
    """Django reads a multipart body without any well-formed part as empty data, so garbage would
    pass as "change nothing"; a body with content but no parts is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        if request is not None and int(request.META.get("CONTENT_LENGTH") or 0) and not result.data \
                and not result.files:
            raise exceptions.ParseError(_("The multipart body has no parts."))
        return result
