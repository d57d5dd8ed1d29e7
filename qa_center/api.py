"""The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Services raise Django's ValidationError; the API answers it as DRF's ValidationError, 400:
a ValidationError with fields becomes {field: [messages]} (its message_dict, "__all__" for
errors not tied to a field); one without fields becomes [messages]. Everything else is DRF's
default handler (which already turns Django's Http404 and PermissionDenied into 404 and 403)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    return drf_exception_handler(exc, context)
