"""Reading bulletins: which a user may see (through the permission module), the current
revision of each, unread markers."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from bulletins.models import Bulletin, BulletinRead, ImprovementTarget, Kind
from qa_center.permissions import has_capability, scope_queryset


def bulletins_for(user) -> QuerySet[Bulletin]:
    """The bulletins in the user's scope (a team lead: the team's; a department's manager:
    the department's and its teams'; the center's managers: all). Issued red-header notices
    are addressed to every department, so everyone who reads bulletins reads them; drafts only
    those who issue them."""
    if not has_capability(user, "read_bulletins"):
        return Bulletin.objects.none()
    everything = Bulletin.objects.all()
    scoped = scope_queryset(user, everything)
    notices = everything.filter(kind=Kind.MONTHLY, status=Bulletin.Status.ISSUED)
    visible = scoped | notices
    if not has_capability(user, "issue_bulletins"):
        visible = visible.exclude(kind=Kind.MONTHLY, status=Bulletin.Status.DRAFT)
    return visible


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


def targets_for(user) -> QuerySet[ImprovementTarget]:
    return scope_queryset(user, ImprovementTarget.objects.all()).select_related(
        "team", "department", "owner"
    )


def unread_count(user) -> int:
    return (
        current_only(bulletins_for(user))
        .filter(~Q(Exists(BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user))))
        .count()
    )
