"""Changes in the acquisition app: leads and their conversion, the public lead form, the
customer's preference page, acquisition costs and the nightly summaries."""

from acquisition.services.costs import acquisition_cost_delete, acquisition_cost_set
from acquisition.services.importing import LeadImportResult, leads_import
from acquisition.services.leads import (
    AcquisitionError,
    lead_capture,
    lead_convert,
    lead_create,
    lead_status_change,
    lead_update,
    leads_convert_buyers,
)
from acquisition.services.preferences import (
    PreferenceLinkError,
    PreferenceLinkExpired,
    PreferenceLinkNotSent,
    preference_link_customer,
    preference_link_send,
    preference_link_token,
    preferences_update,
)
from acquisition.services.summaries import acquisition_summaries_compute

__all__ = [
    "AcquisitionError",
    "LeadImportResult",
    "PreferenceLinkError",
    "PreferenceLinkExpired",
    "PreferenceLinkNotSent",
    "acquisition_cost_delete",
    "acquisition_cost_set",
    "acquisition_summaries_compute",
    "lead_capture",
    "lead_convert",
    "lead_create",
    "lead_status_change",
    "lead_update",
    "leads_convert_buyers",
    "leads_import",
    "preference_link_customer",
    "preference_link_send",
    "preference_link_token",
    "preferences_update",
]
