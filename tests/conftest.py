"""Shared fixtures: a seeded generator and the location of the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """Folder of the shared reference data (``../shared/data``), or None when absent.

    ``YIELDLAB_SHARED_DATA`` overrides the default location next to the checkout.
    """
    path = Path(os.environ.get("YIELDLAB_SHARED_DATA", REPO.parent / "shared" / "data"))
    return path if path.is_dir() else None


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every test is reproducible."""
    return np.random.default_rng(20261125)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test cleanly when it is not there."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared reference data (../shared/data) is not available")
    return path
