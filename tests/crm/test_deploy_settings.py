"""Production settings: `check --deploy` has nothing to say, the HTTPS protections are on by
default with DEBUG off and each can be switched off, the proxy header is trusted only when
configured, and every page carries a Content-Security-Policy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "Xk3-vQ9_pL2mZ8rT4wN7yB1cF6hJ0sD5gA-eU3iO9qW2xE7tR4yU8iP1oA6sDf",
    "ALLOWED_HOSTS": "crm.example.com",
}
SHOWN = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
)}))
"""


def run(tmp_path: Path, arguments: list[str], **variables: str) -> subprocess.CompletedProcess:
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "XDG_RUNTIME_DIR", "DATABASE_URL", "REDIS_URL"}
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "crm.settings", "ENV_FILE": str(env_file), **variables}
    )
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def shown_settings(tmp_path: Path, **variables: str) -> dict:
    result = run(tmp_path, ["-c", "import django; django.setup()\n" + SHOWN], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_has_no_warnings_with_production_settings(tmp_path):
    result = run(
        tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_https_protections_are_on_by_default_without_debug(tmp_path):
    assert shown_settings(tmp_path, **PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_a_plain_http_intranet_switches_each_off(tmp_path):
    shown = shown_settings(
        tmp_path,
        **PRODUCTION,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )

    assert (
        shown["SECURE_SSL_REDIRECT"],
        shown["SECURE_HSTS_SECONDS"],
        shown["SESSION_COOKIE_SECURE"],
        shown["CSRF_COOKIE_SECURE"],
    ) == (False, 0, False, False)


def test_the_proxy_header_is_trusted_only_when_configured(tmp_path):
    shown = shown_settings(tmp_path, **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")

    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_keeps_plain_http(tmp_path):
    shown = shown_settings(tmp_path, DEBUG="1")

    assert (shown["SECURE_SSL_REDIRECT"], shown["SECURE_HSTS_SECONDS"]) == (False, 0)


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_pages_carry_a_strict_content_security_policy(client, db, name):
    policy = client.get(reverse(name))["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_an_inline_script_with_the_nonce_is_allowed_by_the_policy(rf, db):
    """How a template adds an inline script (see README, Security)."""
    request = rf.get("/")
    request.user = AnonymousUser()

    def view(request):
        template = Template('<script nonce="{{ CSP_NONCE }}">start()</script>')
        return HttpResponse(template.render(RequestContext(request)))

    response = CSPMiddleware(view)(request)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode())[1]
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_health_check_answers_over_plain_http_when_https_is_enforced(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("login")).status_code == 301
