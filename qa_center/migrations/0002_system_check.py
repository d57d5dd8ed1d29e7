from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("qa_center", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SystemCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True)),
                ("ok", models.BooleanField()),
                ("summary", models.JSONField(blank=True, default=dict)),
                ("checked_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "system check",
                "verbose_name_plural": "system checks",
            },
        ),
    ]
