"""An administrator creates the telephony system's API key in the admin, in Chinese, and the key
it shows is the one that lets measurements in."""

from __future__ import annotations

import re

from django.utils import translation
from rest_framework_api_key.models import APIKey

from tests.qa_center.test_chinese_interface import latin_words, visible_text

ADD = "/admin/qa_center/measurementapikey/add/"
LIST = "/admin/qa_center/measurementapikey/"


def test_an_admin_creates_a_key_and_is_shown_it_once_in_chinese(client, world):
    client.force_login(world.users["admin"])
    with translation.override("zh-hans"):
        page = client.get(ADD, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200
        answer = client.post(
            ADD,
            {"name": "话务系统", "expiry_date_0": "", "expiry_date_1": ""},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert answer.status_code == 200
    text = visible_text(answer.content.decode())
    shown = re.search(r"话务系统 的推送密钥是：([A-Za-z0-9.]+)。", text)
    assert shown, text[:2000]
    assert APIKey.objects.is_valid(shown.group(1))
    assert APIKey.objects.get().name == "话务系统"


def test_the_key_list_speaks_chinese(client, world):
    APIKey.objects.create_key(name="CRM")
    client.force_login(world.users["admin"])
    with translation.override("zh-hans"):
        text = visible_text(client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "指标数据推送密钥" in text
    prefix = set(latin_words(APIKey.objects.get().prefix, set()))
    assert latin_words(text, {world.users["admin"].username, "CRM"} | prefix) == set()
