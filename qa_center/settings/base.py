"""Settings shared by every environment, read from the environment.

With nothing set, QA Center runs on a SQLite file under var/, with Celery tasks executed in
process and a local-memory cache. Set DATABASE_URL and REDIS_URL to use PostgreSQL and Redis.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qa_center.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)
# Only the development default; production.py refuses to start without SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "qa_center.third_party_apps.AxesConfig",
    "csp",
    "qa_center.third_party_apps.ApiKeyConfig",
    # Lowest first: each app imports only the ones above it (README, "Layout").
    "qa_center.apps.QaCenterConfig",
    "org",
    "scoring.rules",
    "scoring.calls",
    "scoring.evaluations",
    "scoring.sampling",
    "scoring.disputes",
    "scoring.calibration",
    "audits.actions",
    "audits.standards",
    "audits.inspections",
    "audits.walkthroughs",
    "audits.layers",
    "kpi",
    "bulletins",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files (SVG can hold script) carry the headers too.
    "csp.middleware.CSPMiddleware",
    "qa_center.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qa_center.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "home.urls"
WSGI_APPLICATION = "qa_center.wsgi.application"
ASGI_APPLICATION = "qa_center.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "qa_center.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qa_center.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} cannot be used: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://"
    )

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without Redis there is no worker: tasks run in process, at the moment they are enqueued.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60)
# Jobs are written to be idempotent, so a job whose worker died is safe to run again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged goes back to the queue after this many seconds
# (Redis' visibility timeout; kombu's default is an hour). It must exceed the hard time limit,
# or a slow task still running would be handed to a second worker.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 5 * 60)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must be longer than "
        f"CELERY_TASK_TIME_LIMIT={CELERY_TASK_TIME_LIMIT} (seconds)."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# The periodic schedule, in code. Each job documents itself in README.md ("Periodic jobs").
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "health-heartbeat": {
        "task": "qa_center.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # the 8 hours count from the last request, not the login

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Internationalization -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security headers -----------------------------------------------------------------------
# Content-Security-Policy (django-csp): the pages load only our own scripts, styles, images and
# fonts, with no inline script or style and no eval; templates have no inline <script>, no on*=
# handler and no style="" (tests/qa_center/test_security_headers.py keeps it so). The API docs
# pages relax it on their URLs only (home/urls.py). Recordings are played from the call system's
# server: media-src names it (QA_RECORDING_ORIGINS; media cannot run script).
QA_RECORDING_ORIGINS = env_list("QA_RECORDING_ORIGINS", ["https:"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", *QA_RECORDING_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (qa_center.middleware): no page uses any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "QA Center <qa-center@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["qa_center.permissions.IsAuthenticatedWithRole"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's, documenting the error answers too (400, 403, 404).
    "DEFAULT_SCHEMA_CLASS": "qa_center.schema.AutoSchema",
    # Django's ValidationError from the services → 400 with its messages.
    "EXCEPTION_HANDLER": "qa_center.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QA Center API",
    "DESCRIPTION": _("Service-quality management for a telephone hotline."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- QA Center ------------------------------------------------------------------------------
QA_CENTER_NAME = env_str("QA_CENTER_NAME", "QA Center")
QA_DEMO = env_bool("QA_DEMO", False)

# --- Call import and automatic checks (scoring.calls) ------------------------------------------
# Uploads above this size are refused before they are read.
QA_IMPORT_MAX_BYTES = env_int("QA_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# A line (JSON Lines, CSV) longer than this is refused: no transcript needs a megabyte per line.
QA_IMPORT_MAX_LINE_BYTES = env_int("QA_IMPORT_MAX_LINE_BYTES", 1024 * 1024)
# XLSX is a zip: refuse archives that would expand beyond this, or compress suspiciously well.
QA_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("QA_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
QA_IMPORT_MAX_ZIP_RATIO = env_int("QA_IMPORT_MAX_ZIP_RATIO", 100)
# Files with more calls than this import in a Celery job with a progress bar.
QA_IMPORT_ASYNC_CALLS = env_int("QA_IMPORT_ASYNC_CALLS", 2000)
# Calls per automatic-check task.
QA_CHECK_BATCH_SIZE = env_int("QA_CHECK_BATCH_SIZE", 500)

# --- Sampling, disputes, calibration (scoring.*) -----------------------------------------------
# Each Monday 07:00 (center time) every active sampling plan draws from the previous week.
CELERY_BEAT_SCHEDULE["sampling-weekly"] = {
    "task": "sampling.run_weekly",
    "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
}
# Every night 02:30 (center time) the evaluations' history is verified (verify_history).
CELERY_BEAT_SCHEDULE["evaluations-verify-history"] = {
    "task": "evaluations.verify_history",
    "schedule": crontab(minute=30, hour=2),
}
# Days after an evaluation is submitted during which its agent may dispute it.
QA_DISPUTE_WINDOW_DAYS = env_int("QA_DISPUTE_WINDOW_DAYS", 7)
# A rule is flagged (rule library page, weekly bulletin) when the supervisors' verdicts put the
# precision of its failures, or its agreement with them, below this percentage, once it has at
# least QA_RULE_MIN_VERDICTS verdicts (failures, for precision) in the period.
QA_RULE_PRECISION_THRESHOLD = env_int("QA_RULE_PRECISION_THRESHOLD", 80)
QA_RULE_MIN_VERDICTS = env_int("QA_RULE_MIN_VERDICTS", 5)
if not 0 <= QA_RULE_PRECISION_THRESHOLD <= 100 or QA_RULE_MIN_VERDICTS < 1:
    raise ImproperlyConfigured(
        "QA_RULE_PRECISION_THRESHOLD must be 0..100 and QA_RULE_MIN_VERDICTS at least 1."
    )
# Enum names in the API schema for choice sets that share a field name ("status", "format").
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ImportJobStatusEnum": "scoring.calls.models.ImportJob.Status",
        "RuleLibraryStatusEnum": "scoring.rules.models.RuleLibrary.Status",
    }
)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ScorecardStatusEnum": "scoring.evaluations.models.Scorecard.Status",
        "EvaluationStatusEnum": "scoring.evaluations.models.Evaluation.Status",
    }
)

# --- Bulletins (bulletins) ------------------------------------------------------------------
# Weekly bulletins every Monday 08:00 (center time) for the week before; monthly red-header
# drafts on the 1st at 08:00 for the month before. Both idempotent: running twice is harmless.
CELERY_BEAT_SCHEDULE["bulletins-weekly"] = {
    "task": "bulletins.weekly",
    "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["bulletins-monthly"] = {
    "task": "bulletins.monthly",
    "schedule": crontab(minute=0, hour=8, day_of_month=1),
}
# --- KPI (kpi) ------------------------------------------------------------------------------
# Period closes for the indicators watched on each period (kpi.tasks), in center time, before
# the bulletins read them: yesterday at 01:00, the week before on Mondays 01:30, the month
# before on the 1st at 02:00, the quarter before on 1 Jan/Apr/Jul/Oct at 02:30. Idempotent.
CELERY_BEAT_SCHEDULE["kpi-close-day"] = {
    "task": "kpi.close_day",
    "schedule": crontab(minute=0, hour=1),
}
CELERY_BEAT_SCHEDULE["kpi-close-week"] = {
    "task": "kpi.close_week",
    "schedule": crontab(minute=30, hour=1, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["kpi-close-month"] = {
    "task": "kpi.close_month",
    "schedule": crontab(minute=0, hour=2, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["kpi-close-quarter"] = {
    "task": "kpi.close_quarter",
    "schedule": crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
}
# The red masthead of the monthly notice, and its number ({year}, {seq}).
QA_ISSUING_UNIT = env_str("QA_ISSUING_UNIT", "客户服务中心质量管理部")
QA_NOTICE_NUMBER_FORMAT = env_str("QA_NOTICE_NUMBER_FORMAT", "冀客服质〔{year}〕{seq}号")
try:
    QA_NOTICE_NUMBER_FORMAT.format(year=2026, seq=1)
except (KeyError, IndexError, ValueError):
    raise ImproperlyConfigured(
        f"QA_NOTICE_NUMBER_FORMAT={QA_NOTICE_NUMBER_FORMAT!r} may use only {{year}} and {{seq}}."
    ) from None
# Standards (percent / points): below them a team, agent, rule or item is a shortfall (短板).
QA_BULLETIN_PASS_RATE_STANDARD = env_int("QA_BULLETIN_PASS_RATE_STANDARD", 90)
QA_BULLETIN_COMPLIANCE_STANDARD = env_int("QA_BULLETIN_COMPLIANCE_STANDARD", 90)
QA_BULLETIN_SCORE_STANDARD = env_int("QA_BULLETIN_SCORE_STANDARD", 80)
# Fewer observations than this in a week do not make a shortfall (one bad call is not a trend).
QA_BULLETIN_MIN_SAMPLE = env_int("QA_BULLETIN_MIN_SAMPLE", 5)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "BulletinKindEnum": "bulletins.models.Kind",
        "BulletinLevelEnum": "qa_center.levels.BULLETIN_LEVELS",
        "BulletinStatusEnum": "bulletins.models.Bulletin.Status",
        "ImprovementTargetStatusEnum": "audits.actions.models.ImprovementTarget.Status",
        "ImprovementTargetLevelEnum": "qa_center.levels.TARGET_LEVELS",
    }
)

# --- Process walk-throughs (audits.walkthroughs) ----------------------------------------------
# The month's draw on the 1st at 06:00 (center time); every 5 minutes, the notice of any
# document window that ended without one (the deadline itself is data, not a timer).
CELERY_BEAT_SCHEDULE["walkthroughs-draw-month"] = {
    "task": "walkthroughs.draw_month",
    "schedule": crontab(minute=0, hour=6, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["walkthroughs-deadline-sweep"] = {
    "task": "walkthroughs.deadline_sweep",
    "schedule": crontab(minute="*/5"),
}
# A document uploaded for a walk-through step is refused above this size.
QA_WALKTHROUGH_MAX_UPLOAD_BYTES = env_int("QA_WALKTHROUGH_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "WalkthroughStatusEnum": "audits.walkthroughs.models.Walkthrough.Status",
        "WalkthroughVerdictEnum": "audits.walkthroughs.models.Walkthrough.Verdict",
        "FindingGradeEnum": "audits.walkthroughs.models.Finding.Grade",
        "DrillResultEnum": "audits.walkthroughs.models.WalkthroughStep.Drill",
    }
)

# --- Corrective actions (audits.actions) ------------------------------------------------------
# Every day at 09:00 (center time), open actions past their due date are escalated, once, to
# their department's managers.
CELERY_BEAT_SCHEDULE["actions-escalate-overdue"] = {
    "task": "actions.escalate_overdue",
    "schedule": crontab(minute=0, hour=9),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CorrectiveActionStatusEnum": "audits.actions.models.CorrectiveAction.Status",
        "CorrectiveActionSourceEnum": "audits.actions.models.CorrectiveAction.Source",
    }
)

# --- Inspections (audits.inspections) ---------------------------------------------------------
# The 1st of every month at 07:00 (center time), the scheduled self-inspections are opened.
CELERY_BEAT_SCHEDULE["inspections-schedule"] = {
    "task": "inspections.schedule",
    "schedule": crontab(minute=0, hour=7, day_of_month=1),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "SelfInspectionStatusEnum": "audits.inspections.models.SelfInspection.Status",
        "ChecklistResultEnum": "audits.inspections.models.ChecklistItem.Result",
        "ThirdPartyMethodEnum": "audits.inspections.models.ThirdPartyEvaluation.Method",
    }
)

# --- API schema: one name per choice set shared by several apps' components -----------------
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "UnitLevelEnum": "qa_center.levels.Level",
        "KpiPeriodEnum": "kpi.models.PERIOD_CHOICES",
        "IndicatorSourceEnum": "kpi.models.Indicator.Source",
        "CorrectiveActionSourceEnum": "audits.actions.models.CorrectiveAction.Source",
        "CorrectiveActionStatusEnum": "audits.actions.models.CorrectiveAction.Status",
        "StandardKindEnum": "audits.standards.models.Kind",
        "StandardStatusEnum": "audits.standards.models.Status",
        "DisputeItemDecisionEnum": "scoring.disputes.models.DisputeItem.Decision",
        "CriticalReviewDecisionEnum": "scoring.calls.models.CriticalReview.Decision",
        "OverrideKindEnum": "scoring.evaluations.models.OverrideKind",
        "KpiTargetStatusEnum": "kpi.models.Target.Status",
    }
)
