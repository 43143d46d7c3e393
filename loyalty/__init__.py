"""Loyalty programmes (points, rewards, coupons): built on segmentation; comes after the core."""
