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
