"""Telling people something: in the app, and by email where they have an address."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from qa_center.models import Notification
from qa_center.permissions import notification_recipients


def notify(
    *,
    users: Iterable,
    about,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
) -> list:
    """Creates one notification per user who may open `about`, the row the notification
    points to (its page is `url`); emails those with an address after commit. The others are
    dropped here, so that no title or body (a call id, an agent's reason) reaches someone to
    whom the page would be a 404. Returns the users notified."""
    users = notification_recipients(users, about)
    Notification.objects.bulk_create(
        [Notification(user=user, title=title, body=body, url=url) for user in users]
    )
    if email:
        messages = [
            (title, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in users
            if user.email
        ]
        if messages:
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return users


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
