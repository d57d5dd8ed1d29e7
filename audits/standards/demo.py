"""Demo standards library of the 10086 hotline (after the organization and the calls, whose
demo activates the rule library): 5 systems (制度), 12 standard work processes (流程) with their
steps and required documents, 330 front-line answer specifications (规范) generated from
business scenarios × customer situations, the seven working groups with members and leads,
one revised process (version 2 in force), a draft being written, rollouts to the first
department's teams with most agents' acknowledgements. Idempotent: standards are keyed by code,
memberships by (group, user)."""

from __future__ import annotations

import random

from django.db import transaction

from audits.standards.models import Kind, Standard, Status
from org.models import Agent, Department, Role, User, WorkingGroup

# --- Systems (制度) ------------------------------------------------------------------------------

SYSTEMS = [
    (
        "ZD-001",
        "d1",
        "服务质量管理制度",
        "明确中心服务质量管理的组织架构（质量支撑层、提升落地层、稽核验证层）、各层职责、"
        "专人负责与专人监控要求，以及周通报、月度红头文件通报的发布机制。",
    ),
    (
        "ZD-002",
        "d3",
        "质检评分与申诉管理制度",
        "规定质检抽样比例、评分表的使用、一票否决项，话务员对质检结果的申诉时限（5个工作日）"
        "及客户代表投诉歧义评审小组的评审规则。",
    ),
    (
        "ZD-003",
        "d2",
        "客户信息安全管理制度",
        "客户身份核实（服务密码、证件号码后六位）、账户信息告知范围、通话录音与工单数据的"
        "访问权限及泄露处置要求。",
    ),
    (
        "ZD-004",
        "d1",
        "服务标准宣贯与培训制度",
        "新发布或修订的服务规范须在5个工作日内完成宣贯，班组长组织学习并确认全员已读，"
        "覆盖率纳入班组考核。",
    ),
    (
        "ZD-005",
        "d3",
        "投诉处理与升级管理制度",
        "投诉分级标准、首问负责制、24小时回复时限、升级条件（重复投诉、越级投诉、媒体曝光风险）"
        "及回访要求。",
    ),
]

# --- Standard work processes (流程): steps with the documents each requires -------------------

PROCESSES = [
    (
        "LC-001",
        "d1",
        "话费余额及账单查询流程",
        [
            ("核实客户身份", ["身份核验记录"]),
            ("查询余额与账单明细", ["系统查询截图"]),
            ("解释费用构成", ["资费说明"]),
            ("记录服务工单", ["服务工单"]),
        ],
    ),
    (
        "LC-002",
        "d1",
        "套餐变更受理流程",
        [
            ("核实客户身份", ["身份核验记录"]),
            ("了解需求并推荐套餐", ["套餐对比表"]),
            ("告知生效规则与违约条款", ["业务告知书"]),
            ("客户确认并办理", ["录音确认记录", "业务受理单"]),
            ("发送办理结果短信", ["短信下发记录"]),
        ],
    ),
    (
        "LC-003",
        "d1",
        "国际及港澳台漫游开通流程",
        [
            ("核实身份与信用额度", ["身份核验记录", "信用额度查询记录"]),
            ("推荐漫游流量包", ["漫游资费表"]),
            ("开通国际漫游功能", ["业务受理单"]),
            ("告知出境注意事项", ["漫游温馨提示"]),
        ],
    ),
    (
        "LC-004",
        "d1",
        "发票开具与补打流程",
        [
            ("核实身份与抬头信息", ["身份核验记录", "开票信息登记表"]),
            ("选择发票类型与账期", ["开票申请单"]),
            ("开具电子发票并发送", ["电子发票发送记录"]),
            ("归档", ["开票台账"]),
        ],
    ),
    (
        "LC-005",
        "d2",
        "家庭宽带故障报修流程",
        [
            ("核实宽带账号与装机地址", ["身份核验记录"]),
            ("远程诊断（光猫指示灯、重启）", ["远程诊断记录"]),
            ("派发故障工单", ["故障工单"]),
            ("预约上门时间", ["预约记录"]),
            ("修复后回访确认", ["回访记录"]),
        ],
    ),
    (
        "LC-006",
        "d2",
        "宽带新装预约流程",
        [
            ("确认地址资源覆盖", ["资源查询记录"]),
            ("推荐融合套餐", ["套餐对比表"]),
            ("登记装机信息", ["装机申请单"]),
            ("预约装维上门", ["预约记录"]),
        ],
    ),
    (
        "LC-007",
        "d2",
        "携号转网受理流程",
        [
            ("核实身份与转网资格", ["身份核验记录", "携转资格查询记录"]),
            ("告知在网协议与未结费用", ["携转告知书"]),
            ("挽留沟通", ["挽留记录"]),
            ("发送授权码", ["授权码下发记录"]),
        ],
    ),
    (
        "LC-008",
        "d2",
        "政企客户专席受理流程",
        [
            ("核实集团客户经办人", ["经办人授权书"]),
            ("受理集团业务需求", ["集团业务受理单"]),
            ("转客户经理跟进", ["转派工单"]),
            ("48小时内回复", ["回复记录"]),
        ],
    ),
    (
        "LC-009",
        "d3",
        "一般投诉处理流程",
        [
            ("记录投诉内容", ["投诉工单"]),
            ("核查事实", ["核查记录", "通话录音调取记录"]),
            ("提出处理方案", ["处理方案"]),
            ("答复客户", ["答复记录"]),
            ("归档", ["投诉台账"]),
        ],
    ),
    (
        "LC-010",
        "d3",
        "升级投诉处理流程",
        [
            ("识别升级条件", ["升级判定表"]),
            ("报送部门负责人", ["升级报告"]),
            ("组织专题处理", ["专题会议纪要"]),
            ("答复并回访", ["答复记录", "回访记录"]),
        ],
    ),
    (
        "LC-011",
        "d3",
        "投诉回访流程",
        [
            ("提取待回访工单", ["回访清单"]),
            ("电话回访满意度", ["回访记录"]),
            ("不满意工单重新派发", ["重派工单"]),
        ],
    ),
    (
        "LC-012",
        "d3",
        "质检申诉复核流程",
        [
            ("受理话务员申诉", ["申诉单"]),
            ("调听录音复核", ["复核记录"]),
            ("评审小组裁定", ["评审意见书"]),
            ("反馈结果并更新成绩", ["结果通知"]),
        ],
    ),
]

