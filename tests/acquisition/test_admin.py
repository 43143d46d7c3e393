"""Admin: a tenant admin sees their own leads and costs, read-only."""

import pytest

from tests.acquisition.conftest import make_lead

pytestmark = pytest.mark.django_db


def test_tenant_admin_sees_only_their_leads(admin_client_, tenant, other_tenant):
    make_lead(tenant, first_name="Yerli", last_name="Aday")
    make_lead(other_tenant, first_name="Yabancı", last_name="Aday")
    admin_client_.get(f"/{tenant.slug}/configuration/")
    html = admin_client_.get("/admin/acquisition/lead/").content.decode()
    assert "Yerli Aday" in html
    assert "Yabancı Aday" not in html


def test_leads_cannot_be_added_or_changed_in_the_admin(admin_client_, tenant):
    lead = make_lead(tenant)
    admin_client_.get(f"/{tenant.slug}/configuration/")
    assert admin_client_.get("/admin/acquisition/lead/add/").status_code == 403
    page = admin_client_.get(f"/admin/acquisition/lead/{lead.pk}/change/").content.decode()
    assert 'name="status"' not in page
