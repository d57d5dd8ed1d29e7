"""The hotline's seven working groups (domain brief §2) exist in every install; the dispute
reviewers flagged so far (User.is_reviewer) become members of the complaint-dispute review
group, which from now on decides who they are."""

from django.db import migrations

GROUPS = [
    (
        "wording",
        "标准口径统一小组",
        "统一前台答复口径：起草、评审并维护一线答复规范，保证各部门对同一业务问题答复一致。",
    ),
    (
        "outsourcing",
        "外包项目管理小组",
        "管理外包话务项目：服务标准的落地、外包质量考核与整改跟踪。",
    ),
    (
        "service_quality",
        "服务质量提升小组",
        "针对通报中的短板制定提升目标与整改措施，跟踪落实并验证效果。",
    ),
    ("frontline_qa", "一线质检小组", "一线话务员通话质检：按评分表抽检、评分、反馈与校准。"),
    ("phone_manager_qa", "电话经理质检小组", "电话经理（客户经理）外呼与回访的质检。"),
    ("full_process_qa", "全流程质检小组", "从受理到办结的全流程质检：后台工单、流程制度执行情况。"),
    (
        "dispute_review",
        "客户代表投诉歧义评审小组",
        "评审话务员对质检结果的申诉（投诉歧义），作出维持或改判的裁定。",
    ),
]


def create_groups(apps, schema_editor):
    WorkingGroup = apps.get_model("org", "WorkingGroup")
    Membership = apps.get_model("org", "WorkingGroupMembership")
    User = apps.get_model("org", "User")
    for code, name, responsibilities in GROUPS:
        WorkingGroup.objects.get_or_create(
            code=code, defaults={"name": name, "responsibilities": responsibilities}
        )
    review = WorkingGroup.objects.get(code="dispute_review")
    for user in User.objects.filter(is_reviewer=True):
        Membership.objects.get_or_create(group=review, user=user)


def drop_groups(apps, schema_editor):
    apps.get_model("org", "WorkingGroup").objects.filter(
        code__in=[code for code, _name, _r in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0003_working_groups")]

    operations = [migrations.RunPython(create_groups, drop_groups)]
