"""The rule library page shows each rule's exceptions (unless) and weak-evidence phrases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import active_hotline

pytestmark = pytest.mark.django_db


def test_library_page_shows_unless_and_ambiguous(client, world):
    library = active_hotline()
    client.force_login(world.users["admin"])
    response = client.get(reverse("rules:library_detail", args=[library.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="unless-IDENTITY_BEFORE_ACCOUNT"')
    unless = html[start : html.index("</span>\n", start)]
    assert "退回" in unless and "到账" in unless
    start = html.index('data-testid="unless-FORBIDDEN_SEVERE"')
    assert "8" in html[start : html.index("</span>\n", start)]  # the window
    assert 'data-testid="ambiguous-IDENTITY_BEFORE_ACCOUNT"' in html
    assert 'data-testid="unless-GREETING"' not in html
