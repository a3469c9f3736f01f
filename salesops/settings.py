"""SalesOps settings: one module, configured by environment variables.

Every value has an embedded default so `bin/run` works with no server: SQLite in the project folder
and Celery tasks executed eagerly in-process. Set DATABASE_URL / CELERY_BROKER_URL (or REDIS_URL)
to run on PostgreSQL with real workers. See README "Configuration".
"""
from datetime import timedelta
from pathlib import Path

import environ
import plotly
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (50+ random characters) "
            "or set DEBUG=1 for local development."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "salesops.apps.SalesOpsConfig",
    "teams",
    "integrations",
    "leads",
    "pipeline",
    "customers",
    "dashboards",
]

MIDDLEWARE = [
    "salesops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "salesops.middleware.RequestBodyLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"
ASGI_APPLICATION = "salesops.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "teams.context_processors.notifications",
                "customers.context_processors.tasks",
            ],
            # date, datetime, month, number, money: one way to show them (salesops/formats)
            "builtins": ["salesops.templatetags.formatting"],
        },
    },
]

# --- Cache ----------------------------------------------------------------------------------------
# Built dashboards (dashboards.board_cache), backtests and API rate limits (DRF throttling: the
# processes serving the API count together only with a shared cache) live in Django's cache. The
# web and worker processes must share it in production: CACHE_URL=redis://host:6379/1 (docker-compose)
# or filecache:///path (bin/run). Unset: per-process memory (tests, one-process runs).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT makes large CASE statements (set-based rescoring) 2x slower or hang:
    # see shared PERF_NOTES. Turn it off for our connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server, an eager task and a shell share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
# A read replica for dashboards and reports (salesops/db_router.py); unset: everything reads the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items() if k == "options"})
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: no second test database
DATABASE_ROUTERS = ["salesops.db_router.ReplicaRouter"]
READ_REPLICA_ROUTING = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# (the test suite's fast hasher, locmem email and plain-HTTP values are in settings_test.py)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Per-language date and number formats ("1 Dec 2026" / "2026-12-01", "1,185,000" in both); the
# filters in salesops/templatetags/formatting.py use them. See salesops/formats/__init__.py.
FORMAT_MODULE_PATH = ["salesops.formats"]
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="CNY")

