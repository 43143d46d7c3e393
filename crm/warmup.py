"""Load at a web process's start what it would otherwise load on its first requests.

Django imports the URLconf (and with it every app's views, forms and chart libraries) on the
first request, and compiles each template the first time a page uses it. In a fresh gunicorn
worker that made the first customer list cost ~280 ms of CPU instead of ~30 (1M-customer bench
tenant), and every worker pays it for each kind of page: under load those first requests held a
worker long enough to queue the requests behind them (bench_load.py's p99). crm/wsgi.py calls
`web_process_warm` before the worker takes requests (and before gc.freeze, so what it loads is
left out of the collector's walks too).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.template import TemplateSyntaxError, engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def project_template_names() -> list[tuple[object, str]]:
    """(engine, name) of every HTML template the project itself holds (its templates/ folder
    and its apps'), not the installed packages' (the admin's alone has ~100, mostly never
    drawn by a web worker)."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[tuple[object, str]] = []
    for engine in engines.all():
        folders = [Path(folder) for folder in getattr(engine, "dirs", [])]
        if getattr(engine, "app_dirs", False):
            folders += [Path(folder) for folder in get_app_template_dirs("templates")]
        for folder in folders:
            folder = folder.resolve()
            if not folder.is_relative_to(base) or ".venv" in folder.parts:
                continue
            found += [
                (engine, path.relative_to(folder).as_posix())
                for path in sorted(folder.rglob("*.html"))
            ]
    return found


def web_process_warm() -> int:
    """Import the URLconf, load each language's catalogue, compile the project's templates and
    the form renderer's widget templates; the number of templates compiled."""
    get_resolver().url_patterns  # noqa: B018 (reading it imports every app's urls and views)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Customers")
    compiled = 0
    for engine, name in project_template_names():
        try:
            engine.get_template(name)
        except TemplateSyntaxError:
            # The page that uses it will show the error; the other pages still get served.
            logger.exception("Template %s does not compile", name)
            continue
        compiled += 1
    renderer = get_default_renderer()
    environment = getattr(getattr(renderer, "engine", None), "env", None)
    if environment is not None:
        for name in environment.list_templates(filter_func=lambda n: n.startswith("django/forms")):
            environment.get_template(name)
            compiled += 1
    return compiled
