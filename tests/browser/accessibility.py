"""axe-core in the browser tests: the engine ships inside the axe-playwright-python package
(installed with the dev dependencies, never fetched at run time) and runs in the page."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# What the tests fail on; minor and moderate findings are left to review.
FAILING_IMPACTS = {"serious", "critical"}
_axe = Axe()


def serious_violations(page) -> list[str]:
    """The page's serious and critical WCAG 2 A/AA violations, one line each (rule, impact,
    the first offending elements), for an assertion's message."""
    results = _axe.run(
        page,
        options={
            "resultTypes": ["violations"],
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        },
    )
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]
