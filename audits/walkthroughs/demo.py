"""Demo walk-throughs (after the standards demo): the two months before this one walked to the
end — documents (a few late), drill, findings with their corrective actions, verdicts, one of
them "revise" (a new draft for the owner), one "abolish" (a proposal awaiting the managers'
approval) — and this month drawn, with one walk-through started
so that its owner sees the hour running. Idempotent: a month drawn already is left as it is."""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from org.models import User
from qa_center import periods

from .models import Walkthrough, WalkthroughDocument, WalkthroughDraw, WalkthroughStep

FINDINGS = [
    ("minor", "处理记录缺少回访时间，无法核实是否在时限内回复客户。"),
    ("minor", "受理登记表为旧版，缺少客户身份核验栏。"),
    ("major", "归档环节无任何记录，流程实际未执行。"),
    ("observation", "部分步骤依赖个人经验，建议补充操作示例。"),
    ("good_practice", "台账清晰，每一步均可追溯到工单号。"),
]
DRILL_NOTES = {
    "missing": "演练中无法出示该步骤的记录。",
    "unreasonable": "时限要求与实际工单量不符。",
}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo walk-through document\n%%EOF\n")


def _walk(walkthrough: Walkthrough, *, auditor: User, rng: random.Random, verdict: str, at) -> None:
    from .services import (
        finding_record,
        walkthrough_conclude,
        walkthrough_document_upload,
        walkthrough_drill_record,
        walkthrough_start,
    )

    walkthrough = walkthrough_start(walkthrough=walkthrough, by=auditor)
    steps = list(walkthrough.steps.all())
    late_step = rng.choice(steps) if rng.random() < 0.5 else None
    for step in steps:
        if step is late_step:
            continue
        walkthrough_document_upload(
            walkthrough=walkthrough, step=step, by=walkthrough.owner, file=_pdf(f"{step.title}.pdf")
        )
    # The hour passes; a late document is kept but does not count.
    Walkthrough.objects.filter(pk=walkthrough.pk).update(
        documents_due_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    walkthrough.refresh_from_db()
    if late_step is not None:
        walkthrough_document_upload(
            walkthrough=walkthrough,
            step=late_step,
            by=walkthrough.owner,
            file=_pdf(f"{late_step.title}（补交）.pdf"),
        )
    results = []
    for step in steps:
        result = rng.choices(["done", "missing", "unreasonable"], weights=[7, 2, 1])[0]
        results.append({"step": step.pk, "result": result, "note": DRILL_NOTES.get(result, "")})
    walkthrough_drill_record(walkthrough=walkthrough, by=auditor, results=results)
    grades = [FINDINGS[0]] if verdict == "revise" else rng.sample(FINDINGS, k=rng.randint(1, 2))
    for grade, text in grades:
        finding_record(
            walkthrough=walkthrough,
            by=auditor,
            grade=grade,
            description=text,
            step=rng.choice(steps),
            action_due_on=timezone.localdate() + datetime.timedelta(days=rng.randint(7, 21)),
        )
    reason = {
        "revise": "回访时限要求不明确，修订处理与回复步骤。",
        "abolish": "该制度内容已并入新版客户信息保护制度，建议废止。",
    }.get(verdict, "")
    walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict=verdict, reason=reason)
    # Dated within its month, as if walked then.
    started = at + datetime.timedelta(hours=9 + rng.randint(0, 6))
    Walkthrough.objects.filter(pk=walkthrough.pk).update(
        started_at=started,
        documents_due_at=started + Walkthrough.WINDOW,
        deadline_notified_at=started + Walkthrough.WINDOW,
        concluded_at=started + datetime.timedelta(hours=3),
    )
    WalkthroughStep.objects.filter(walkthrough=walkthrough).update(
        drilled_at=started + datetime.timedelta(hours=2)
    )
    WalkthroughDocument.objects.filter(step__walkthrough=walkthrough, late=False).update(
        uploaded_at=started + datetime.timedelta(minutes=30)
    )
    WalkthroughDocument.objects.filter(step__walkthrough=walkthrough, late=True).update(
        uploaded_at=started + datetime.timedelta(minutes=75)
    )


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> dict:
    from .services import walkthrough_start, walkthroughs_draw_month

    rng = rng or random.Random(2026)
    auditor = User.objects.filter(username="auditor", is_active=True).first()
    if auditor is None:
        return {}
    from audits.standards.models import Standard

    if not Standard.objects.filter(status="published", kind__in=["system", "process"]).exists():
        return {}  # the standards demo has not run: nothing to walk through yet
    this_month = periods.current(periods.MONTH)
    months = [periods.previous(periods.previous(this_month)), periods.previous(this_month)]
    revised = abolished = False
    for month in months:
        if WalkthroughDraw.objects.filter(month=month.first_day).exists():
            continue
        result = walkthroughs_draw_month(month=month.first_day)
        for walkthrough in result.created:
            if walkthrough.owner_id == auditor.pk:
                continue
            verdict = "keep"
            if not revised and walkthrough.standard.kind == "process":
                verdict, revised = "revise", True
            elif not abolished and month == months[-1] and walkthrough.standard.kind == "system":
                # Proposed only: it waits for the manager's approval (the standard stays).
                verdict, abolished = "abolish", True
            _walk(walkthrough, auditor=auditor, rng=rng, verdict=verdict, at=month.start)
    if not WalkthroughDraw.objects.filter(month=this_month.first_day).exists():
        result = walkthroughs_draw_month(month=this_month.first_day)
        first = next((w for w in result.created if w.owner_id != auditor.pk), None)
        if first is not None:
            walkthrough_start(walkthrough=first, by=auditor)
    counts = {
        "walkthroughs": Walkthrough.objects.count(),
        "concluded": Walkthrough.objects.filter(status=Walkthrough.Status.CONCLUDED).count(),
    }
    if stdout is not None:
        stdout.write(
            f"walk-throughs: {counts['walkthroughs']} over three months, "
            f"{counts['concluded']} concluded"
        )
    return counts
