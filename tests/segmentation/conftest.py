"""Fixtures of the segmentation tests (helpers to build data are in factories.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.segmentation.factories import NOW


@pytest.fixture
def now() -> datetime:
    return NOW
