"""Reading bulletins: which a user may see (through the permission module), the current
revision of each, unread markers."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from bulletins.models import Bulletin, BulletinRead
from qa_center.permissions import visible_bulletins


def bulletins_for(user) -> QuerySet[Bulletin]:
    """The bulletins the user may read (the permission module's rule, which also tells who a
    bulletin's notification may reach): a team lead the team's; a department's manager the
    department's and its teams'; the center's managers all; the issued red-header notices
    everyone who reads bulletins; a draft notice only those who issue them."""
    return visible_bulletins(user, Bulletin.objects.all())


def current_only(queryset: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    """Only the highest revision of each (kind, scope, period)."""
    newer = Bulletin.objects.filter(
        kind=OuterRef("kind"),
        scope_key=OuterRef("scope_key"),
        period_start=OuterRef("period_start"),
        revision__gt=OuterRef("revision"),
    )
    return queryset.filter(~Exists(newer))


def with_unread(queryset: QuerySet[Bulletin], user) -> QuerySet[Bulletin]:
    read = BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user)
    return queryset.annotate(is_read=Exists(read))


def revisions_of(bulletin: Bulletin) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(
        kind=bulletin.kind, scope_key=bulletin.scope_key, period_start=bulletin.period_start
    ).order_by("-revision")


def unread_count(user) -> int:
    return (
        current_only(bulletins_for(user))
        .filter(~Q(Exists(BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user))))
        .count()
    )
