"""The API keys in the admin under our translated names (see qa_center.models.MeasurementApiKey):
the package's own registration is replaced."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from qa_center.models import MeasurementApiKey

admin.site.unregister(APIKey)


@admin.register(MeasurementApiKey)
class MeasurementApiKeyAdmin(APIKeyModelAdmin):
    list_display = (
        "prefix_shown",
        "name_shown",
        "created_shown",
        "expiry_date",
        "expired",
        "revoked_shown",
    )
    # Few keys, no filter or search needed; Django's search box and boolean icons carry English
    # alt texts ("Search", "False") that its catalogue does not translate.
    list_filter = ()
    search_fields = ()

    def save_model(self, request, obj, form=None, change=False):
        # The package's message is English only (formatted before it is translated).
        if obj.pk:
            obj.save()
            return
        key = self.model.objects.assign_key(obj)
        obj.save()
        messages.warning(
            request,
            _(
                "The API key for %(name)s is: %(key)s. Store it somewhere safe: it will not be "
                "shown again."
            )
            % {"name": obj.name, "key": key},
        )

    @admin.display(description=_("prefix"), ordering="prefix")
    def prefix_shown(self, obj):
        return obj.prefix

    @admin.display(description=_("name"), ordering="name")
    def name_shown(self, obj):
        return obj.name

    @admin.display(description=_("revoked"), ordering="revoked")
    def revoked_shown(self, obj):
        return _("yes") if obj.revoked else _("no")

    @admin.display(description=_("created"), ordering="created")
    def created_shown(self, obj):
        return obj.created

    @admin.display(description=_("expired"))
    def expired(self, obj):
        return _("yes") if obj.has_expired else _("no")


admin.site.site_header = _("QA Center administration")
admin.site.site_title = _("QA Center administration")
admin.site.index_title = _("Data and settings")
