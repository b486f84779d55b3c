"""Bibarys settings: one file, read from the environment (see .env.example and README)."""

import sys
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# pytest imports itself before Django; tests get a throwaway key and local caches.
TESTING = "pytest" in sys.modules

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

STORE_NAME = env.str("STORE_NAME", default="Bibarys")
# What every receipt prints under the store's name: its BIN (БСН / БИН, 12 digits) and address.
STORE_BIN = env.str("STORE_BIN", default="")
STORE_ADDRESS = env.str("STORE_ADDRESS", default="")

INSTALLED_APPS = [
    "bibarys.admin_site.StoreAdminConfig",  # django.contrib.admin, its logins limited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "bibarys",
    "jobs",
    "accounts",
    "catalog",
    "inventory",
    "orders",
    "till",
    "fiscal",
    "analytics",
]

MIDDLEWARE = [
    "bibarys.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bibarys.cache.AnonymousPageCacheMiddleware",  # only views marked @cache_shop_page
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SignedOutNoticeMiddleware",  # a blocked user is told why
    "bibarys.middleware.SignedInNoStoreMiddleware",  # signed-in pages: private, no-store
    "bibarys.cache.ShopperPageCacheMiddleware",  # the same pages for signed-in shoppers
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]
# The client's address behind the reverse proxy (docs/deploy.md): X-Forwarded-For is believed
# only from these addresses or networks, e.g. TRUSTED_PROXIES=10.0.0.5,10.0.1.0/24.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# `make bench` only: each response says how many SQL queries it ran (X-Bench-Queries).
if env.bool("BENCH", default=False):
    MIDDLEWARE.insert(0, "bibarys.middleware.QueryCountMiddleware")
BENCH_CEILING = env.bool("BIBARYS_BENCH_CEILING", default=False)  # bench/ceiling.py

