"""The bulletins API routes, included under api/v1/ by qa_center/urls.py."""

from .api import router

urlpatterns = router.urls
