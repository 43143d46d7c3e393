"""Settings come from the environment: each case imports the settings in a fresh interpreter
with chosen variables and an empty env file, so the developer's .env cannot mask a default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "database": {
        key: settings.DATABASES["default"][key]
        for key in ("ENGINE", "NAME", "USER", "HOST", "PORT")
    },
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "time_zone": settings.TIME_ZONE,
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "language": settings.LANGUAGE_CODE,
}))
"""

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-secret-for-the-test",
    "DATABASE_URL": "postgres://crm:s3cret@db.example.com:5433/crm_prod",
}


def load_settings(
    tmp_path: Path, env_file_text: str = "", **variables: str
) -> subprocess.CompletedProcess:
    env_file = tmp_path / "site.env"
    env_file.write_text(env_file_text)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "XDG_RUNTIME_DIR"}
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "crm.settings", "ENV_FILE": str(env_file), **variables}
    )
    code = "import django; django.setup()\n" + PRINT_SETTINGS
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_from(tmp_path: Path, env_file_text: str = "", **variables: str) -> dict:
    result = load_settings(tmp_path, env_file_text, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_url_is_parsed(tmp_path):
    database = settings_from(tmp_path, **PRODUCTION)["database"]
    assert database == {
        "ENGINE": "crm.database",  # PostgreSQL with row-level security in force (crm/rls.py)
        "NAME": "crm_prod",
        "USER": "crm",
        "HOST": "db.example.com",
        "PORT": 5433,
    }


def test_redis_url_makes_redis_the_broker_and_result_backend(tmp_path):
    loaded = settings_from(tmp_path, REDIS_URL="redis://cache.example.com:6380/3", **PRODUCTION)
    assert loaded["broker"] == "redis://cache.example.com:6380/3"
    assert loaded["result_backend"] == "redis://cache.example.com:6380/3"


def test_without_redis_url_celery_uses_the_filesystem_transport_under_data(tmp_path):
    loaded = settings_from(tmp_path, **PRODUCTION)
    assert loaded["broker"] == "filesystem://"
    assert loaded["broker_options"]["data_folder_in"] == str(BASE_DIR / ".data/celery/queue")
    assert loaded["result_backend"] == f"file://{BASE_DIR / '.data/celery/results'}"


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = load_settings(tmp_path, DEBUG="0", DATABASE_URL=PRODUCTION["DATABASE_URL"])
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_without_a_secret_key(tmp_path):
    loaded = settings_from(tmp_path, DEBUG="1", DATABASE_URL=PRODUCTION["DATABASE_URL"])
    assert loaded["debug"] is True


def test_defaults_time_zone_istanbul_language_turkish_console_email(tmp_path):
    loaded = settings_from(tmp_path, **PRODUCTION)
    assert loaded["time_zone"] == "Europe/Istanbul"
    assert loaded["language"] == "tr"
    assert loaded["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]


def test_time_zone_hosts_and_email_come_from_the_environment(tmp_path):
    loaded = settings_from(
        tmp_path,
        TIME_ZONE="UTC",
        ALLOWED_HOSTS="crm.example.com,www.crm.example.com",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
        **PRODUCTION,
    )
    assert loaded["time_zone"] == "UTC"
    assert loaded["allowed_hosts"] == ["crm.example.com", "www.crm.example.com"]
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["email_host"] == "smtp.example.com"


def test_env_file_fills_in_and_the_environment_wins(tmp_path):
    loaded = settings_from(
        tmp_path,
        "TIME_ZONE=Europe/Berlin\nALLOWED_HOSTS=from-file.example.com\n",
        TIME_ZONE="UTC",
        **PRODUCTION,
    )
    assert loaded["time_zone"] == "UTC"
    assert loaded["allowed_hosts"] == ["from-file.example.com"]


def test_unknown_time_zone_fails_loudly(tmp_path):
    result = load_settings(tmp_path, TIME_ZONE="Mars/Olympus", **PRODUCTION)
    assert result.returncode != 0
    assert "Mars/Olympus" in result.stderr
