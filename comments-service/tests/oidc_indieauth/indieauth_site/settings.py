# A Django site that runs the IndieAuth server of PyPI `django-indieweb`
# (tests/requirements.txt) for comments-service/tests/oidc_indieauth: the real
# package's views, configured here; the profile pages are plain templates.
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "test-only-django-key-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "indieweb",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["INDIEAUTH_DB"],
    }
}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
INDIEWEB_REQUIRE_PKCE = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False, "handlers": {"err": {"class": "logging.StreamHandler"}}, "loggers": {"django.request": {"handlers": ["err"], "level": os.environ.get("INDIEAUTH_LOG", "CRITICAL")}}}
SITE_ID = 1
