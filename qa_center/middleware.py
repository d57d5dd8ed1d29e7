"""Language: Simplified Chinese unless the user chose otherwise with the language switch."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not consulted: the
    hotline works in Chinese, whatever language a workstation's browser happens to be set
    to. A choice made with the switch (the language cookie) is kept."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy (settings.PERMISSIONS_POLICY): the pages use no camera,
    microphone, location, payment or USB, so a script that got in could not ask for them either.
    Django has no setting for this header (django-csp covers Content-Security-Policy only)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
