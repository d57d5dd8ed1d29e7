from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views

from org.demo import DEMO_LOGINS


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The demo's logins are shown only on a demo server (make demo sets QA_DEMO=1).
        context["demo_logins"] = DEMO_LOGINS if getattr(settings, "QA_DEMO", False) else ()
        return context
