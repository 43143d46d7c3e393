"""The database restarted under the web server: the request that meets the dead connection gets
a clean 503 (the health check says so too), and the next one works again without restarting the
app. The connection is killed for real, from another session, as a restart does."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def _kill_this_connection() -> None:
    """pg_terminate_backend on the test's own connection, from a second session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def reconnect_afterwards():
    yield
    connection.close()  # whatever happened, the teardown gets a fresh connection


def test_health_check_answers_503_then_ok_after_the_connection_is_lost(reconnect_afterwards):
    client = Client(raise_request_exception=False)
    assert client.get(reverse("health")).status_code == 200
    _kill_this_connection()

    lost = client.get(reverse("health"))
    # What request_finished does after every real request (the test client skips it).
    close_old_connections()
    recovered = client.get(reverse("health"))

    assert lost.status_code == 503
    assert lost.json() == {"status": "database unavailable"}
    assert recovered.status_code == 200
    assert recovered.json() == {"status": "ok"}


def test_a_page_meeting_the_lost_connection_is_a_503_asking_to_retry(
    sales_user, tenant, reconnect_afterwards
):
    client = Client(raise_request_exception=False)
    client.force_login(sales_user)
    home = reverse("tenant_home", kwargs={"tenant_slug": tenant.slug})
    assert client.get(home).status_code == 200
    _kill_this_connection()

    lost = client.get(home)
    close_old_connections()
    recovered = client.get(home)

    assert lost.status_code == 503
    assert lost["Retry-After"] == "5"
    # Rendered in the language the request was in (the tenant's Turkish here).
    assert "birkaç saniye sonra yeniden deneyin" in lost.content.decode()
    assert recovered.status_code == 200


def test_other_errors_keep_the_500_page(rf, settings):
    from crm.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
