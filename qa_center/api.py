"""The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Services raise Django's ValidationError; the API answers it as DRF's ValidationError, 400:
a ValidationError with fields becomes {field: [messages]} (its message_dict, "__all__" for
errors not tied to a field); one without fields becomes [messages]. Everything else is DRF's
default handler (which already turns Django's Http404 and PermissionDenied into 404 and 403).

The routers every app registers its viewsets on: their detail URLs take only digits for the
id (`lookup_value_regex`), so /calibrations/abc/results/ is a 404, never a lookup of "abc"."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    return drf_exception_handler(exc, context)


class _IdLookup:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = r"\d+"  # every model here has an integer id
        return super().get_lookup_regex(viewset, lookup_prefix)


class IdRouter(_IdLookup, SimpleRouter):
    """SimpleRouter whose detail routes match only integer ids."""


class IdDefaultRouter(_IdLookup, DefaultRouter):
    """DefaultRouter (with the API root) whose detail routes match only integer ids."""
