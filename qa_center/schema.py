"""The API schema's AutoSchema (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): every operation also
documents the error answers it can give, so that the schema tells the whole truth.

drf-spectacular documents only the success answer unless a view says otherwise; the error
answers follow from how every view here works, so they are added here once:

- 403 on every operation behind a permission: not signed in, a wrong password, or a role
  without the capability. (Never 401: SessionAuthentication comes first and gives no
  WWW-Authenticate challenge, so DRF answers unauthenticated requests with 403.)
- 404 where there is an id in the path (outside the caller's scope is 404, like the pages)
  and on paginated lists (a page past the end);
- 400 where there is a body or a query parameter to validate, or a change a service may
  refuse (publishing a published scorecard): {field: [messages]} or
  [messages] (qa_center.api.exception_handler), or {"detail": …} for an unreadable body.
  Where a view documents its own 400 body (an import's failed job, a rule library's
  problems), the validation error of the request itself is documented beside it.
- 415 where there is a body: one not of the documented content types.

Answers a view gives beyond these (409 for a stale version, …) are declared on the view."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


VALIDATION_ERROR = {
    "description": (
        "The request's fields with their messages ({field: [messages]}, nested for nested "
        "fields), a list of messages not tied to a field, or {detail: message} for a body "
        "that cannot be read."
    ),
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ],
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        if writes or "requestBody" in operation or any(name != "page" for name in query):
            self._add_validation_error(responses)
        if "requestBody" in operation:
            responses.setdefault("415", self._error("The body is not of a documented type."))
        if "{" in path or "page" in query:
            responses.setdefault("404", self._error("Not found, or outside your scope."))
        if any(not issubclass(p, AllowAny) for p in self.view.permission_classes):
            responses.setdefault(
                "403", self._error("Not signed in, or your role lacks the capability.")
            )
        return operation

    def _error(self, description: str) -> dict:
        response = self._get_response_for_code(ApiErrorSerializer, "403")
        return {**response, "description": description}

    def _add_validation_error(self, responses: dict) -> None:
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="ValidationError",
            schema=VALIDATION_ERROR,
        )
        self.registry.register_on_missing(component)
        if "400" not in responses:
            responses["400"] = {
                "content": {"application/json": {"schema": component.ref}},
                "description": "The request is invalid.",
            }
            return
        for media in responses["400"].get("content", {}).values():
            if media.get("schema") != component.ref:
                media["schema"] = {"anyOf": [media["schema"], component.ref]}