ROOT_URLCONF = "bibarys.urls"
WSGI_APPLICATION = "bibarys.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bibarys.context_processors.store",
                "bibarys.navigation.menus",
                "orders.context_processors.cart",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise (PostgreSQL in
# production and CI).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: our queries are short, and PostgreSQL's cost guess for the dashboard's board
    # (correlated name lookups) sent it compiling far longer than the query runs
    # (BENCHMARKS.md, "Figures behind the code").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
    # The test database is cloned from this template when set: CI makes one with the ICU kk-KZ
    # collation, as production's database is made (docs/deploy.md), so names sort in Kazakh
    # order in the tests too.
    if env("DATABASE_TEST_TEMPLATE", default=""):
        DATABASES["default"]["TEST"] = {"TEMPLATE": env("DATABASE_TEST_TEMPLATE")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let runserver's threads read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and rate-limit store: Redis in production, required there so that every gunicorn
# worker shares one count of login attempts.
REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL and not (DEBUG or TESTING):
    raise ImproperlyConfigured("REDIS_URL is required when DEBUG is off.")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bibarys"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded default is one process (runserver or the test run), so a local-memory cache
    # is the shared cache here and django-ratelimit's warning about it does not apply.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# How long a process trusts the catalog version it read from the cache (bibarys/cache/store.py): a
# stock or product change shows on every app server's cached shop pages within this time.
PAGE_CACHE_VERSION_SECONDS = env.float("PAGE_CACHE_VERSION_SECONDS",
                                       default=0.0 if TESTING else 0.25)
# How old the stock a cached shop page shows may be (bibarys/cache/store.py): a sale redraws each page
# at most once in this time, not once per sale.
PAGE_CACHE_STOCK_SECONDS = env.float("PAGE_CACHE_STOCK_SECONDS", default=0.0 if TESTING else 2.0)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "bibarys.views.ratelimited"
# Every door that checks a password or a secret shares these two counts (bibarys/ratelimits.py).
RATELIMIT_LOGIN = env.str("RATELIMIT_LOGIN", default="5/m")  # per client address
RATELIMIT_LOGIN_ACCOUNT = env.str("RATELIMIT_LOGIN_ACCOUNT", default="10/15m")  # per account
RATELIMIT_SIGNUP = env.str("RATELIMIT_SIGNUP", default="10/h")
RATELIMIT_CHECKOUT = env.str("RATELIMIT_CHECKOUT", default="10/m")  # bibarys/ratelimits.py
RATELIMIT_REVIEW = env.str("RATELIMIT_REVIEW", default="10/h")
RATELIMIT_TOPUP = env.str("RATELIMIT_TOPUP", default="10/m")
RATELIMIT_PASSWORD_RESET = env.str("RATELIMIT_PASSWORD_RESET", default="5/h")

# How a wallet is topped up (accounts/payments.py): empty = no gateway, top-up not available
# (the default in production); `demo` = the demo gateway that credits any amount without a
# payment (the default in development; in production only when named here, with warnings);
# or a dotted path to a gateway class.
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="demo" if DEBUG or TESTING else "")

# The card gateway (docs/payments.md): PAYMENT_GATEWAY=accounts.freedompay.FreedomPayGateway takes
# cards for wallet top-ups and online orders on Freedom Pay's page. Its merchant id and secret key
# (the merchant's cabinet), its API address (the test server: https://test-api.freedompay.kz), how
# long to wait for it, its testing mode, and the shop's public address for the provider's
# notification and the shopper's way back (empty: the address of the request).
FREEDOMPAY_MERCHANT_ID = env.str("FREEDOMPAY_MERCHANT_ID", default="")
FREEDOMPAY_SECRET_KEY = env.str("FREEDOMPAY_SECRET_KEY", default="")
FREEDOMPAY_API_URL = env.str("FREEDOMPAY_API_URL", default="https://api.freedompay.kz")
FREEDOMPAY_TIMEOUT_SECONDS = env.float("FREEDOMPAY_TIMEOUT_SECONDS", default=10.0)
FREEDOMPAY_TESTING_MODE = env.bool("FREEDOMPAY_TESTING_MODE", default=False)
PAYMENT_SITE_URL = env.str("PAYMENT_SITE_URL", default="")

# Background tasks (jobs/services.py, docs/deploy.md): django-tasks with its database backend;
# `manage.py db_worker` runs them (`make run` starts one beside the server). A failed task is
# retried after JOBS_RETRY_BASE_SECONDS, doubling each time up to JOBS_RETRY_MAX_SECONDS, at most
# JOBS_MAX_ATTEMPTS times; then it stays FAILED in Django admin (Background tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=8)
JOBS_RETRY_BASE_SECONDS = env.float("JOBS_RETRY_BASE_SECONDS", default=30.0)
JOBS_RETRY_MAX_SECONDS = env.float("JOBS_RETRY_MAX_SECONDS", default=3600.0)

# VAT (docs/vat.md, catalog/vat.py). Whether the store is registered as a VAT payer, its BIN and
# VAT registration certificate, the rate of a product whose own and category's are empty, and,
# for a store that is not a payer, the MCI of the year for the registration threshold
# (10,000 MCI of turnover; the dashboard warns from VAT_THRESHOLD_WARN_PERCENT of it).
VAT_PAYER = env.bool("VAT_PAYER", default=False)
VAT_CERTIFICATE_SERIES = env.str("VAT_CERTIFICATE_SERIES", default="")
VAT_CERTIFICATE_NUMBER = env.str("VAT_CERTIFICATE_NUMBER", default="")
VAT_CERTIFICATE_DATE = env.str("VAT_CERTIFICATE_DATE", default="")
VAT_DEFAULT_RATE = env.str("VAT_DEFAULT_RATE", default="16")
if VAT_DEFAULT_RATE not in ("16", "0", "exempt"):
    raise ImproperlyConfigured("VAT_DEFAULT_RATE is 16, 0 or exempt.")
MCI = env.int("MCI", default=4325)
VAT_THRESHOLD_MCI = env.int("VAT_THRESHOLD_MCI", default=10000)
VAT_THRESHOLD_WARN_PERCENT = env.int("VAT_THRESHOLD_WARN_PERCENT", default=80)

# The till (till/scan.py, docs/till.md): the scale label's layout after its two-digit prefix
# 20–29 (P = PLU digit, W = weight in grams, M = price in tenge, X = ignored; the 13th digit is
# the check digit), and the SKUs of the quick-pick tiles (goods without a barcode).
TILL_SCALE_LABEL = env.str("TILL_SCALE_LABEL", default="PPPPPWWWWW")
TILL_QUICK_PICKS = env.list("TILL_QUICK_PICKS", default=[])
# Cash at the till rounded, half up, to this step: 1 when the store hands out no tiyn (a
# weighed 1 234,40 ₸ is taken as 1 234 ₸; the drawer and the Z report count the difference);
# 0.01 (the default) rounds nothing. Card and Kaspi are always exact.
TILL_CASH_ROUNDING = env.str("TILL_CASH_ROUNDING", default="0.01")
try:
    if not Decimal("0.01") <= Decimal(TILL_CASH_ROUNDING) <= Decimal("100"):
        raise ValueError
except (ValueError, ArithmeticError):
    raise ImproperlyConfigured("TILL_CASH_ROUNDING is a step of 0.01 to 100 tenge.") from None

# Online orders (DOMAIN.md, Permissions): cashiers and sellers move them along; cancelling an
# order that is already paid stays the admin's unless this says otherwise.
ORDERS_CASHIER_CAN_CANCEL_PAID = env.bool("ORDERS_CASHIER_CAN_CANCEL_PAID", default=False)
# Short stock at the till (docs/till.md): `refuse` (the books say 0, the sale is refused with a
# clear message) or `allow` (sold anyway, recorded as a short-stock exception for the owner).
TILL_SHORT_STOCK = env.str("TILL_SHORT_STOCK", default="refuse")

# Fiscal receipts (fiscal/, docs/fiscal.md): `none` (the store prints them on its own register;
# Bibarys says so on its receipts) or `kassa24` (the Kassa24 cloud register, its API at
# FISCAL_KASSA24_URL, the register's id FISCAL_KASSA24_KKM_ID and its registration number with
# the tax office FISCAL_REGISTER_NUMBER, printed on receipts). Documents waiting longer than
# FISCAL_OFFLINE_WARN_HOURS are flagged on the till: the law allows 72 hours offline.
FISCAL_BACKEND = env.str("FISCAL_BACKEND", default="none").strip().lower()
if FISCAL_BACKEND not in ("none", "kassa24"):
    raise ImproperlyConfigured("FISCAL_BACKEND is none or kassa24.")
FISCAL_KASSA24_URL = env.str("FISCAL_KASSA24_URL", default="")
FISCAL_KASSA24_LOGIN = env.str("FISCAL_KASSA24_LOGIN", default="")
FISCAL_KASSA24_PASSWORD = env.str("FISCAL_KASSA24_PASSWORD", default="")
FISCAL_KASSA24_KKM_ID = env.str("FISCAL_KASSA24_KKM_ID", default="")
FISCAL_REGISTER_NUMBER = env.str("FISCAL_REGISTER_NUMBER", default="")
FISCAL_TIMEOUT_SECONDS = env.float("FISCAL_TIMEOUT_SECONDS", default=10.0)
FISCAL_OFFLINE_WARN_HOURS = env.int("FISCAL_OFFLINE_WARN_HOURS", default=48)
if not 1 <= FISCAL_OFFLINE_WARN_HOURS < 72:
    raise ImproperlyConfigured("FISCAL_OFFLINE_WARN_HOURS is between 1 and 71: the law allows 72.")

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, with a cheaper read of the signed-in user (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.UserBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = 7 * 24 * 60 * 60
# Kept in the database, read from the cache (Redis in production): a signed-in page costs no
# session query. Blocking a user deletes both copies (accounts.staff_services).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Languages: Kazakh by default, then Russian and English.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="kk")
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
# Ours first; then what Django itself leaves untranslated in Kazakh (locale/django, kept by
# hand: makemessages does not touch it).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "django"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["bibarys.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shop@bibarys.kz")

# Security. Production (DEBUG off) is HTTPS behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from <body hx-headers>, not the cookie
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline script or style, no eval; htmx is configured through a
# <meta name="htmx-config"> tag to stay within it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
