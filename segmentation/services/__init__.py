"""Services of the segmentation app: defaults, configuration rules, recompute, runs and pins."""

from segmentation.services.classes import class_settings_update
from segmentation.services.configuration import (
    KeyDraft,
    TierDraft,
    configuration_change_record,
    tiers_validate,
    value_keys_validate,
)
from segmentation.services.defaults import segmentation_defaults_ensure
from segmentation.services.hand_picked import segment_customer_remove, segment_customers_add
from segmentation.services.pins import PinError, tier_pin_remove, tier_pin_set
from segmentation.services.recompute import RecomputeError, scores_recompute
from segmentation.services.runs import (
    dead_runs_fail,
    nightly_recomputes_schedule,
    score_run_request,
    tenants_due_for_nightly,
)
from segmentation.services.segments import (
    SegmentError,
    segment_create,
    segment_delete,
    segment_snapshot_create,
    segment_update,
)

__all__ = [
    "KeyDraft",
    "PinError",
    "RecomputeError",
    "SegmentError",
    "TierDraft",
    "class_settings_update",
    "configuration_change_record",
    "dead_runs_fail",
    "nightly_recomputes_schedule",
    "score_run_request",
    "scores_recompute",
    "segment_create",
    "segment_customer_remove",
    "segment_customers_add",
    "segment_delete",
    "segment_snapshot_create",
    "segment_update",
    "segmentation_defaults_ensure",
    "tenants_due_for_nightly",
    "tier_pin_remove",
    "tier_pin_set",
    "tiers_validate",
    "value_keys_validate",
]