# --- Answer specifications (规范): business scenarios × customer situations -------------------

# (area code, department, business question, core answer, rule codes the answer enforces)
SCENARIOS = [
    (
        "YE",
        "d1",
        "查询话费余额",
        "您可以发送短信“CXHF”到10086查询，也可以在中国移动App首页查看实时余额",
        ["IDENTITY_BEFORE_ACCOUNT", "HOLD_BEFORE_LOOKUP"],
    ),
    (
        "ZD",
        "d1",
        "查询本月账单明细",
        "我马上为您查询本月账单，账单包含套餐月费、超出套餐的语音和流量费用以及增值业务费用",
        ["IDENTITY_BEFORE_ACCOUNT", "HOLD_BEFORE_LOOKUP"],
    ),
    (
        "TC",
        "d1",
        "变更资费套餐",
        "新套餐将于下月1日生效，本月仍按原套餐计费，合约期内的套餐变更需以协议约定为准",
        ["RE_EXPLAIN"],
    ),
    (
        "LL",
        "d1",
        "办理流量加油包",
        "流量加油包办理后立即生效，当月有效，月底未用完的流量不结转",
        ["PLEASE"],
    ),
    (
        "MY",
        "d1",
        "开通国际漫游",
        "国际漫游功能开通后即时生效，建议您出行前办理目的地流量包，避免产生高额流量费用",
        ["HOLD_BEFORE_LOOKUP"],
    ),
    (
        "MYF",
        "d1",
        "咨询漫游资费",
        "不同国家和地区的漫游资费不同，您可以在中国移动App“国际漫游”专区查询目的地资费",
        ["THANKS"],
    ),
    (
        "FP",
        "d1",
        "开具电子发票",
        "电子发票可在中国移动App“费用-发票服务”中开具，开具后将发送至您预留的邮箱",
        ["PLEASE", "THANKS"],
    ),
    (
        "BD",
        "d1",
        "补打历史发票",
        "可补打近12个月的月结发票，已开具过的发票不能重复开具，只能重新下载",
        ["APOLOGY_AGENT_UNMET"],
    ),
    (
        "TJ",
        "d1",
        "停机保号",
        "停机保号期间每月收取5元保号费，最长可办理6个月，期间号码不能拨打和接听电话",
        ["RE_EXPLAIN"],
    ),
    (
        "FJ",
        "d1",
        "欠费停机后复机",
        "缴清欠费后系统将在30分钟内自动为您复机，如未恢复请重启手机",
        ["APOLOGY_CUSTOMER_UNMET"],
    ),
    (
        "JF",
        "d1",
        "积分兑换",
        "积分可在中国移动App“积分商城”兑换话费或实物礼品，积分有效期为两年",
        ["THANKS"],
    ),
    (
        "TD",
        "d1",
        "退订增值业务",
        "我已为您查询到该增值业务，退订后立即生效，当月已产生的费用仍需正常缴纳",
        ["HOLD_BEFORE_LOOKUP", "APOLOGY_CUSTOMER_UNMET"],
    ),
    (
        "GS",
        "d1",
        "手机丢失挂失",
        "为保障您的账户安全，我先为您办理临时挂失停机，补卡请携带本人身份证到营业厅办理",
        ["IDENTITY_BEFORE_ACCOUNT"],
    ),
    (
        "MM",
        "d1",
        "重置服务密码",
        "服务密码可发送短信“CZMM”到10086重置，新密码将以短信方式下发",
        ["IDENTITY_BEFORE_ACCOUNT"],
    ),
    (
        "KD",
        "d2",
        "宽带无法上网",
        "请您先查看光猫的“光信号”指示灯，如为红色请检查光纤是否松动，我这边同时为您做远程检测",
        ["HOLD_BEFORE_LOOKUP", "RE_EXPLAIN"],
    ),
    (
        "KDS",
        "d2",
        "宽带网速慢",
        "建议您使用网线连接电脑测速，无线网络受距离和墙体影响，如测速仍低于签约速率我为您派单处理",
        ["RE_EXPLAIN"],
    ),
    (
        "KDX",
        "d2",
        "宽带新装",
        "我先为您查询装机地址的资源覆盖情况，有资源的话装维人员将在48小时内与您预约上门",
        ["HOLD_BEFORE_LOOKUP"],
    ),
    (
        "KDY",
        "d2",
        "宽带移机",
        "宽带移机需确认新地址有资源覆盖，移机后原账号和套餐保持不变",
        ["PLEASE"],
    ),
    (
        "KDC",
        "d2",
        "宽带拆机",
        "拆机需结清宽带费用并归还光猫，合约期内拆机需按协议支付违约金",
        ["APOLOGY_AGENT_UNMET"],
    ),
    (
        "IPTV",
        "d2",
        "电视无信号",
        "请您确认机顶盒电源和网线连接正常，并用遥控器切换到对应的信号源",
        ["RE_EXPLAIN"],
    ),
    (
        "XH",
        "d2",
        "携号转网",
        "携号转网需满足在网时长和无欠费条件，我先为您查询转网资格，您也可以了解一下我们的保号优惠",
        ["IDENTITY_BEFORE_ACCOUNT", "HOLD_BEFORE_LOOKUP"],
    ),
    (
        "ZW",
        "d2",
        "政企专线故障",
        "我已为您登记集团专线故障，客户经理将在2小时内与经办人联系",
        ["THANKS"],
    ),
    (
        "SM",
        "d2",
        "实名制登记",
        "根据实名制要求，号码需登记机主本人有效身份证件，您可以到就近营业厅办理",
        ["APOLOGY_AGENT_UNMET"],
    ),
    (
        "TS",
        "d3",
        "投诉乱扣费",
        "非常抱歉给您带来不便，我马上为您核查扣费明细，如确属不合理扣费将为您退费",
        ["APOLOGY_CUSTOMER_UNMET", "HOLD_BEFORE_LOOKUP"],
    ),
    (
        "TSX",
        "d3",
        "投诉信号差",
        "很抱歉给您带来困扰，我已为您登记信号问题，网络部门将在3个工作日内安排测试",
        ["APOLOGY_CUSTOMER_UNMET"],
    ),
    (
        "TSF",
        "d3",
        "投诉服务态度",
        "非常抱歉让您有了不好的体验，我已详细记录您反映的情况，相关部门将在24小时内回复您",
        ["APOLOGY_CUSTOMER_UNMET", "THANKS"],
    ),
    (
        "SR",
        "d3",
        "骚扰电话举报",
        "感谢您的举报，请您提供骚扰号码和来电时间，我们将核实并按规定处理",
        ["THANKS"],
    ),
    (
        "HF",
        "d3",
        "投诉处理进度查询",
        "我为您查询一下工单处理进度，工单当前在处理中，处理人员将在承诺时限内联系您",
        ["HOLD_BEFORE_LOOKUP"],
    ),
    (
        "SJ",
        "d3",
        "投诉升级诉求",
        "您的诉求我已完整记录，将升级至部门负责人处理，并在24小时内给您答复",
        ["APOLOGY_CUSTOMER_UNMET"],
    ),
    (
        "BC",
        "d3",
        "要求赔偿",
        "很抱歉，您的赔偿诉求需按照服务协议核定，我先为您登记并由专人与您联系",
        ["APOLOGY_AGENT_UNMET"],
    ),
]

