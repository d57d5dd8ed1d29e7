"""The navigation bar names pages by URL name: a renamed or missing page is an error here, not a
link that silently disappears."""

from __future__ import annotations

from django.urls import reverse

from qa_center.navigation import NAVIGATION, nav_for
from qa_center.permissions import CAPABILITIES, has_capability


def test_every_entry_names_a_page():
    for item in NAVIGATION:
        assert reverse(item.url_name).startswith("/")


def test_each_role_sees_the_entries_of_its_capabilities(world):
    for role in CAPABILITIES:
        user = world.users[role]
        urls = [entry["url"] for entry in nav_for(user, "/")]
        expected = [
            reverse(item.url_name)
            for item in NAVIGATION
            if item.capability is None or has_capability(user, item.capability)
        ]
        assert urls == expected, role
