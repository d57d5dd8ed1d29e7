"""Scorecards, built and published by the service from a definition.

make_scorecard()                          # DEFAULT_SCORECARD: items linked to engine rules
make_scorecard(REVIEW_SCORECARD)          # four weighted items, no rules: 100 at full marks
make_scorecard(WEEKLY_SCORECARD)          # hold + tone, the bulletins' evaluations
make_scorecard(REVIEW_SCORECARD, name="校准", publish=False)
"""

from __future__ import annotations

from typing import Any

from scoring.evaluations.models import Scorecard

#: greet (yes/no, weight 2, rule GREET), hold (yes/no, 1, HOLD), tone (scale 1–5, 2), leak
#: (critical, no N/A).
DEFAULT_SCORECARD: dict[str, Any] = {
    "name": "测试评分表",
    "pass_mark": 80,
    "sections": [
        {
            "title": "服务用语",
            "items": [
                {"code": "greet", "title": "您好", "weight": 2, "rule_code": "GREET"},
                {"code": "hold", "title": "请稍等", "weight": 1, "rule_code": "HOLD"},
            ],
        },
        {
            "title": "声调语气",
            "items": [
                {"code": "tone", "title": "声调自然", "kind": "scale", "weight": 2},
            ],
        },
        {
            "title": "流程规范",
            "items": [
                {
                    "code": "leak",
                    "title": "未泄露客户信息",
                    "weight": 1,
                    "critical": True,
                    "allow_na": False,
                },
            ],
        },
    ],
}

#: Three yes/no items (weights 40/30/20) and a 1–5 scale item of weight 10, none linked to a
#: rule (nothing is prefilled): a full-marks evaluation scores 100; REVIEW_ANSWERS 67.50.
REVIEW_SCORECARD: dict[str, Any] = {
    "name": "热线评分表",
    "pass_mark": 80,
    "sections": [
        {
            "title": "服务用语",
            "items": [
                {"code": "greet", "title": "开头语", "weight": 40},
                {"code": "verify", "title": "核实身份", "weight": 30},
                {"code": "close", "title": "结束语", "weight": 20},
                {
                    "code": "tone",
                    "title": "声调自然、清晰、柔和、亲切",
                    "kind": "scale",
                    "weight": 10,
                },
            ],
        }
    ],
}

#: hold (yes/no, weight 30) and tone (scale 1–8, weight 70: 10 points a step): hold yes with
#: tone 6, 7, 8 scores 80, 90, 100; hold no with tone 8 scores 70. Pass mark 80.
WEEKLY_SCORECARD: dict[str, Any] = {
    "name": "周报评分表",
    "pass_mark": 80,
    "sections": [
        {
            "title": "服务用语",
            "items": [
                {"code": "hold", "title": "请稍等", "weight": 30},
                {
                    "code": "tone",
                    "title": "声调自然",
                    "kind": "scale",
                    "scale_min": 1,
                    "scale_max": 8,
                    "weight": 70,
                },
            ],
        }
    ],
}


def make_scorecard(
    definition: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    publish: bool = True,
    actor=None,
) -> Scorecard:
    """A scorecard from `definition` (default DEFAULT_SCORECARD), under another `name` if
    given, created (and published unless `publish=False`) by the service. Publishing a second
    card of the same name supersedes the first."""
    from scoring.evaluations.services.scorecards import scorecard_create, scorecard_publish

    definition = dict(definition or DEFAULT_SCORECARD)
    if name is not None:
        definition["name"] = name
    card = scorecard_create(definition=definition, actor=actor)
    if publish:
        card = scorecard_publish(scorecard=card, actor=actor)
    return card


def make_big_scorecard(*, sections: int = 6, items_per_section: int = 8) -> Scorecard:
    definition = {
        "name": f"大评分表{sections}x{items_per_section}",
        "sections": [
            {
                "title": f"部分{s}",
                "items": [
                    {
                        "code": f"s{s}i{i}",
                        "title": f"项目{s}-{i}",
                        "kind": "scale" if i % 3 == 0 else "yes_no",
                        "rule_code": ["GREET", "HOLD", "THANKS"][i % 3] if i % 2 else "",
                    }
                    for i in range(items_per_section)
                ],
            }
            for s in range(sections)
        ],
    }
    return make_scorecard(definition)
