"""Demo calls: the starter rule library (active), some 6,000 calls of the last eight weeks with
Chinese transcripts and timing, and their automatic checks. Idempotent: skipped when the demo
calls exist. Quick: rows are built in memory, written with bulk_create, checked in process."""

from __future__ import annotations

import datetime
import random
import re
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.utils import timezone

from org.models import Agent, User
from org.selectors import memberships_by_agent, team_id_on
from qa_center.periods import WEEK, current, previous
from scoring.calls.models import Call, CallCheck, ImportJob, Review
from scoring.calls.search import search_text_of
from scoring.calls.services.checks import call_checks_run
from scoring.rules.services import STARTER_LIBRARY, library_load_file

CALLS = 6000
WEEKS = 8
DEMO_PREFIX = "DEMO-"
FOCUS_TEAM = "d1-t1"  # the demo team lead's team gets more calls

TOPICS = {
    "话费": {
        "ask": ["我想查一下这个月的话费", "我这个月话费怎么扣了这么多", "帮我看看我还欠多少话费"],
        "lookup": ["好的，我帮您查询一下本月的话费账单", "我这边帮您查一下话费明细"],
        "answer": [
            "您本月话费是{n}元，其中套餐费58元，语音超出{m}元",
            "您本月账单{n}元，包含套餐月费和{m}元的增值业务费",
        ],
    },
    "流量": {
        "ask": ["我流量是不是用超了", "想问下还剩多少流量", "我想办个流量包"],
        "lookup": ["好的，我为您查询一下流量使用情况", "我帮您查一下流量余量"],
        "answer": [
            "您本月套餐内流量还剩{m}GB，已使用{n}GB",
            "目前有10元3GB和30元15GB两种流量包，您看需要哪一种",
        ],
    },
    "套餐": {
        "ask": ["我想换个便宜点的套餐", "现在有什么优惠套餐吗", "我这个套餐每个月多少钱"],
        "lookup": ["好的，我为您查询一下适合您的套餐", "我帮您查一下您当前的套餐"],
        "answer": [
            "您当前是{n}元套餐，可以改为38元的畅享套餐，下月生效",
            "根据您的使用情况，推荐58元套餐，含30GB流量和500分钟通话",
        ],
    },
    "宽带": {
        "ask": ["我家宽带连不上了", "宽带网速特别慢", "我想报修一下宽带"],
        "lookup": ["好的，我帮您查一下宽带的线路状态", "我为您核查一下您家的宽带端口"],
        "answer": [
            "线路显示正常，建议您先重启一下光猫和路由器",
            "已经为您提交报修工单，维修师傅会在24小时内联系您",
        ],
    },
}
GREETINGS = [
    "您好，很高兴为您服务，我是{no}号话务员",
    "您好，10086很高兴为您服务，请问有什么可以帮您",
    "您好，工号{no}为您服务，请问有什么可以帮您",
]
SLOPPY_GREETINGS = ["喂，请讲", "喂喂，啥事", "10086，请讲"]
IDENTITY = [
    "为了保护您的信息，请您提供一下机主身份证后四位",
    "请问您是机主本人吗？麻烦您说一下服务密码进行验证",
]
IDENTITY_ANSWERS = ["是我本人，后四位是{id}", "密码是{id}{id}", "好的，身份证后四位{id}"]
# Before verifying the caller, an agent now and then mentions "您的话费" or "您的余额": the
# starter library counts those two phrases as ambiguous (weak evidence), so the identity rule's
# critical failure on them alone makes the call *to confirm*. Most of these sentences disclose
# nothing (a supervisor rejects the failure); a few do say an amount (confirmed).
WEAK_ACCOUNT = [
    "您的话费明细可以在手机营业厅里随时查看",
    "您的余额变动我们都会发短信提醒您",
    "您的话费账单每月三号会发到您的手机上",
]
WEAK_ACCOUNT_DISCLOSED = ["您的话费一共{n}元，我再帮您核对一下", "您的余额只剩{m}元了"]
HOLD = ["请稍等", "请您稍等", "请稍等片刻"]
CONFUSED = ["我没听明白，什么意思", "这个我听不懂", "不太明白你说的"]
RE_EXPLAIN = [
    "对不起，可能是我解释的不清楚，我再给您解释一下：{answer}",
    "不好意思，我换个说法，{answer}",
]
UNMET = ["那能不能帮我减免一下", "这个为什么不行", "那就是办不了是吧"]
APOLOGY = ["很抱歉，没能帮助到您，这个费用暂时无法减免", "非常抱歉，这个业务目前确实无法办理"]
FORBIDDEN = ["这个我也不知道", "这不归我管", "你自己去查吧", "跟你说了多少遍了", "我也没办法"]
CLOSINGS = [
    "请问还有其他可以帮您的吗",
    "请问还有什么可以帮您",
]
CUSTOMER_THANKS = ["没有了，谢谢", "好的，谢谢你", "没有了"]
FAREWELLS = ["感谢您的来电，祝您生活愉快，再见", "感谢您的来电，再见"]


