"""Segmentation: value keys, lifetime-value scores, the customer pyramid and its tiers."""
