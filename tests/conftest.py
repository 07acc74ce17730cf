"""Shared fixtures: a seeded generator and the location of the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (one worker per core) every worker and the command-line runs it
    starts use one BLAS thread: two workers with a BLAS thread per core each make the
    spinning threads fight for the cores, and tests run ten times slower."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from threadpoolctl import threadpool_limits

        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = "1"
        config.stash[_BLAS_LIMIT] = threadpool_limits(1)


_BLAS_LIMIT = pytest.StashKey[object]()


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
