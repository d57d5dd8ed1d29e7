from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_lands_on_home(client, world):
    response = _login(client, "supervisor", "pw")
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_says_so_and_stays(client, world):
    response = _login(client, "supervisor", "nope")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "supervisor", "nope")
    response = _login(client, "supervisor", "pw")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode() or "登录" in (
        response.content.decode()
    )


def test_logout_is_a_post_and_ends_the_session(client, world):
    client.force_login(world.users["manager"])
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, world):
    client.force_login(world.users["manager"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "a-Much-better-pass-42",
            "new_password2": "a-Much-better-pass-42",
        },
    )
    assert response.status_code == 302
    world.users["manager"].refresh_from_db()
    assert world.users["manager"].check_password("a-Much-better-pass-42")


def test_passwords_are_hashed_with_argon2_outside_tests():
    from qa_center.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert base.SESSION_COOKIE_AGE <= 12 * 3600


def test_pages_need_a_login(client, world):
    response = client.get(reverse("org:overview"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_admin_site_works_for_admins_only(client, world):
    client.force_login(world.users["admin"])
    assert client.get("/admin/org/agent/").status_code == 200
    client.force_login(world.users["supervisor"])
    assert client.get("/admin/org/agent/").status_code == 302
