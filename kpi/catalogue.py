"""The standard hotline catalogue: the indicators every center watches, defined in words.

Loaded by `python manage.py kpi_catalogue` (and the demo) through kpi.services.catalogue_load,
which creates the missing ones and rewrites the wording of the existing ones (by code), leaving
owners and targets alone. Sources and conventions: ../shared/domain/KPI.md.

How abandoned calls count (the choice every center must write down): a call abandoned after
the short-abandon threshold (5 s of ringing) stays in the denominator of the service level and
of the answer rate — it was offered and not answered in time. A call abandoned within 5 s is
removed from numerator and denominator alike (a misdial, or a caller who hung up before anyone
could answer). The threshold is part of each definition below, so a change is a new definition.
"""

from __future__ import annotations

from dataclasses import dataclass

# Short abandons (seconds of ringing) removed from the offered calls.
SHORT_ABANDON_SECONDS = 5
# Days within which a repeat contact on the same matter makes the first one unresolved.
REPEAT_DAYS = 7


@dataclass(frozen=True)
class Entry:
    code: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    measure: str  # rate / mean / additive
    direction: str  # higher / lower
    period: str  # day / week / month / quarter
    source: str  # kpi.models.Indicator.Source
    unit: str = "%"
    scale: int = 100
    grain: str = "agent"
    rule_code: str = ""


_ABANDON_ZH = (
    f"振铃 {SHORT_ABANDON_SECONDS} 秒内放弃的来电（短时放弃）不计入分子和分母；"
    f"超过 {SHORT_ABANDON_SECONDS} 秒后放弃的来电计入分母（视为未及时接听）。"
)
_ABANDON_EN = (
    f"Calls abandoned within {SHORT_ABANDON_SECONDS} s of ringing (short abandons) are removed "
    f"from numerator and denominator; calls abandoned later stay in the denominator (offered, "
    f"not answered in time)."
)

