"""python manage.py kpi_api_key NAME — an API key for the telephony/CRM system."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create an API key that can post measurements to /api/v1/measurements/ and nothing else "
        "(header: Authorization: Api-Key <key>). The key is printed once; revoke it in the admin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Who uses it, e.g. telephony.")

    def handle(self, *args, **options) -> None:
        from rest_framework_api_key.models import APIKey

        _key, raw = APIKey.objects.create_key(name=options["name"])
        self.stdout.write(raw)
