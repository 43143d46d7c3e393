"""The back-test's two standard plots as server-rendered SVG (pygal; no script, no CDN)."""

from __future__ import annotations

import re

import pygal
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from prediction.models import BackTest

# pygal always embeds a small configuration <script> for its tooltips; the plots need none.
_SCRIPT = re.compile(r"<script[^>]*>.*?</script>|<script[^>]*/>", re.S)
_STYLE_TAG = re.compile(r"<style(\s[^>]*)?>")


def _svg(chart, *, style_nonce: str) -> SafeString:
    """The chart's SVG for inlining in a page: without pygal's script, and with the request's
    CSP nonce on its <style> elements (the policy refuses inline styles without it)."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    svg = _STYLE_TAG.sub(lambda m: f'<style{m.group(1) or ""} nonce="{style_nonce}">', svg)
    return mark_safe(svg)


def _config() -> pygal.Config:
    config = pygal.Config()
    config.js = []  # pygal's tooltips load a script from the web; the page works without it
    config.disable_xml_declaration = True
    config.width = 640
    config.height = 320
    config.legend_at_bottom = True
    config.style = pygal.style.Style(
        background="transparent",
        plot_background="transparent",
        colors=("#0d6efd", "#6c757d"),
        font_family="system-ui, sans-serif",
    )
    return config


def backtest_charts(test: BackTest, *, style_nonce: str) -> dict[str, SafeString] | None:
    results = test.results or {}
    if not results.get("by_frequency"):
        return None
    by_frequency = pygal.Bar(
        _config(),
        title=_("Average purchases in the holdout, by repeat purchases before the cut-off"),
    )
    labels = [str(row[0]) for row in results["by_frequency"]]
    if labels:
        labels[-1] = labels[-1] + "+" if results["by_frequency"][-1][0] >= 7 else labels[-1]
    by_frequency.x_labels = labels
    by_frequency.add(_("Predicted"), [row[2] for row in results["by_frequency"]])
    by_frequency.add(_("Actual"), [row[3] for row in results["by_frequency"]])
    over_time = pygal.Line(
        _config(), title=_("Cumulative repeat purchases in the holdout"), show_dots=False
    )
    over_time.x_labels = [str(row[0]) for row in results["over_time"]]
    over_time.x_title = _("days after the cut-off")
    over_time.add(_("Predicted"), [row[1] for row in results["over_time"]])
    over_time.add(_("Actual"), [row[2] for row in results["over_time"]])
    return {
        "by_frequency": _svg(by_frequency, style_nonce=style_nonce),
        "over_time": _svg(over_time, style_nonce=style_nonce),
    }