# (situation code, how the customer presents, what the agent adds for this situation)
SITUATIONS = [
    ("01", "个人客户来电", ""),
    ("02", "老年客户来电", "请放慢语速、重复关键信息，必要时请其家人协助"),
    ("03", "外地号码客户来电", "提醒客户部分业务需到号码归属地办理"),
    ("04", "客户情绪激动", "先安抚情绪、表示理解，再解释处理办法"),
    ("05", "客户第二次来电询问", "先致歉未能一次解决，并查看上次的服务记录"),
    ("06", "客户无法提供服务密码", "请客户通过短信验证码核验身份后再告知账户信息"),
    ("07", "代办人来电", "仅告知可公开的业务规则，不得透露机主的账户信息"),
    ("08", "政企集团成员来电", "确认是否为集团统付账户，必要时转政企专席"),
    ("09", "客户正在境外", "提醒客户境外接听来电也会产生漫游费用"),
    ("10", "客户要求转人工复核", "说明复核时限并记录工单"),
    ("11", "客户通过在线客服咨询", "文字答复同样使用规范用语，并附上办理链接"),
]

OWNERS = [
    # username, full name, department code: the demo owners and monitors of each department
    ("owner_d1", "刘海燕", "d1"),
    ("monitor_d1", "黄建国", "d1"),
    ("owner_d2", "陈晓东", "d2"),
    ("monitor_d2", "赵雪", "d2"),
    ("owner_d3", "杨丽华", "d3"),
    ("monitor_d3", "吴志强", "d3"),
]

