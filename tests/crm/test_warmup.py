"""A web process loads its URLconf and compiles its templates before its first request."""

from django.template import engines
from django.urls import clear_url_caches, get_resolver

from crm.warmup import project_template_names, web_process_warm


def _cached_names() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return {key.split("-")[0] for key in loader.get_template_cache}


def test_project_templates_listed_packages_left_out():
    names = {name for _engine, name in project_template_names()}
    assert "base.html" in names
    assert "customers/detail.html" in names
    # The admin's own templates come with Django, not with the project.
    assert "admin/base.html" not in names


def test_warm_compiles_every_project_template_into_the_cache():
    engines["django"].engine.template_loaders[0].reset()
    clear_url_caches()

    compiled = web_process_warm()

    names = {name for _engine, name in project_template_names()}
    assert names <= _cached_names()
    # The project's templates and the widget templates of the Jinja2 form renderer.
    assert compiled > len(names)
    # The URLconf is imported (every app's views with it).
    assert "url_patterns" in vars(get_resolver())
