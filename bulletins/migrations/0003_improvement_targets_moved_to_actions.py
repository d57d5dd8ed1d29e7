"""Improvement targets and their follow-ups are corrective actions now (audits.actions 0002:
ImprovementTarget, TargetFollowUp, each target with its CorrectiveAction). The rows are not
copied: migrations were restarted with this restructure and `seed_demo` recreates the demo's
targets; a database that holds real targets must re-record their open ones."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_split_open_target_constraint_amended_status"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="targetfollowup", name="follow_up_once_a_week"),
        migrations.DeleteModel(name="TargetFollowUp"),
        migrations.DeleteModel(name="ImprovementTarget"),
    ]
