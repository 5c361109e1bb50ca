"""Settings: wiring only. Everything environment-specific comes from the environment.

DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, DATABASE_URL. The defaults are safe for a
local development run (SQLite, loopback only); production must set a real secret key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "insecure-development-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - refused unless DEBUG or DJANGO_ALLOW_DEV_SECRET
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or os.environ.get("DJANGO_ALLOW_DEV_SECRET") == "1"):
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "workup",
    "workup.registry.apps.RegistryConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "marrowapp.urls"
WSGI_APPLICATION = "marrowapp.wsgi.application"

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
                "django.template.context_processors.csp",
                "workup.context_processors.preferences",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# whitenoise's own list of already-compressed formats, plus two it would compress for nothing: the PDF
# fonts (workup/fonts/*.ttf are read from disk by the PDF renderer, never sent to a browser) and
# source maps (only developer tools fetch them). Brotli on the 1.5 MB of fonts was half of
# collectstatic's 42 s.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf", "map")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ------------------------------------------------------------------------------------
# Strict CSP from the first commit: no inline script or style; scripts only from self with a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in the form
# Behind HTTPS (production), cookies are Secure and HSTS is on.
_HTTPS = _env_bool("DJANGO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _env_bool("DJANGO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the app and append to X-Forwarded-For (0: clients
# connect directly). The client's address, which the sign-in throttle counts per, is read that many
# places from the right of the header; without it every request would carry the proxy's address.
try:
    PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
except ValueError:
    PROXY_COUNT = -1
if not 0 <= PROXY_COUNT <= 10:
    raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be a whole number from 0 to 10.")

# Requests are small: a case is a few hundred bytes. Refuse anything large early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Logging: request paths and status only. Clinical values never reach a log line because no view
# logs request bodies, and Django's request logger only records the path.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Production serving (issue 7) -----------------------------------------------------------------
# Oversized bodies get 413 (JSON on /api/) before any view reads them; last, so headers still apply.
# Pages and fragments are gzipped here (static files by whitenoise; JSON not: see the middleware);
# Django's gzip adds the BREACH mitigation and CSRF tokens are masked per response.
MIDDLEWARE += ["workup.middleware.RequestSizeLimitMiddleware", "workup.middleware.HtmlGZipMiddleware"]
# Load balancers probe /healthz over plain HTTP; everything else is redirected when redirects are on.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Where collectstatic writes; a benchmark or test can point it at a throwaway directory.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", STATIC_ROOT))
# Nothing but the database holds state, so any number of app servers can share one: sessions use
# the database backend (Django's default) and so does the cache (`createcachetable` makes its table).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}

# --- Accounts (saved workups and referral review) -------------------------------------------------
# Failed sign-ins are throttled by a database-backed backend (no process state); see workup/throttle.py.
AUTHENTICATION_BACKENDS = ["workup.throttle.ThrottledModelBackend"]
# Sessions end after SESSION_IDLE_TIMEOUT without a request (30 minutes unless set) and, however
# busy, SESSION_COOKIE_AGE after sign-in (12 hours, a long shift, unless set); both are enforced
# by workup.middleware.SessionLimitsMiddleware.
try:
    SESSION_IDLE_TIMEOUT = int(os.environ.get("DJANGO_SESSION_IDLE_SECONDS", str(30 * 60)))
    SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_MAX_SECONDS", str(12 * 3600)))
except ValueError:
    SESSION_IDLE_TIMEOUT = SESSION_COOKIE_AGE = 0
if not 60 <= SESSION_IDLE_TIMEOUT <= SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("DJANGO_SESSION_IDLE_SECONDS must be a whole number from 60 up to DJANGO_SESSION_MAX_SECONDS.")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "workup.middleware.SessionLimitsMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 2,
                  "workup.middleware.BrowserHygieneMiddleware")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:landing"
LOGOUT_REDIRECT_URL = "login"

# --- CDS Hooks: the CDS Clients allowed to call the service (see workup/cds_auth.py) ----------------
# A JSON list of {"iss", "jwks", optional "sub", optional "jku"}; unset, the service answers anyone
# and `check --deploy` says so (workup.W001).
CDS_TRUSTED_CLIENTS_FILE = os.environ.get("CDS_TRUSTED_CLIENTS_FILE", "")

# --- EHR integration (workup/ehr): which results from a record count, and where links point --------
# Results older than this many days before the evaluation are not used (per analyte overrides as a
# JSON object, e.g. {"hemoglobin": 30}); the card names the inputs that had only older results.
EHR_LOOKBACK_DAYS = int(os.environ.get("EHR_LOOKBACK_DAYS", "90"))
EHR_LOOKBACK_DAYS_BY_ANALYTE = json.loads(os.environ.get("EHR_LOOKBACK_DAYS_BY_ANALYTE", "{}"))
# The public address of this service (e.g. https://marrow.example.org): card links and source URLs
# are built from it, never from the request's Host header. Empty: the request's own address (dev).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
# patient-view would show a card on every chart opening: off unless a site asks for it. The
# order-select and order-sign services (a bone marrow biopsy order) are always offered.
CDS_PATIENT_VIEW_ENABLED = _env_bool("CDS_PATIENT_VIEW_ENABLED", False)
# SPEC 1.2 §6.1: the copied impression names the pathway as its basis only where the deployment says
# the pathway is locally approved. Off by default: the source is an AI-generated article pending review.
PATHWAY_LOCALLY_APPROVED = _env_bool("PATHWAY_LOCALLY_APPROVED", False)
# Origins of browser-based CDS Clients allowed to call the CDS services (CORS), comma-separated;
# "*" allows any (the calls carry a bearer token, never a cookie). Empty: no CORS headers.
CDS_CORS_ALLOWED_ORIGINS = [o.strip() for o in os.environ.get("CDS_CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()]
# SMART on FHIR EHR launch (/launch): the EHRs allowed to launch the screen, as a JSON list of
# {"iss": "<FHIR base URL>", "client_id": "<id registered with the EHR>", "frame_origins": [...]}.
# Empty: /launch refuses every launch.
SMART_EHRS = json.loads(os.environ.get("SMART_EHRS", "[]"))


def csrf_cookie_samesite(ehrs: object, https: bool) -> str:
    """"None" when the screen may be framed by a configured EHR (over HTTPS), else "Lax".

    Inside an EHR's frame the screen is a third-party context: a Lax CSRF cookie is not sent with
    its posts, so every evaluation would be refused (403). The CSRF token, the Origin check and the
    session cookie (still Lax) are unchanged; only the CSRF cookie travels into the frame.
    """
    framed = isinstance(ehrs, list) and any(isinstance(e, dict) and e.get("frame_origins") for e in ehrs)
    return "None" if https and framed else "Lax"


CSRF_COOKIE_SAMESITE = csrf_cookie_samesite(SMART_EHRS, _HTTPS)
