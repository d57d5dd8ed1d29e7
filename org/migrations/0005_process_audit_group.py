"""The process-and-system building project group (制度流程建设项目组, domain brief §3), which
audits the processes on the spot, exists in every install; its members run the walk-throughs
(User.is_process_auditor, the denormalised membership the permission module reads)."""

from django.db import migrations, models

CODE = "process_audit"
NAME = "制度流程建设项目组"
RESPONSIBILITIES = (
    "建设与维护各部门的制度和标准作业流程；每月对抽中的制度流程开展现场穿越稽核，"
    "发起穿越、记录模拟演练和稽核发现，并作出保留、修订或废止的结论。"
)


def create_group(apps, schema_editor):
    WorkingGroup = apps.get_model("org", "WorkingGroup")
    WorkingGroup.objects.get_or_create(
        code=CODE, defaults={"name": NAME, "responsibilities": RESPONSIBILITIES}
    )


def drop_group(apps, schema_editor):
    apps.get_model("org", "WorkingGroup").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0004_seven_working_groups")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_process_auditor",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="制度流程建设项目组: audits the processes on the spot (walk-throughs).",
                verbose_name="member of the 制度流程建设项目组",
            ),
        ),
        migrations.RunPython(create_group, drop_group),
    ]
