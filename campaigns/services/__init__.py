"""Campaign services: planning and the status machine, the start (audience → recipients),
sending, calls and exports, triggers, unsubscribe and click tracking, contact rules."""

from campaigns.services.audience import campaign_start, trigger_evaluate, triggers_evaluate
from campaigns.services.contacts import (
    call_log,
    click_record,
    mail_export_claim,
    sms_outbox_export_mark,
    unsubscribe,
    unsubscribe_target,
)
from campaigns.services.errors import CampaignError
from campaigns.services.lifecycle import (
    campaign_cancel,
    campaign_create,
    campaign_finish,
    campaign_schedule,
    campaign_unschedule,
    campaign_update,
    campaigns_due,
)
from campaigns.services.rules import (
    contact_rules_for,
    contact_rules_update,
    suppression_add,
    suppression_remove,
)
from campaigns.services.sending import campaign_send, send_batch, stalled_sends_recover

__all__ = [
    "CampaignError",
    "call_log",
    "campaign_cancel",
    "campaign_create",
    "campaign_finish",
    "campaign_schedule",
    "campaign_send",
    "campaign_start",
    "campaign_unschedule",
    "campaign_update",
    "campaigns_due",
    "click_record",
    "contact_rules_for",
    "contact_rules_update",
    "mail_export_claim",
    "send_batch",
    "sms_outbox_export_mark",
    "stalled_sends_recover",
    "suppression_add",
    "suppression_remove",
    "trigger_evaluate",
    "triggers_evaluate",
    "unsubscribe",
    "unsubscribe_target",
]
