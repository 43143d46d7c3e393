"""Campaigns aimed at segments: built on segmentation; comes after the core."""
