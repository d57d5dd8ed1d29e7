"""Admin for calibration sessions (read-mostly: sessions are run on their pages)."""

from __future__ import annotations

from django.contrib import admin

from scoring.calibration.models import CalibrationSession


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "status", "reference_score", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "call__call_id"]
    filter_horizontal = ["participants"]
    raw_id_fields = ["call"]
