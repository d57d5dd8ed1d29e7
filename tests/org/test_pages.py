from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_every_role_lands_on_home_with_its_navigation(client, world):
    for key, user in world.users.items():
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200, key
        body = response.content.decode()
        assert user.display_name in body
        org_link = f'href="{reverse("org:overview")}"'
        if user.role == "agent":
            assert org_link not in body
        else:
            assert org_link in body


def test_agent_directory_finds_by_pinyin_initials(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("org:agent_list"), {"q": "zw"})
    names = [agent.name for agent in response.context["page"]]
    assert names == ["张伟"]


def test_agent_directory_sorts_by_pinyin(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("org:agent_list"))
    names = [agent.name for agent in response.context["page"]]
    # chen, li, liu, wang, yang, zhang, zhao
    assert names == ["陈静", "李娜", "刘洋", "王芳", "杨磊", "张伟", "赵敏"]