class _Dialogue:
    """Turns with believable timing: speaking time from the text length and the speaker's
    rate, pauses between turns, now and then a long silence or an interruption."""

    def __init__(self, rng: random.Random, agent_rate: float, quality: float) -> None:
        self.rng = rng
        self.rate = agent_rate  # characters per minute
        self.quality = quality
        self.t = round(rng.uniform(0.3, 1.0), 1)
        self.turns: list[dict] = []

    def say(self, speaker: str, text: str, *, pause: float | None = None) -> None:
        rng = self.rng
        if self.turns:
            if pause is None:
                pause = rng.uniform(0.3, 1.4)
                if speaker == "agent" and self.turns[-1]["speaker"] == "customer":
                    # Interruptions: the agent starts before the customer finished.
                    if rng.random() < 0.06 + 0.12 * (1 - self.quality):
                        pause = -rng.uniform(0.6, 1.8)
            self.t = max(self.turns[-1]["start"] + 0.2, self.t + pause)
        rate = self.rate if speaker == "agent" else rng.uniform(170, 260)
        length = len(text.replace("，", "").replace("。", "").replace("？", ""))
        duration = max(0.6, length / rate * 60 * rng.uniform(0.9, 1.1))
        start = round(self.t, 1)
        end = round(self.t + duration, 1)
        self.turns.append({"speaker": speaker, "text": text, "start": start, "end": end})
        self.t = end


