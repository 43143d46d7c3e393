"""Brute-force protection: failed sign-ins lock out a username and a client address (django-axes);
password reset mails are limited per address and per client (django-ratelimit) without saying
whether an address has an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "parola-123"  # tests.factories.UserFactory


@pytest.fixture
def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        sign_in(client, username, "wrong", ip)


def test_the_right_password_after_five_failures_is_refused_with_the_wait_time(
    english_client, sales_user
):
    fail(english_client, "sales", 5)

    response = sign_in(english_client, "sales", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in english_client.session


def test_four_failures_do_not_lock_and_a_success_clears_them(english_client, sales_user):
    fail(english_client, "sales", 4)
    assert sign_in(english_client, "sales", PASSWORD).status_code == 302
    english_client.logout()

    fail(english_client, "sales", 4)

    assert sign_in(english_client, "sales", PASSWORD).status_code == 302


def test_a_locked_username_stays_locked_from_another_address(english_client, sales_user):
    fail(english_client, "sales", 5, ip="10.0.0.1")

    assert sign_in(english_client, "sales", PASSWORD, ip="10.9.9.9").status_code == 429


def test_an_address_trying_many_usernames_is_locked_out(english_client, sales_user):
    for number in range(5):
        fail(english_client, f"guess{number}", 1, ip="10.0.0.66")

    assert sign_in(english_client, "sales", PASSWORD, ip="10.0.0.66").status_code == 429
    # The account itself is not locked: from its owner's own address it signs in.
    assert sign_in(english_client, "sales", PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lock_ends_after_the_cool_off(english_client, sales_user):
    fail(english_client, "sales", 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    assert sign_in(english_client, "sales", PASSWORD).status_code == 302


def test_the_admin_sign_in_counts_too(english_client, sales_user):
    for _ in range(5):
        english_client.post(
            reverse("admin:login"),
            {"username": "sales", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )

    assert sign_in(english_client, "sales", PASSWORD).status_code == 429


def test_an_operator_unlocks_a_username_in_the_admin(english_client, sales_user):
    fail(english_client, "sales", 5)
    operator = Client()
    operator.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "sales" in operator.get(changelist).content.decode()

    operator.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [attempt.pk for attempt in AccessAttempt.objects.all()],
            "post": "yes",
        },
    )

    assert not AccessAttempt.objects.exists()
    assert sign_in(english_client, "sales", PASSWORD).status_code == 302


def test_a_tenant_admin_does_not_see_the_sign_in_attempts(admin_client_, tenant):
    admin_client_.get(reverse("configuration_enter", kwargs={"tenant_slug": tenant.slug}))

    response = admin_client_.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 403


# --- password reset ----------------------------------------------------------------------------


def ask_reset(client: Client, email: str, ip: str = "10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_reset_mails_for_one_address_stop_after_three_and_the_answer_stays_the_same(
    client, sales_user
):
    answers = [
        ask_reset(client, sales_user.email.upper() if n % 2 else sales_user.email)
        for n in range(10)
    ]

    assert len(mail.outbox) == 3
    assert {(answer.status_code, answer.url) for answer in answers} == {
        (302, reverse("password_reset_done"))
    }


def test_reset_for_an_unknown_address_answers_like_a_throttled_known_one(client, sales_user):
    for _ in range(3):
        ask_reset(client, sales_user.email)

    known = ask_reset(client, sales_user.email)
    unknown = ask_reset(client, "nobody@example.com")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 3


def test_reset_mails_from_one_client_stop_after_twenty(client, db):
    users = [UserFactory(username=f"user{n}", email=f"user{n}@example.com") for n in range(22)]

    for user in users:
        ask_reset(client, user.email, ip="10.0.0.77")
    ask_reset(client, users[21].email, ip="10.0.0.78")

    assert [message.to for message in mail.outbox] == [
        *([user.email] for user in users[:20]),
        [users[21].email],
    ]


def test_the_lockout_message_speaks_turkish(client, sales_user):
    fail(client, "sales", 5)

    response = sign_in(client, "sales", PASSWORD)

    assert "Çok fazla başarısız giriş denemesi. 15 dakika sonra yeniden deneyin." in (
        response.content.decode()
    )
