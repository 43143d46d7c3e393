"""Empty choices in the customer forms say "Choose…" (Seçin…), never Django's "---------"."""

from __future__ import annotations

import pytest
from django.utils import translation

from customers import selectors
from customers.forms import CustomerForm, InteractionForm, TransactionForm

pytestmark = pytest.mark.django_db


def test_forms_offer_choose_instead_of_dashes(tenant_scope):
    members = selectors.tenant_members(tenant=tenant_scope)
    with translation.override("tr"):
        forms = [
            CustomerForm(tenant=tenant_scope, members=members),
            InteractionForm(members=members),
            TransactionForm(tenant=tenant_scope),
        ]
        html = "".join(str(form.as_p()) for form in forms)
    assert "---------" not in html
    assert "Seçin…" in html