CATALOGUE: tuple[Entry, ...] = (
    # --- Measured elsewhere (telephony, CRM, surveys): imported or pushed through the API ---
    Entry(
        "service_level",
        "接通率（20秒服务水平）",
        "Service level (20 s)",
        "20 秒内人工接听的来电数 ÷ 进入人工队列的来电数（呼入量）。" + _ABANDON_ZH,
        "Calls answered by an agent within 20 s ÷ calls offered to the agent queue. " + _ABANDON_EN,
        "rate",
        "higher",
        "day",
        "external",
    ),
    Entry(
        "answer_rate",
        "人工接听率",
        "Answer rate",
        "人工接听的来电数 ÷ 进入人工队列的来电数。" + _ABANDON_ZH,
        "Calls answered by an agent ÷ calls offered to the agent queue. " + _ABANDON_EN,
        "rate",
        "higher",
        "day",
        "external",
    ),
    Entry(
        "abandonment",
        "呼损率（放弃率）",
        "Abandonment rate",
        f"排队中放弃的来电数（振铃超过 {SHORT_ABANDON_SECONDS} 秒）÷ 进入人工队列的来电数"
        f"（不含 {SHORT_ABANDON_SECONDS} 秒内的短时放弃）。",
        f"Calls abandoned in the queue after {SHORT_ABANDON_SECONDS} s ÷ calls offered to the "
        f"agent queue (short abandons within {SHORT_ABANDON_SECONDS} s removed from both).",
        "rate",
        "lower",
        "day",
        "external",
    ),
    Entry(
        "aht",
        "平均处理时长",
        "Average handle time",
        "（通话时长 + 保持时长 + 话后处理时长）之和 ÷ 处理的来电数，单位秒。"
        "并非越短越好：应与一次解决率一起看。",
        "(Talk + hold + after-call work) summed ÷ calls handled, in seconds. Lower is not always "
        "better: read it beside first-contact resolution.",
        "mean",
        "lower",
        "week",
        "external",
        unit="s",
        scale=1,
    ),
    Entry(
        "fcr",
        "一次解决率",
        "First-contact resolution",
        f"{REPEAT_DAYS} 天内未就同一事项再次来电的来电数 ÷ 处理的来电数（内部口径；"
        "以回访调查为准时写明）。",
        f"Contacts with no repeat contact on the same matter within {REPEAT_DAYS} days ÷ "
        "contacts handled (internal measure; say so when a survey is used instead).",
        "rate",
        "higher",
        "month",
        "external",
    ),
    Entry(
        "repeat_calls",
        "重复来电率",
        "Repeat-call rate",
        f"{REPEAT_DAYS} 天内再次来电的来电人数 ÷ 来电人数。一次解决率的内部镜像。",
        f"Callers who call again within {REPEAT_DAYS} days ÷ callers. The internal mirror of "
        "first-contact resolution.",
        "rate",
        "lower",
        "week",
        "external",
    ),
    Entry(
        "csat",
        "满意度",
        "Customer satisfaction",
        "回访或按键评价中“满意”和“非常满意”的答复数 ÷ 答复数（前两项）。报告时附答复数。",
        "Satisfied and very satisfied answers ÷ answers (top-2 box) of the post-call survey. "
        "Report the number of answers beside it.",
        "rate",
        "higher",
        "month",
        "external",
    ),
    Entry(
        "complaints",
        "投诉率",
        "Complaint rate",
        "投诉件数 ÷ 处理的来电数，以万分之一计（‱）。升级投诉另行统计。",
        "Complaints ÷ calls handled, per 10,000 (‱). Escalated complaints are counted separately.",
        "rate",
        "lower",
        "month",
        "external",
        unit="‱",
        scale=10000,
    ),
    # --- Computed from QA Center's own data (kpi.services.internal_compute) -----------------
    Entry(
        "check_score",
        "自动质检得分",
        "Automatic-check score",
        "当日来电自动质检得分之和 ÷ 有得分的来电数（按来电时间、来电时的班组）。",
        "Sum of the automatic-check scores of the day's calls ÷ calls with a score (by the "
        "time of the call, with the team the agent was in).",
        "mean",
        "higher",
        "week",
        "check_score",
        unit="points",
        scale=1,
    ),
    Entry(
        "compliance",
        "规范达标率",
        "Compliance rate",
        "各条规则判为通过的次数 ÷ 规则适用的次数（不适用不计），按来电时间汇总。",
        "Rule checks passed ÷ rule checks where the rule applied (not applicable ones left out), "
        "over the calls of the day.",
        "rate",
        "higher",
        "month",
        "compliance",
    ),
    Entry(
        "qa_score",
        "质检得分",
        "QA score",
        "当日提交的质检员评分之和 ÷ 评分份数（校准评分不计）。",
        "Sum of the supervisors' evaluation scores submitted on the day ÷ evaluations "
        "(calibration scores left out).",
        "mean",
        "higher",
        "month",
        "supervisor_score",
        unit="points",
        scale=1,
    ),
    Entry(
        "pass_rate",
        "合格率",
        "Pass rate",
        "达到合格线的评分份数 ÷ 提交的评分份数（校准评分不计）。",
        "Evaluations at or above the pass mark ÷ evaluations submitted (calibration scores "
        "left out).",
        "rate",
        "higher",
        "month",
        "pass_rate",
    ),
    Entry(
        "critical_rate",
        "致命差错率",
        "Critical-failure rate",
        "有致命项不合格的评分份数 ÷ 提交的评分份数。",
        "Evaluations with a failed critical item ÷ evaluations submitted.",
        "rate",
        "lower",
        "month",
        "critical_rate",
    ),
    Entry(
        "dispute_rate",
        "申诉率",
        "Dispute rate",
        "当日提交的评分中被话务员申诉的份数 ÷ 当日提交的评分份数。",
        "Evaluations submitted on the day that the agent disputed ÷ evaluations submitted on "
        "the day.",
        "rate",
        "lower",
        "month",
        "dispute_rate",
    ),
    Entry(
        "overturn_rate",
        "申诉改判率",
        "Dispute overturn rate",
        "当日裁决的申诉项中改判或调整的项数 ÷ 当日裁决的申诉项数。",
        "Disputed items overturned or adjusted on the day ÷ disputed items decided on the day.",
        "rate",
        "lower",
        "month",
        "overturn_rate",
    ),
    Entry(
        "walkthrough_score",
        "走查得分",
        "Walk-through score",
        "部门当月制度流程走查的得分（审核模块），每月一个值，记在当月第一天。",
        "The department's walk-through score of the month (audits), one value a month, recorded "
        "on the month's first day.",
        "mean",
        "higher",
        "month",
        "walkthrough_score",
        unit="points",
        scale=1,
        grain="department",
    ),
    Entry(
        "actions_on_time",
        "措施按期完成率",
        "Actions closed on time",
        "到期日在当日的整改措施中，在到期日当天结束前完成的条数 ÷ 当日到期的条数"
        "（按措施所属部门；中心级措施不计入部门）。",
        "Corrective actions due on the day that were completed by the end of their due date ÷ "
        "actions due on the day (by the action's department; center-wide actions are not "
        "counted in a department).",
        "rate",
        "higher",
        "month",
        "actions_on_time",
        grain="department",
    ),
)

# The bulletins' three standards as KPI targets: bulletin setting → indicator code, and how the
# setting (a percentage or points) becomes the indicator's own units.
BULLETIN_STANDARDS = {
    "score": ("qa_score", "QA_BULLETIN_SCORE_STANDARD", 1),
    "pass_rate": ("pass_rate", "QA_BULLETIN_PASS_RATE_STANDARD", 100),
    "compliance": ("compliance", "QA_BULLETIN_COMPLIANCE_STANDARD", 100),
}