# Working group code → (lead, members)
GROUP_MEMBERS = {
    "wording": ("supervisor2", ["owner_d1", "owner_d2", "monitor_d1"]),
    "outsourcing": ("manager", ["owner_d2", "monitor_d2"]),
    "service_quality": ("manager", ["teamlead", "owner_d3"]),
    "frontline_qa": ("supervisor", ["supervisor2", "monitor_d1"]),
    "phone_manager_qa": ("owner_d2", ["monitor_d2", "supervisor2"]),
    "full_process_qa": ("auditor", ["owner_d3", "monitor_d3"]),
    "dispute_review": ("supervisor", []),
    # 制度流程建设项目组: the auditor leads it (and approves abolitions); supervisor2, not an
    # auditor, runs walk-throughs of 客户服务一部 as its member.
    "process_audit": ("auditor", ["supervisor2"]),
}


def _users() -> dict[str, User]:
    from org.demo import DEMO_PASSWORD

    departments = {d.code: d for d in Department.objects.all()}
    for username, full_name, dep in OWNERS:
        if dep not in departments:
            continue
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": Role.SUPERVISOR,
                "department": departments[dep],
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
    return {u.username: u for u in User.objects.filter(is_active=True)}


def _groups(users: dict[str, User]) -> dict[str, WorkingGroup]:
    from org.services import working_group_member_add

    groups = {g.code: g for g in WorkingGroup.objects.all()}
    for code, (lead, members) in GROUP_MEMBERS.items():
        group = groups.get(code)
        if group is None:
            continue
        if lead in users:
            working_group_member_add(group=group, user=users[lead], is_lead=True)
        for member in members:
            if member in users:
                working_group_member_add(group=group, user=users[member])
    return groups


def specifications() -> list[dict]:
    """The 330 answer specifications: every scenario in every situation."""
    rows = []
    for area, dep, question, answer, rules in SCENARIOS:
        for code, situation, addition in SITUATIONS:
            text = f"您好，{answer}。"
            if addition:
                text += f"（{situation}：{addition}。）"
            text += "请问还有其他可以帮您的吗？感谢您的来电。"
            rows.append(
                {
                    "code": f"GF-{area}-{code}",
                    "department": dep,
                    "title": f"{question}（{situation}）",
                    "question": f"{situation}：{question}怎么办理/怎么答复？",
                    "answer": text,
                    "rule_codes": rules,
                }
            )
    return rows


