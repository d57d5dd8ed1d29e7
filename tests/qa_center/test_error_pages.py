from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"), [("zh-hans", "页面不存在"), ("en", "Page not found")]
)
def test_404_page_in_both_languages(world, language, text):
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(world.users["manager"])
    response = client.get("/org/agents/999999/")
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"), [("zh-hans", "您无权打开此页面"), ("en", "You may not open this page")]
)
def test_403_page_in_both_languages(world, language, text):
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(world.users["agent"])
    response = client.get("/org/")
    assert response.status_code == 403
    assert text in response.content.decode()


def test_500_page_renders_without_the_database(rf, settings):
    from qa_center.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "500" in response.content.decode()


def test_chinese_is_the_default_whatever_the_browser_asks_for(world):
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    response = client.get("/accounts/login/")
    assert "登录质检中心" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"
