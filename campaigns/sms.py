"""SMS backends: one small interface, chosen by settings.CRM_SMS_BACKEND (a dotted path).

- ConsoleSmsBackend prints each message (development, like Django's console email backend).
- OutboxSmsBackend keeps each message in the SMS outbox; the campaign page exports the outbox
  as the CSV file an SMS provider (İYS-registered sender) uploads.

A provider's HTTP API gets its own class with the same `send_messages`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    tenant_id: int
    recipient_id: int
    phone: str  # E.164
    text: str


class SmsBackend(Protocol):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send (or hand over) the messages; return how many were accepted. Raise OSError for
        a temporary failure (the sender retries with backoff)."""


class ConsoleSmsBackend:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            self.stream.write(f"SMS to {message.phone}: {message.text}\n")
        self.stream.flush()
        return len(messages)


class OutboxSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        from campaigns.models import SmsOutboxMessage

        SmsOutboxMessage.objects.bulk_create(
            [
                SmsOutboxMessage(
                    tenant_id=message.tenant_id,
                    recipient_id=message.recipient_id,
                    phone=message.phone,
                    text=message.text,
                )
                for message in messages
            ],
            ignore_conflicts=True,  # a message already in the outbox stays there once
        )
        return len(messages)


def get_sms_backend() -> SmsBackend:
    return import_string(settings.CRM_SMS_BACKEND)()
