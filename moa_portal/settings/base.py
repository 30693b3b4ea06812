"""Settings shared by every profile, read from the environment (see .env.example).

With nothing set, the portal runs on an SQLite file and an embedded broker under
``var/``, so a first look needs no server. Profiles: ``local`` (development),
``test`` (PostgreSQL and Redis, as CI runs it) and ``production``.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# .env fills in what the environment does not set; a process given its whole environment
# (systemd's EnvironmentFile, a container, a test) can turn it off.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
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
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_celery_beat",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "agreements",
    "contacts",
    "activities",
    "compliance",
    "notifications",
    "audit",
    "people",
    "search",
    "api",
    "moa_portal.apps.MoaPortalConfig",
]
# Production refuses a configuration that would send nothing or send it wrong (moa_portal/checks.py).
PORTAL_PRODUCTION = False

MIDDLEWARE = [
    "moa_portal.metrics.RequestLatencyMiddleware",
    # Refusals under /api/ as JSON, whichever guard below answered them (api/middleware.py).
    "api.middleware.JsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "moa_portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "moa_portal.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "moa_portal.middleware.IdleSessionTimeoutMiddleware",
    "people.middleware.SecondFactorEnrolmentMiddleware",
]

ROOT_URLCONF = "moa_portal.urls"
WSGI_APPLICATION = "moa_portal.wsgi.application"

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
                "compliance.context_processors.compliance_nav",
                "audit.context_processors.audit_nav",
                "notifications.context_processors.unread_notifications",
                "moa_portal.context_processors.portal_roles",
                "moa_portal.context_processors.official_banner",
            ],
            # core is below every app and is not one: its filters are named here.
            "libraries": {"portal_words": "core.templatetags.portal_words"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'moa_portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "people.backends.PartyMemberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed sign-ins (django-axes): an account locks from the address the
# failures came from, so nobody elsewhere can lock it out (docs/security.md says why).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many reverse proxies in front of the portal append to X-Forwarded-For (nginx: 1). The
# client's address is read through them for the lockout and the budgets; 0 = REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "people.signin.client_ip"
# The brake on password spraying: failed sign-ins from one address, across all accounts, before
# that address is refused until the window ends (people.signin.py).
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
SIGN_IN_ADDRESS_WINDOW_MINUTES = env.int("SIGN_IN_ADDRESS_WINDOW_MINUTES", default=15)
# Password-reset requests: per address and per account in the window; over it, no mail is sent.
PASSWORD_RESET_ADDRESS_LIMIT = env.int("PASSWORD_RESET_ADDRESS_LIMIT", default=10)
PASSWORD_RESET_ACCOUNT_LIMIT = env.int("PASSWORD_RESET_ACCOUNT_LIMIT", default=3)
PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)
# A page that says the account is locked and why, not a bare 429.
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Idle session timeout: the session expires SESSION_IDLE_MINUTES after the last request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
# moa_portal.middleware.IdleSessionTimeoutMiddleware signs the user out (and says why) once
# they have been idle that long; the session store's own expiry, a few minutes later, is the
# backstop that also clears sessions nobody comes back to. The middleware saves the session
# when it moves the activity clock (at most once a minute), so the store's expiry slides with
# activity without an UPDATE on every request.
SESSION_COOKIE_AGE = (SESSION_IDLE_MINUTES + 5) * 60
# However active, a session ends this many hours after its sign-in (the same middleware).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# System-use notice (NIST SP 800-53 AC-8): text every user accepts before signing in (by password
# or single sign-on); empty = no notice. Paragraphs separated by a blank line (\n\n).
PORTAL_SYSTEM_USE_NOTICE = env("PORTAL_SYSTEM_USE_NOTICE", default="")
# The official ".gov" site banner (USWDS) at the top of every page: on for a federal deployment.
PORTAL_OFFICIAL_BANNER = env.bool("PORTAL_OFFICIAL_BANNER", default=False)
# Pickers (core/pickers.py): a choice of agreement or owner is a <select> while it has at most
# this many options, a text box with suggestions beyond (pages that do not grow with the data).
PORTAL_PICKER_LIMIT = env.int("PORTAL_PICKER_LIMIT", default=50)

# Multi-factor sign-in (people/mfa.py): Admins who sign in with a password must add a second
# factor (an authenticator app or a passkey) first; others may. Single sign-on relies on the
# identity provider's MFA.
PORTAL_MFA_REQUIRED_FOR_ADMINS = env.bool("PORTAL_MFA_REQUIRED_FOR_ADMINS", default=True)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="MOA Portal")

# Single sign-on by OpenID Connect (people/sso.py): OIDC_PROVIDERS names the providers, each
# configured by OIDC_<NAME>_* (NAME upper-cased, "-" as "_"): ISSUER (discovery is read from
# ISSUER/.well-known/openid-configuration), CLIENT_ID, CLIENT_SECRET (empty: a public client,
# PKCE only), LABEL (the button's words), SCOPES (default "openid email"), ACR_VALUES.
OIDC_PROVIDERS: dict[str, dict[str, str]] = {}
for _slug in env.list("OIDC_PROVIDERS", default=[]):
    _prefix = "OIDC_" + _slug.upper().replace("-", "_") + "_"
    OIDC_PROVIDERS[_slug] = {
        "name": env(_prefix + "LABEL", default=_slug),
        "issuer": env(_prefix + "ISSUER"),
        "client_id": env(_prefix + "CLIENT_ID"),
        "client_secret": env(_prefix + "CLIENT_SECRET", default=""),
        "scopes": env(_prefix + "SCOPES", default="openid email"),
        "acr_values": env(_prefix + "ACR_VALUES", default=""),
    }
# Single sign-on by SAML 2.0 (people/saml.py, on djangosaml2 and pysaml2; needs xmlsec1):
# SAML_PROVIDERS names the agency identity providers, each configured by SAML_<NAME>_*:
# ENTITY_ID (the IdP's entity id), METADATA_URL or METADATA_FILE (its metadata, with its signing
# certificate), LABEL (the button's words), EMAIL_ATTRIBUTE (the attribute holding the e-mail;
# default: mail, email, or the name id in e-mail format). The portal as a service provider:
# SAML_SP_BASE_URL (https://…, where IdPs send their answers), SAML_SP_ENTITY_ID (default: its
# metadata address), SAML_SP_KEY_FILE and SAML_SP_CERT_FILE (optional: sign the requests and decrypt
# assertions encrypted to the portal).
SAML_PROVIDERS: dict[str, dict[str, str]] = {}
for _slug in env.list("SAML_PROVIDERS", default=[]):
    _prefix = "SAML_" + _slug.upper().replace("-", "_") + "_"
    SAML_PROVIDERS[_slug] = {
        "name": env(_prefix + "LABEL", default=_slug),
        "entity_id": env(_prefix + "ENTITY_ID"),
        "metadata_url": env(_prefix + "METADATA_URL", default=""),
        "metadata_file": env(_prefix + "METADATA_FILE", default=""),
        "email_attribute": env(_prefix + "EMAIL_ATTRIBUTE", default=""),
    }
SAML_SP_BASE_URL = env("SAML_SP_BASE_URL", default="")
SAML_SP_ENTITY_ID = env("SAML_SP_ENTITY_ID", default="")
SAML_SP_KEY_FILE = env("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env("SAML_SP_CERT_FILE", default="")
# djangosaml2: its own short session cookie carries the outstanding requests across the IdP's
# cross-site POST (the portal's session cookie is SameSite=Lax); requests go by redirect (no
# page with a script); its CSP decorator is not used (the views only redirect).
SAML_SESSION_COOKIE_NAME = "moa_saml"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_IGNORE_AUTHENTICATED_USERS_ON_LOGIN = True
# Force SSO: a password signs in only the break-glass accounts (technical admins, by username),
# for when the identity providers are down.
PORTAL_FORCE_SSO = env.bool("PORTAL_FORCE_SSO", default=False)
PORTAL_SSO_BREAK_GLASS_USERNAMES = env.list("PORTAL_SSO_BREAK_GLASS_USERNAMES", default=[])

# Audit history is read-only through the portal and the Django admin: no revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# Seconds each link of an e-mail address change (approve from the old, confirm from the new) is valid.
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT", default=60 * 60 * 24)

# Content Security Policy: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"

# The REST API (api/): a session (the browser, its documentation page) or a personal access
# token; JSON in and out (forms too, for the browser's documentation page), cursor pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedInWithScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["api.paging.VisibleFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.paging.NewestFirstCursor",
    "DEFAULT_THROTTLE_CLASSES": ["api.paging.UserThrottle", "api.paging.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per user (a token's or a session's) and per address for the unauthenticated.
API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER", default="600/minute"),
    "anon": env("API_THROTTLE_ANON", default="30/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MOA Portal API",
    "DESCRIPTION": (
        "The agreements, clauses, commitments, progress updates, milestones, meetings, outreach events, "
        "points of contact and notifications you see in the portal, as you see them there. Authenticate "
        "with a personal access token (Authorization: Bearer moa_…) made on your API tokens page."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.SignedInWithScope"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "agreements.models.Agreement.Kind",
        "CommitmentKindEnum": "agreements.models.Commitment.Kind",
        "NotificationKindEnum": "notifications.models.Kind",
        # Two models have a field "format": a meeting's (call, in person) and a webhook's payload.
        "MeetingFormatEnum": "activities.models.Meeting.Format",
        "WebhookFormatEnum": "notifications.models.WebhookSubscription.Format",
    },
}

LANGUAGE_CODE = "en-us"
# One date format for people, "December 1, 2026" (core/formats/en/formats.py).
FORMAT_MODULE_PATH = ["core.formats"]
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence lives outside static/ and is never served directly.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "evidence")
MEDIA_URL = None
# An agreement text of at most this many clauses is shown whole on the agreement's page; a
# longer one as a table of contents, each top-level clause's part on pages of this many clauses.
AGREEMENT_TEXT_PAGE_CLAUSES = env.int("AGREEMENT_TEXT_PAGE_CLAUSES", default=300)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# Behind nginx: the evidence download answers with X-Accel-Redirect to this internal location
# (deploy/nginx/moa-portal.conf, `location /_evidence/`) after the permission check, and nginx
# sends the file. Empty: the portal sends the file itself (development, tests).
EVIDENCE_ACCEL_REDIRECT = env("EVIDENCE_ACCEL_REDIRECT", default="")
# The whole request body (every file of a form together): a larger body is refused with 413
# before it is read (moa_portal.middleware). The web server's own limit should match
# (nginx: client_max_body_size; docs/security.md).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=60 * 1024 * 1024)
# The form fields other than files; files are kept in memory up to 2.5 MB, then on disk, and
# no file past EVIDENCE_MAX_BYTES (activities.evidence.CappedUploadHandler).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "activities.evidence.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Office packages: parts and unpacked size at most (a zip bomb is refused from its directory).
EVIDENCE_ZIP_MAX_ENTRIES = env.int("EVIDENCE_ZIP_MAX_ENTRIES", default=5000)
EVIDENCE_ZIP_MAX_UNCOMPRESSED = env.int("EVIDENCE_ZIP_MAX_UNCOMPRESSED", default=200 * 1024 * 1024)
EVIDENCE_IMAGE_MAX_PIXELS = env.int("EVIDENCE_IMAGE_MAX_PIXELS", default=50_000_000)
# Optional virus scan of every upload by clamd (tcp://host:3310 or unix:///run/clamav/clamd.ctl);
# unset = no scan. When set and clamd cannot be reached, uploads are refused, not let through.
CLAMAV_URL = env("CLAMAV_URL", default="")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console in development, SMTP in production (EMAIL_URL or the EMAIL_* settings).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds a send waits on the mail server (connect, each reply): a server that accepts and
# never answers holds one notice this long, then the run leaves the rest for the sweep.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MOA Portal <moa-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any]
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }

# The cache keeps values computed from the records (the dashboard, list totals) until the
# records change (core/cache.py). Redis when REDIS_URL is set (CACHE_URL may name
# another Redis), so every web process, worker and command moves and sees the same data
# version. Without Redis nothing is kept: a process's own memory would not see another
# process's saves. It is only a shortcut, so it gives up after half a second.
REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "KEY_PREFIX": "moa",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}
if REDIS_URL:
    CACHES = {"default": {**REDIS_CACHE, "LOCATION": env("CACHE_URL", default=REDIS_URL)}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The web never waits on the broker: publishing gives up fast when it is unreachable.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# The agreement's rules that are settings, not law.
STALE_AFTER_DAYS = env.int("STALE_AFTER_DAYS", default=90)

# Notices and the jobs that send them (notifications/jobs.py and tasks.py;
# what is due is decided in agreements/countdown.py and activities/reminders.py).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

# Passkeys and security keys (WebAuthn) as a second factor (people/passkeys.py, on
# django-otp-webauthn). The relying party id is the domain passkeys are bound to (default: the
# host of PORTAL_URL; changing it later orphans every registered passkey); the origins are the
# addresses a browser may use them at (default: PORTAL_URL's). Browsers refuse an IP address as
# the id: develop at http://localhost:8000. moa_portal.E011 refuses what cannot work.
_portal_url = urlsplit(PORTAL_URL)
OTP_WEBAUTHN_RP_ID = env("OTP_WEBAUTHN_RP_ID", default=_portal_url.hostname or "localhost")
OTP_WEBAUTHN_RP_NAME = env("OTP_WEBAUTHN_RP_NAME", default="MOA Portal")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS", default=[f"{_portal_url.scheme}://{_portal_url.netloc}"]
)
# A passkey is a second factor after the password, never a sign-in without one.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "people.passkeys"
# The library's own origin check accepts only https:// and http://localhost, which would refuse
# the development default (http://127.0.0.1:8000) at every command; moa_portal.E011 checks the
# origins where it matters (production, check --deploy).
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E031"]
# A notice whose send fails is retried after NOTIFICATION_RETRY_FIRST_SECONDS, then after twice
# that each time, at most NOTIFICATION_RETRY_MAX_SECONDS apart, for NOTIFICATION_RETRY_HOURS after
# its claim (or an admin's resend); a send failing after that leaves it failed.
NOTIFICATION_RETRY_HOURS = env.float("NOTIFICATION_RETRY_HOURS", default=72)
NOTIFICATION_RETRY_FIRST_SECONDS = env.int("NOTIFICATION_RETRY_FIRST_SECONDS", default=60)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=3600)
# A notice taken for a send and not marked within this long is presumed lost with its worker and
# sent again by the sweep (a restarted worker frees its own at once). Must exceed EMAIL_TIMEOUT.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=300)
# A run of at least NOTIFICATION_PARALLEL_FROM notices is sent over this many SMTP connections at
# once, each in a thread with its own database connection (1 = one at a time): a send mostly
# waits on the mail server and the database, so several overlap those waits (issue 19).
NOTIFICATION_DELIVERY_THREADS = env.int("NOTIFICATION_DELIVERY_THREADS", default=4)
NOTIFICATION_PARALLEL_FROM = env.int("NOTIFICATION_PARALLEL_FROM", default=200)
# A job that claims NOTIFICATION_QUEUE_FROM notices or more queues them, NOTIFICATION_CHUNK_SIZE a
# task, on the mail queue (CELERY_TASK_ROUTES) for the mail workers (moa-portal-mail.service,
# several processes), and ends after its claim; a smaller claim is sent by the job itself.
NOTIFICATION_QUEUE_FROM = env.int("NOTIFICATION_QUEUE_FROM", default=1000)
NOTIFICATION_CHUNK_SIZE = env.int("NOTIFICATION_CHUNK_SIZE", default=500)
# Which queue each task goes to (the rest: Celery's default queue, `celery`). The mail worker
# consumes `mail` (deploy/systemd/moa-portal-mail.service); the worker, the default queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"notifications.tasks.deliver_notices": {"queue": "mail"}}
# A notice still pending this long after its claim counts as overdue (health, metrics).
NOTIFICATION_OVERDUE_MINUTES = env.int("NOTIFICATION_OVERDUE_MINUTES", default=60)
# Daily jobs also decide what fell due up to this many days ago and was never sent (a worker
# down over an agreement's expiry day still sends the day's notice, late).
NOTICE_CATCH_UP_DAYS = env.int("NOTICE_CATCH_UP_DAYS", default=7)
# A job is late (health: warn) once the run its schedule owed is this many minutes overdue.
JOB_LATE_GRACE_MINUTES = env.int("JOB_LATE_GRACE_MINUTES", default=15)
# Webhooks (notifications/webhooks.py): every wait of a delivery (connect, send, answer) is cut
# at WEBHOOK_TIMEOUT_SECONDS, and at most WEBHOOK_RESPONSE_MAX_BYTES of an answer is read.
# WEBHOOK_ALLOW_LOOPBACK lets a subscription use http:// and a loopback address (a receiver on
# this machine, in development and tests); production refuses it (moa_portal.E007).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RESPONSE_MAX_BYTES = env.int("WEBHOOK_RESPONSE_MAX_BYTES", default=64 * 1024)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
# Job runs (notifications.JobRun) are kept this many days.
JOB_RUN_KEEP_DAYS = env.int("JOB_RUN_KEEP_DAYS", default=60)
# The worker writes its heartbeat to the cache this often (seconds).
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
MEETING_REMINDER_DAYS = env.list("MEETING_REMINDER_DAYS", cast=int, default=[14, 1])
QUARTERLY_MEETING_SCHEDULED_BY_DAY = env.int("QUARTERLY_MEETING_SCHEDULED_BY_DAY", default=30)
MINUTES_DUE_AFTER_DAYS = env.int("MINUTES_DUE_AFTER_DAYS", default=7)
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=1.0)
# The token (Authorization: Bearer ...) that opens /healthz/detail and /metrics to a monitor
# without a session; unset: only signed-in admins.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")
# Results are not needed by the jobs; the worker integration test sets one to wait on them.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts still show at WARNING.
    "loggers": {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}},
}