def _transcript(rng: random.Random, agent: Agent, profile: dict) -> list[dict]:
    quality = profile["quality"]
    d = _Dialogue(rng, profile["rate"], quality)

    def slip(base: float) -> bool:
        """Whether the agent slips this time: more often for a weaker agent."""
        return rng.random() < base * (1.6 - quality)

    no = agent.employee_no[1:]
    if slip(0.05):
        d.say("agent", rng.choice(SLOPPY_GREETINGS))
    else:
        d.say("agent", rng.choice(GREETINGS).format(no=no) + "。")
    topic = TOPICS[rng.choices(list(TOPICS), weights=[4, 3, 2, 2])[0]]
    d.say("customer", rng.choice(topic["ask"]) + "。")
    n, m = rng.randint(38, 268), rng.randint(1, 30)
    answer = rng.choice(topic["answer"]).format(n=n, m=m)
    if rng.random() < 0.025:
        line = (
            rng.choice(WEAK_ACCOUNT) if rng.random() < 0.7 else rng.choice(WEAK_ACCOUNT_DISCLOSED)
        )
        d.say("agent", line.format(n=n, m=m) + "。")
    identity_first = not slip(0.06)
    # A slow answer after the customer spoke is a silence the rules catch.
    slow = rng.uniform(11, 25) if slip(0.06) else None
    if identity_first:
        d.say("agent", rng.choice(IDENTITY) + "。", pause=slow)
        slow = None
        d.say("customer", rng.choice(IDENTITY_ANSWERS).format(id=rng.randint(1000, 9999)) + "。")
        d.say("agent", "好的，已经核实您的身份，谢谢。")
    lookup = rng.choice(topic["lookup"])
    if slip(0.12):
        d.say("agent", lookup + "。", pause=slow)
    else:
        d.say("agent", lookup + "，" + rng.choice(HOLD) + "。", pause=slow)
    d.say("agent", answer + "。", pause=rng.uniform(2, 15))
    if not identity_first:
        d.say("customer", "你都没核实我身份就告诉我？")
        d.say("agent", "抱歉，请您提供一下身份证后四位，我补充验证一下。")
        d.say("customer", "后四位" + str(rng.randint(1000, 9999)) + "。")
    if rng.random() < 0.18:
        d.say("customer", rng.choice(CONFUSED) + "？")
        if slip(0.2):
            d.say("agent", "就是" + answer + "，你听不懂吗。" if slip(0.2) else "就是" + answer)
        else:
            d.say("agent", rng.choice(RE_EXPLAIN).format(answer=answer) + "。")
        d.say("customer", "哦，这下明白了。")
    if rng.random() < 0.14:
        d.say("customer", rng.choice(UNMET) + "？")
        if slip(0.2):
            d.say("agent", "这是规定没办法。" if slip(0.3) else "这个确实办不了。")
        else:
            d.say("agent", rng.choice(APOLOGY) + "，您可以关注我们后续的优惠活动。")
        d.say("customer", "那好吧。")
    if slip(0.04):
        d.say("customer", "那我还能怎么办？")
        d.say("agent", rng.choice(FORBIDDEN) + "。")
    if rng.random() < 0.3:
        d.say("customer", "好的，那就这样吧。")
    if slip(0.07):
        d.say("agent", "好的，那先这样。")
        d.say("customer", "嗯。")
        return d.turns
    d.say("agent", rng.choice(CLOSINGS) + "？")
    d.say("customer", rng.choice(CUSTOMER_THANKS) + "。")
    d.say("agent", rng.choice(FAREWELLS) + "。")
    return d.turns