def _create(*, by, department, working_group, owner, monitor, publish=True, **content) -> Standard:
    from audits.standards.services import standard_create, version_publish

    standard = standard_create(
        by=by,
        department=department,
        working_group=working_group,
        owner=owner,
        monitor=monitor,
        **content,
    )
    if publish:
        version_publish(version=standard.versions.get(), by=by, reason="首次发布")
    return standard


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> dict:
    from audits.standards.services import (
        acknowledgement_record,
        rollout_create,
        standard_revise,
        version_publish,
        version_update,
    )
    from scoring.rules.services import active_library

    rng = rng or random.Random(12)
    users = _users()
    admin = users.get("admin")
    if admin is None:
        return {}
    groups = _groups(users)
    departments = {d.code: d for d in Department.objects.all()}
    existing = set(Standard.objects.values_list("code", flat=True))
    library = active_library()
    known_rules = {r.get("code") for r in library.definition.get("rules", [])} if library else set()

    def people(dep: str) -> tuple[User | None, User | None]:
        if dep == "d1":
            return users.get("supervisor"), users.get("supervisor2")
        return users.get(f"owner_{dep}"), users.get(f"monitor_{dep}")

    for code, dep, title, body in SYSTEMS:
        if code in existing or dep not in departments:
            continue
        owner, monitor = users.get(f"owner_{dep}"), users.get(f"monitor_{dep}")
        _create(
            by=admin,
            code=code,
            kind=Kind.SYSTEM,
            title=title,
            body=body,
            department=departments[dep],
            working_group=groups.get("service_quality"),
            owner=owner,
            monitor=monitor,
        )
    for code, dep, title, steps in PROCESSES:
        if code in existing or dep not in departments:
            continue
        owner, monitor = people(dep)
        _create(
            by=admin,
            code=code,
            kind=Kind.PROCESS,
            title=title,
            body=f"本流程规定{title[:-2]}的标准作业步骤，每一步须留存所列单据。",
            department=departments[dep],
            working_group=groups.get("full_process_qa"),
            owner=owner,
            monitor=monitor,
            steps=[{"title": t, "required_documents": docs} for t, docs in steps],
        )
    for row in specifications():
        if row["code"] in existing or row["department"] not in departments:
            continue
        owner, monitor = people(row["department"])
        _create(
            by=admin,
            code=row["code"],
            kind=Kind.SPECIFICATION,
            title=row["title"],
            question=row["question"],
            answer=row["answer"],
            department=departments[row["department"]],
            working_group=groups.get("wording"),
            owner=owner,
            monitor=monitor,
            rule_codes=[c for c in row["rule_codes"] if c in known_rules],
        )

    # One process revised: version 2 in force, version 1 superseded.
    revised = Standard.objects.filter(code="LC-005").first()
    if revised is not None and revised.versions.count() == 1:
        draft = standard_revise(
            standard=revised, by=admin, reason="故障工单须在派单前完成远程诊断，补充诊断记录单据"
        )
        version_update(
            version=draft,
            by=admin,
            steps=[{"title": t, "required_documents": d} for t, d in PROCESSES[4][3]]
            + [{"title": "故障原因归类", "required_documents": ["故障分类统计表"]}],
        )
        version_publish(version=draft, by=admin, reason="穿越发现问题后修订")
    # One system being rewritten: a draft for its owner.
    rewriting = Standard.objects.filter(code="ZD-004").first()
    if rewriting is not None and not rewriting.versions.filter(status=Status.DRAFT).exists():
        standard_revise(standard=rewriting, by=admin, reason="宣贯时限由5个工作日调整为3个工作日")

    # Rollouts of the first department's specifications and processes, mostly read.
    d1 = departments.get("d1")
    rolled = 0
    if d1 is not None:
        teams = list(d1.teams.order_by("code"))
        to_roll = list(
            Standard.objects.filter(department=d1, status=Status.PUBLISHED, kind=Kind.PROCESS)
        ) + list(
            Standard.objects.filter(
                department=d1, status=Status.PUBLISHED, code__endswith="-01"
            ).order_by("code")[:10]
        )
        agent_users = {
            u.agent_id: u for u in User.objects.filter(role=Role.AGENT, agent__team__department=d1)
        }
        agents = list(Agent.objects.filter(team__department=d1, is_active=True))
        for standard in to_roll:
            version = standard.published_version
            if version.rollouts.exists():
                continue
            rollout_create(version=version, by=admin, teams=teams)
            rolled += 1
            from audits.standards.models import Acknowledgement

            share = rng.uniform(0.55, 0.95)
            Acknowledgement.objects.bulk_create(
                [
                    Acknowledgement(version=version, agent=agent)
                    for agent in agents
                    if rng.random() < share and agent.pk not in agent_users
                ],
                ignore_conflicts=True,
            )
            # The demo agent has read the processes, not yet the specifications.
            if standard.kind == Kind.PROCESS:
                for user in agent_users.values():
                    acknowledgement_record(standard=standard, user=user)
    counts = {
        kind.value: Standard.objects.filter(kind=kind).count()
        for kind in (Kind.SYSTEM, Kind.PROCESS, Kind.SPECIFICATION)
    }
    if stdout:
        stdout.write(f"standards: {counts}, rollouts this run: {rolled}")
    return counts
