"""API routes of this app (gathered under /api/v1/ by home.urls)."""

urlpatterns: list = []