def _started_at(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    zone = timezone.get_current_timezone()
    day = timezone.localdate(now) - datetime.timedelta(days=rng.randrange(WEEKS * 7))
    # Busy mornings and evenings, 08:00–22:00.
    hour = rng.choices(range(8, 22), weights=[5, 9, 10, 8, 6, 5, 7, 8, 7, 6, 7, 8, 6, 3])[0]
    moment = datetime.datetime.combine(
        day, datetime.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=zone
    )
    return min(moment, now - datetime.timedelta(minutes=5))


def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(20261102)
    library = library_load_file(path=STARTER_LIBRARY, activate=True)
    if Call.objects.filter(call_id__startswith=DEMO_PREFIX).exists():
        if stdout:
            stdout.write("  demo calls exist, skipped")
        return
    agents = list(
        Agent.objects.filter(is_active=True).select_related("team").order_by("employee_no")
    )
    if not agents:
        return
    admin = User.objects.filter(role="admin").order_by("pk").first()
    weights = [3.0 if agent.team.code == FOCUS_TEAM else 1.0 for agent in agents]
    profiles = {
        agent.pk: {
            "quality": min(1.0, max(0.2, rng.gauss(0.75, 0.18))),
            "rate": rng.choice([rng.uniform(190, 270)] * 9 + [rng.uniform(300, 340)]),
        }
        for agent in agents
    }
    memberships = memberships_by_agent(agent.pk for agent in agents)
    now = timezone.now()
    with transaction.atomic():
        job = None
        if admin:
            job = ImportJob.objects.create(
                created_by=admin,
                filename="demo-calls.jsonl",
                format=ImportJob.Format.JSONL,
                status=ImportJob.Status.DONE,
                total=CALLS,
                processed=CALLS,
                imported=CALLS,
                finished_at=now,
            )
        rows: list[Call] = []
        chosen = rng.choices(agents, weights=weights, k=CALLS)
        moments = sorted(_started_at(rng, now) for _ in range(CALLS))
        for index, (agent, started_at) in enumerate(zip(chosen, moments, strict=True)):
            turns = _transcript(rng, agent, profiles[agent.pk])
            day = timezone.localtime(started_at).date()
            channel = Call.Channel.CHAT if rng.random() < 0.1 else Call.Channel.VOICE
            rows.append(
                Call(
                    call_id=f"{DEMO_PREFIX}{day:%Y%m%d}-{index + 1:05d}",
                    agent=agent,
                    team_id=team_id_on(memberships.get(agent.pk, []), agent.team_id, day),
                    started_at=started_at,
                    duration_seconds=turns[-1]["end"],
                    channel=channel,
                    turns=turns,
                    search_text=search_text_of(turns),
                    import_job=job,
                )
            )
        created = Call.objects.bulk_create(rows, batch_size=1000)
        if created and created[0].pk is None:
            created = list(Call.objects.filter(call_id__startswith=DEMO_PREFIX))
        # The real check path: the engine's compact results, and a call whose critical
        # failure rests only on weak evidence is to confirm.
        call_checks_run(call_ids=[call.pk for call in created], library_id=library.pk)
        decided = _decide_old_reviews(now)
    to_confirm = CallCheck.objects.filter(
        call__call_id__startswith=DEMO_PREFIX, review=Review.TO_CONFIRM
    ).count()
    if stdout:
        stdout.write(
            f"  {len(created)} demo calls with automatic checks ({library}); weak critical "
            f"failures: {decided} decided by supervisors, {to_confirm} to confirm"
        )


DISCLOSED = re.compile(r"您的(话费|余额)[^，。]*\d+元")


@contextmanager
def _at(moment: datetime.datetime):
    """Makes `timezone.now()` return `moment`: a decision is dated when it was taken."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _decide_old_reviews(now: datetime.datetime) -> int:
    """The supervisors' decisions on the calls to confirm of the weeks before last (those of
    last week and this week stay to confirm: the sampling plans put them first in the demo
    supervisors' queues). A supervisor reads the turn the weak evidence points to: it said an
    amount (confirmed: the zero stands) or it did not (rejected: the rule is wrong here)."""
    from scoring.calls.services.reviews import critical_review_decide

    cutoff = timezone.make_aware(
        datetime.datetime.combine(previous(current(WEEK)).first_day, datetime.time())
    )
    department_supervisors: dict[int, list[User]] = {}
    for user in User.objects.filter(role="supervisor", is_active=True).order_by("username"):
        department_supervisors.setdefault(user.department_id, []).append(user)
    admin = User.objects.filter(role="admin").order_by("pk").first()
    pending = (
        Call.objects.filter(
            call_id__startswith=DEMO_PREFIX,
            auto_check__review=Review.TO_CONFIRM,
            started_at__lt=cutoff,
        )
        .select_related("team")
        .order_by("started_at", "pk")
    )
    decided = 0
    for index, call in enumerate(pending):
        people = department_supervisors.get(call.team.department_id) or [admin]
        by = people[index % len(people)]
        if by is None:
            continue
        said = [t["text"] for t in call.turns if t["speaker"] == "agent"]
        disclosed = any(DISCLOSED.search(text) for text in said)
        moment = min(now, call.started_at + datetime.timedelta(hours=2 + index % 30))
        with _at(moment):
            critical_review_decide(
                call=call,
                by=by,
                decision="confirmed" if disclosed else "rejected",
                note="未核实身份即告知金额" if disclosed else "只是业务说明，未告知账户信息",
            )
        decided += 1
    return decided
