"""The value keys page in a real browser: a weight change is previewed in place (htmx), the
edits stay in the form, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from segmentation.models import ValueKey
from tests.browser.conftest import sign_in
from tests.segmentation.conftest import now  # noqa: F401 (fixture)
from tests.segmentation.test_value_keys_preview import base  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_previews_tier_sizes_before_saving(
    page,
    live_server,
    tenant,
    admin_user,
    base,  # noqa: F811
    console_errors,
):
    sign_in(page, live_server, admin_user)
    page.goto(live_server.url + reverse("admin:segmentation_valuekey_changelist"))
    assert page.locator("td.field-share_of_score").all_inner_texts() == ["50.0 %", "50.0 %"]

    page.locator("#id_form-0-is_active").uncheck()  # revenue off: purchases alone
    page.get_by_role("button", name="Preview tier sizes").click()

    preview = page.locator("#value-key-preview")
    preview.get_by_text("1 of 4 active customers would change tier.").wait_for()
    rows = preview.locator("#value-key-preview-tiers tbody tr").all_inner_texts()
    assert [row.split("\t") for row in rows] == [
        ["Level 1", "1", "1", "0"],
        ["Level 2", "2", "1", "-1"],
        ["Level 3", "1", "2", "+1"],
    ]
    assert not page.locator("#id_form-0-is_active").is_checked()  # the edit is still there
    with scopes_disabled():
        assert ValueKey.objects.get(pk=base["revenue"].pk).is_active
    assert console_errors == []