# --- Static files (WhiteNoise; no CDN) ------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js is served from the installed plotly package (no CDN, no copy in the repository).
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Development (and the tests, settings_test.py) serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SalesOps <salesops@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
# No result backend unless one is configured: nothing reads task results (see "embedded broker" below).
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# Embedded default: with no broker, tasks run eagerly in-process (and errors propagate).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task killed halfway is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Faults: a write must not wait for an absent broker (short timeouts, no publish retry; the
# services record the work durably and a sweep catches up), and a task lost with a killed worker
# comes back within minutes (Redis redelivers unacknowledged messages after visibility_timeout;
# long jobs also have a heartbeat and leads_resume_stale_jobs_task re-queues silent ones).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
    "max_retries": 0,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0)
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
# Publish rescore jobs: leads per batch (each batch commits with the job's progress and heartbeat),
# an optional pause between batches (to spare a busy database), seconds of silence after which a
# running job counts as stale, and how many times the sweeper resumes a job before failing it.
LEADS_RESCORE_BATCH_SIZE = env.int("LEADS_RESCORE_BATCH_SIZE", default=20_000)
# The scoring editor counts "leads that would change grade" on every visit up to this many leads
# (one set-based query, ~0.2 s at 10k on PostgreSQL); above it, on a click (w2).
LEADS_EDITOR_INLINE_BACKTEST_MAX = env.int("LEADS_EDITOR_INLINE_BACKTEST_MAX", default=20_000)
LEADS_RESCORE_BATCH_PAUSE = env.float("LEADS_RESCORE_BATCH_PAUSE", default=0.0)
LEADS_JOB_STALE_SECONDS = env.int("LEADS_JOB_STALE_SECONDS", default=120)
# w4: a full rescore of at least this many leads is split into id-range chunks that any number of
# workers claim (leads.models.RescoreChunk); smaller tables are rescored batch by batch by one worker.
LEADS_RESCORE_CHUNKED_MIN_LEADS = env.int("LEADS_RESCORE_CHUNKED_MIN_LEADS", default=100_000)
LEADS_RESCORE_CHUNK_SIZE = env.int("LEADS_RESCORE_CHUNK_SIZE", default=20_000)
# a chunk claimed this long ago whose worker holds no lock on it (the worker died) is claimed again
LEADS_RESCORE_CHUNK_TIMEOUT = env.int("LEADS_RESCORE_CHUNK_TIMEOUT", default=120)
LEADS_JOB_MAX_ATTEMPTS = env.int("LEADS_JOB_MAX_ATTEMPTS", default=5)
# Lead CSV imports stream in chunks of this many rows: one duplicate lookup, one COPY/INSERT and
# one progress write per chunk; memory stays flat whatever the file's size (issue 14).
LEADS_IMPORT_CHUNK_ROWS = env.int("LEADS_IMPORT_CHUNK_ROWS", default=5000)
# Leads marked "needs rescore" for longer than this are rescored by leads_rescore_marked_task.
LEADS_RESCORE_MARK_GRACE_SECONDS = env.int("LEADS_RESCORE_MARK_GRACE_SECONDS", default=60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # w8: score decay — behaviour points of event types with a half-life fade; rescore those leads nightly
    "leads-rescore-decayed-nightly": {
        "task": "leads.tasks.leads_rescore_decayed_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # w4: next months' partitions of the events table, ahead of time (no-op unless partitioned, PostgreSQL)
    "leads-event-partitions-ensure": {
        "task": "leads.tasks.event_partitions_ensure_task",
        "schedule": crontab(hour=0, minute=40),
    },
    # h9: compensation payouts (last and running month/quarter; approved ones are never recomputed)
    "teams-payouts-compute-daily": {
        "task": "teams.tasks.payouts_compute_due_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "leads-resume-stale-suggestions": {
        "task": "leads.tasks.scoring_suggestions_resume_stale_task",
        "schedule": 300.0,
    },
    "leads-resume-stale-jobs": {
        "task": "leads.tasks.leads_resume_stale_jobs_task",
        "schedule": 60.0,
    },
    "leads-rescore-marked": {
        "task": "leads.tasks.leads_rescore_marked_task",
        "schedule": 60.0,
    },
    "leads-refresh-completeness-nightly": {
        "task": "leads.tasks.lead_refresh_completeness_all_task",
        "schedule": crontab(hour=2, minute=0),
    },
    "leads-nurture-send-due": {
        "task": "leads.tasks.nurture_send_due_task",
        "schedule": crontab(minute="*/10"),
    },
    "leads-flag-sla-breaches": {
        "task": "leads.tasks.leads_flag_sla_breaches_task",
        "schedule": crontab(minute="*/15"),
    },
    "leads-return-to-pool": {
        "task": "leads.tasks.leads_return_to_pool_task",
        "schedule": crontab(minute="*/15"),
    },
    "leads-import-jobs-requeue-stale": {
        "task": "leads.tasks.lead_import_jobs_requeue_stale_task",
        "schedule": crontab(minute="*/5"),
    },
    "pipeline-import-jobs-requeue-stale": {
        "task": "pipeline.tasks.opportunity_import_jobs_requeue_stale_task",
        "schedule": crontab(minute="*/5"),
    },
    "pipeline-flag-stalled": {
        "task": "pipeline.tasks.opportunities_flag_stalled_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "pipeline-forecast-model-nightly": {
        "task": "pipeline.tasks.forecast_model_recompute_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "pipeline-handoff-onboarding-catch-up": {  # h7: what an on-commit onboarding run missed
        "task": "pipeline.tasks.handoff_onboarding_catch_up_task",
        "schedule": crontab(hour=3, minute=45),
    },
    # issue 16: retrain the win-probability model monthly; rescore open deals with the active one nightly
    "pipeline-win-model-retrain-monthly": {
        "task": "pipeline.tasks.win_model_retrain_task",
        "schedule": crontab(hour=4, minute=30, day_of_month=1),
    },
    "pipeline-win-models-resume-stale": {
        "task": "pipeline.tasks.win_models_resume_stale_task",
        "schedule": 600.0,
    },
    "pipeline-win-probabilities-score-nightly": {
        "task": "pipeline.tasks.win_probabilities_score_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # issue 14: the board's totals tally (PostgreSQL triggers append; fold the rows, check it nightly)
    "pipeline-board-tally-compact": {
        "task": "pipeline.tasks.board_tally_compact_task",
        "schedule": 600.0,
    },
    "pipeline-board-tally-verify-nightly": {
        "task": "pipeline.tasks.board_tally_verify_task",
        "schedule": crontab(hour=3, minute=45),
    },
    "pipeline-forecast-snapshot-weekly": {
        "task": "pipeline.tasks.forecast_snapshot_task",
        "schedule": crontab(hour=4, minute=0, day_of_week="mon"),
    },
    "dashboards-kpi-snapshots-daily": {  # yesterday and the month to date, every metric and scope
        "task": "dashboards.tasks.kpi_snapshots_daily_task",
        "schedule": crontab(hour=1, minute=15),
    },
    "dashboards-snapshot-jobs-requeue-stale": {
        "task": "dashboards.tasks.snapshot_jobs_requeue_stale_task",
        "schedule": crontab(minute="*/5"),
    },
    "dashboards-warm": {  # rebuild the dashboards viewed lately (dashboards.board_cache)
        "task": "dashboards.tasks.dashboards_warm_task",
        "schedule": crontab(minute=f"*/{max(1, env.int('SALESOPS_DASHBOARD_WARM_MINUTES', default=5))}"),
    },
    "dashboards-goals-check-daily": {  # after the snapshots: pace of every goal, at-risk notifications
        "task": "dashboards.tasks.goals_check_task",
        "schedule": crontab(hour=1, minute=45),
    },
    # Daily, so a missed 1st still mails; each recipient gets last month's pack once (dashboards.review).
    "dashboards-review-pack-monthly": {
        "task": "dashboards.tasks.review_pack_send_month_task",
        "schedule": crontab(hour=7, minute=30),
    },
}
# --- teams onboarding (h10): milestones tick themselves; time to first deal and ramp ------------------
CELERY_BEAT_SCHEDULE["teams-onboarding-refresh"] = {"task": "teams.tasks.onboarding_refresh_task",
                                                    "schedule": crontab(minute=20)}  # hourly

# customers (h2): remind task owners of tasks due within the hour or overdue, once each
CELERY_BEAT_SCHEDULE["customers-tasks-remind-due"] = {
    "task": "customers.tasks.tasks_remind_due_task",
    "schedule": crontab(minute="*/5"),
}

# --- teams: training and awards (h11) ------------------------------------------------------------
CELERY_BEAT_SCHEDULE |= {
    "teams-certification-reminders-daily": {  # at most once per certificate and threshold
        "task": "teams.tasks.certification_reminders_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "teams-best-newcomer-daily": {  # last month's, idempotent (late won deals still count)
        "task": "teams.tasks.best_newcomer_last_month_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- embedded broker (h7) -------------------------------------------------------------------
# bin/run sets CELERY_BROKER_URL=filesystem:// : kombu's filesystem transport, messages as files in
# CELERY_FILESYSTEM_BROKER_DIR, no server. The web process queues tasks there and one worker with
# embedded beat (`celery worker -B`) runs them and the periodic jobs above. No broker at all (the
# tests' default) still means eager, in-process tasks.
CELERY_FILESYSTEM_BROKER_DIR = Path(env.str("CELERY_FILESYSTEM_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem:"):
    for _folder in ("queue", "control", "processed"):
        (CELERY_FILESYSTEM_BROKER_DIR / _folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "store_processed": False,
    }
# Task results are not stored: no caller reads them (tasks write their outcome to the database,
# e.g. jobs with progress). A task that must report back can say ignore_result=False.
CELERY_TASK_IGNORE_RESULT = True

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call gets 401 with `WWW-Authenticate: Token`.
        "teams.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "integrations.authentication.IntegrationKeyAuthentication",  # `Authorization: Bearer <key>`
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "integrations.scopes.KeyScopes"],
    # Rate limits (429 with Retry-After): per integration key (its own limit), per address on the
    # token login and on the public web-to-lead forms.
    "DEFAULT_THROTTLE_CLASSES": ["integrations.throttling.IntegrationKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_RATE", default="30/min"),
        "public_form": env.str("PUBLIC_FORM_RATE", default="20/min"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "salesops.filters.StrictFilterBackend",
        "salesops.filters.TieBreakOrderingFilter",
    ],
    # JSON only (issue 15: generated clients); the upload endpoints (imports) add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "salesops.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "salesops.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "salesops.schema.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesOps API",
    "DESCRIPTION": "Leads, pipeline, customers, teams and dashboards of SalesOps. "
    "Authenticate with a session or `Authorization: Token <key>` "
    "(POST /api/v1/auth/token/ with username and password).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "salesops.schema.describe_enum_properties"],
    # one name per choice set that several components share (else W001 on `check --deploy`)
    "ENUM_NAME_OVERRIDES": {"ActivityKindEnum": "customers.models.Activity.Kind",
                            "ImportJobStatusEnum": "salesops.jobs.ImportJobBase.Status",
                            "SurveyKindEnum": "customers.models.Survey.Kind",
                            "OnboardingStepKindEnum": "teams.models.onboarding.StepKind"},
}

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Production security (active when DEBUG is off) ------------------------------------------
# (The test suite talks plain HTTP to its own servers: settings_test.py turns redirects and secure cookies off.)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- security (h7) --------------------------------------------------------------------------
# A proxy's HTTPS header is trusted only when configured: SECURE_PROXY_SSL_HEADER names the header
# that your TLS proxy sets (and strips from clients), e.g. X-Forwarded-Proto. Unset: not trusted,
# since any client could send it.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

# Login throttling on every door (login page, admin login, API token) with django-axes: after
# LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, every attempt is refused
# (429) for LOGIN_COOLOFF_MINUTES, even with the right password. A successful login resets the count.
INSTALLED_APPS += ["axes", "csp"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes asks
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "teams.authentication.lockout_response"
AXES_VERBOSE = False

# API tokens: TOKEN_TTL_HOURS > 0 makes them expire (401, then ask for a new one); they are revoked
# on password change, by POST /api/v1/auth/token/revoke/ and, unless TOKEN_REVOKE_ON_LOGOUT=0, when
# their user logs out of the web pages.
TOKEN_TTL_HOURS = env.int("TOKEN_TTL_HOURS", default=0)
TOKEN_REVOKE_ON_LOGOUT = env.bool("TOKEN_REVOKE_ON_LOGOUT", default=True)

# Content-Security-Policy (django-csp): every script, style, font and image is served by the app.
# Styles allow inline (style attributes, Plotly's and Swagger UI's injected styles); scripts do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- integrations (issue 15): webhooks, change feed, keys ---------------------------------------
INTEGRATIONS_WEBHOOK_TIMEOUT = env.float("INTEGRATIONS_WEBHOOK_TIMEOUT", default=10.0)
# Back-off after a failed delivery attempt n: BASE * 2^(n-1) seconds (30 s, 1 min, 2 min, ...), at most 6 hours.
INTEGRATIONS_WEBHOOK_BACKOFF_BASE = env.int("INTEGRATIONS_WEBHOOK_BACKOFF_BASE", default=30)
# Webhooks go to public addresses only (integrations/targets.py: no loopback, private or link-local
# networks); set to 1 where the receiver sits on the same machine or network (development).
INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = env.bool("INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE", default=False)
INTEGRATIONS_CHANGES_RETENTION_DAYS = env.int("INTEGRATIONS_CHANGES_RETENTION_DAYS", default=30)
INTEGRATIONS_CHANGES_MAX_PAGE = 500
# The feed shows changes older than this many seconds only: a transaction that committed late with a
# smaller id is not skipped by a consumer that has already read past it.
INTEGRATIONS_CHANGES_SETTLE_SECONDS = env.int("INTEGRATIONS_CHANGES_SETTLE_SECONDS", default=5)
# The sync lists (`…/sync/`, by updated_at) show rows changed more than this many seconds ago only, and
# before the oldest write transaction still open began (salesops.sync.committed_before): a cursor that
# moves past a stamp never skips a row committed after it.
SALESOPS_SYNC_SETTLE_SECONDS = env.int("SALESOPS_SYNC_SETTLE_SECONDS", default=2)
CELERY_BEAT_SCHEDULE |= {
    "integrations-webhooks-dispatch": {"task": "integrations.tasks.webhooks_dispatch_task", "schedule": 60.0},
    "integrations-changes-purge-daily": {"task": "integrations.tasks.changes_purge_task",
                                         "schedule": crontab(hour=4, minute=30)},
}

# --- SalesOps domain settings ---------------------------------------------------------------
# Folder of the public CRM data sets (shared/data/real); tests that need it skip where absent.
SALESOPS_REAL_DATA_DIR = Path(env.str("SALESOPS_REAL_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "real")))
# Public address of the app, used for absolute links in emails (e.g. nurture click tracking).
SALESOPS_BASE_URL = env.str("SALESOPS_BASE_URL", default="http://127.0.0.1:8000")
# Behaviour events for an email no lead has: "error" (refuse the event) or "create" (create the lead).
LEADS_UNKNOWN_EMAIL_POLICY = env.str("LEADS_UNKNOWN_EMAIL_POLICY", default="error")
if LEADS_UNKNOWN_EMAIL_POLICY not in {"error", "create"}:
    raise ImproperlyConfigured('LEADS_UNKNOWN_EMAIL_POLICY must be "error" or "create".')
# CSV imports (salesops.imports): the largest file accepted, and where uploads wait for their
# background job (files 0600, folder 0700; shared by web processes and workers, never the system temp dir).
SALESOPS_IMPORT_MAX_BYTES = env.int("SALESOPS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
SALESOPS_IMPORT_STAGING_DIR = Path(env.str("SALESOPS_IMPORT_STAGING_DIR",
                                           default=str(BASE_DIR / "var" / "import-staging")))
# Who may import what besides administrators (teams.predicates.can_import): kind -> roles.
# KPI snapshots and goals (h13): the period kinds the daily job writes (day, week, month, quarter), the
# pace thresholds of a goal (share of the pro-rated progress) and the window its current value is measured over.
SALESOPS_SNAPSHOT_KINDS = env.list("SALESOPS_SNAPSHOT_KINDS", default=["day", "month"])
# Dashboards served from figures computed ahead (dashboards.board_cache): how long a built dashboard is
# kept (0 = always built live), how often the beat job rebuilds the ones viewed within the last hours.
SALESOPS_DASHBOARD_CACHE_SECONDS = env.int("SALESOPS_DASHBOARD_CACHE_SECONDS", default=600)
SALESOPS_DASHBOARD_WARM_MINUTES = env.int("SALESOPS_DASHBOARD_WARM_MINUTES", default=5)
SALESOPS_DASHBOARD_WARM_HOURS = env.int("SALESOPS_DASHBOARD_WARM_HOURS", default=24)
SALESOPS_DASHBOARD_WARM_MAX = env.int("SALESOPS_DASHBOARD_WARM_MAX", default=200)
# A rule set's quality on history (leads.services.scoring_quality): how long a computed report is kept per
# rule-set content, viewer and segment (0 = always computed live); at 1M leads one report takes seconds.
SALESOPS_QUALITY_CACHE_SECONDS = env.int("SALESOPS_QUALITY_CACHE_SECONDS", default=600)
# issue 16 item 2: suggested weights use at most this many leads (an every-k-th-id sample beyond it),
# and a running suggestion silent this long is taken over by the next worker (the sweep re-queues it)
SALESOPS_SUGGEST_MAX_LEADS = env.int("SALESOPS_SUGGEST_MAX_LEADS", default=200_000)
SALESOPS_SUGGEST_STALE_SECONDS = env.int("SALESOPS_SUGGEST_STALE_SECONDS", default=900)
SALESOPS_GOAL_THRESHOLDS = {
    "on_track": env.float("SALESOPS_GOAL_ON_TRACK", default=0.99),
    "at_risk": env.float("SALESOPS_GOAL_AT_RISK", default=0.81),
}
SALESOPS_GOAL_WINDOW_DAYS = env.int("SALESOPS_GOAL_WINDOW_DAYS", default=30)
SALESOPS_IMPORT_ROLES = {
    "leads": env.list("SALESOPS_IMPORT_LEADS_ROLES", default=["marketing", "manager"]),
    "opportunities": env.list("SALESOPS_IMPORT_OPPORTUNITIES_ROLES", default=[]),
}
# MQL routing: hours a rep has for the first contact, and days untouched before a lead returns to the pool.
LEADS_FIRST_TOUCH_SLA_HOURS = env.int("LEADS_FIRST_TOUCH_SLA_HOURS", default=24)
LEADS_POOL_RETURN_DAYS = env.int("LEADS_POOL_RETURN_DAYS", default=7)
# Pipeline gates: a discount above this percentage needs a manager's approval (entering Negotiation).
PIPELINE_DISCOUNT_APPROVAL_LIMIT = env.float("PIPELINE_DISCOUNT_APPROVAL_LIMIT", default=15.0)
# Stalled deals: days in one stage before flagging, until a stage has PIPELINE_STALL_MIN_SAMPLES
# historical stays (then its 80th percentile is used).
PIPELINE_STALL_DAYS = env.int("PIPELINE_STALL_DAYS", default=30)
PIPELINE_STALL_MIN_SAMPLES = env.int("PIPELINE_STALL_MIN_SAMPLES", default=20)
# Learnt win probability (issue 16): at most this many of the most recent closed deals are read to
# train; at least PIPELINE_WINPROB_MIN_DEALS training deals (before the held-out quarters) are needed.
PIPELINE_WINPROB_MAX_ROWS = env.int("PIPELINE_WINPROB_MAX_ROWS", default=200_000)
PIPELINE_WINPROB_MIN_DEALS = env.int("PIPELINE_WINPROB_MIN_DEALS", default=30)
# A training queued or running longer than this is sent again (its message was lost or its worker died).
PIPELINE_WINPROB_STALE_SECONDS = env.int("PIPELINE_WINPROB_STALE_SECONDS", default=1800)
# issue 14: the unfiltered board reads its open columns' totals from the tally PostgreSQL triggers keep
# (pipeline.models.board); off: counted live from the deals every time (the tally is still kept)
PIPELINE_BOARD_TALLY = env.bool("PIPELINE_BOARD_TALLY", default=True)

# --- customers: contracts, renewals, usage and tickets (h3) ----------------------------------
# The currencies a contract may be in (ISO 4217 codes); the default currency is always accepted.
CURRENCIES = sorted({DEFAULT_CURRENCY, *env.list("CURRENCIES", default=["CNY", "USD", "EUR", "GBP", "JPY", "HKD"])})
# Renewal reminders to the success owner (fallback: the sales owner): days before a contract's end.
CUSTOMERS_RENEWAL_REMINDER_DAYS = (90, 60, 30)
CELERY_BEAT_SCHEDULE["customers-renewal-reminders-daily"] = {
    "task": "customers.tasks.contracts_renewal_reminders_task",
    "schedule": crontab(hour=6, minute=30),
}

# Customers: retention (h6). Gross margin used by LTV and CAC payback (a share, 0 < m <= 1), and the
# reference date of the IBM Telco import: the file has no dates, so a customer's contract starts its
# `tenure` months before this day and a churned one ends on it (empty: the first day of the previous month
# at import time).
CUSTOMERS_GROSS_MARGIN = env.float("CUSTOMERS_GROSS_MARGIN", default=0.8)
if not 0 < CUSTOMERS_GROSS_MARGIN <= 1:
    raise ImproperlyConfigured("CUSTOMERS_GROSS_MARGIN must be above 0 and at most 1.")
CUSTOMERS_TELCO_REFERENCE_DATE = env.str("CUSTOMERS_TELCO_REFERENCE_DATE", default="")
# Who imports customer files (the IBM Telco layout) besides administrators.
SALESOPS_IMPORT_ROLES["customers"] = env.list("SALESOPS_IMPORT_CUSTOMERS_ROLES", default=[])
CELERY_BEAT_SCHEDULE["customers-import-jobs-requeue-stale"] = {  # h6
    "task": "customers.tasks.customer_import_jobs_requeue_stale_task",
    "schedule": crontab(minute="*/5"),
}
# Customer health (customers.services.health): accounts per batch of the nightly recompute job (one
# SQL statement per health model per batch), and when a silent job counts as stale / is given up.
HEALTH_RECOMPUTE_BATCH_SIZE = env.int("HEALTH_RECOMPUTE_BATCH_SIZE", default=50_000)
HEALTH_JOB_STALE_SECONDS = env.int("HEALTH_JOB_STALE_SECONDS", default=600)
HEALTH_JOB_MAX_ATTEMPTS = env.int("HEALTH_JOB_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE.update({
    "customers-health-recompute-nightly": {
        "task": "customers.tasks.health_recompute_nightly_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "customers-health-jobs-resume-stale": {
        "task": "customers.tasks.health_jobs_resume_stale_task",
        "schedule": crontab(minute="*/5"),
    },
})

# People whose payouts one run of the payout job computes per period (h9).
TEAMS_PAYOUT_BATCH_SIZE = env.int("TEAMS_PAYOUT_BATCH_SIZE", default=500)
