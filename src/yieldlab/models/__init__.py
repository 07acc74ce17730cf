"""Estimators on the engine (layer 2), scikit-learn compatible.

Neural networks (:class:`MLPRegressor`, :class:`MLPClassifier`), least squares and response
surfaces (:class:`LinearRegression`, :class:`ResponseSurface`) and user formulas
(:class:`FormulaModel`).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "MLPRegressor": "yieldlab.models.mlp",
    "MLPClassifier": "yieldlab.models.mlp",
    "LinearRegression": "yieldlab.models.linear",
    "ResponseSurface": "yieldlab.models.response_surface",
    "FormulaModel": "yieldlab.models.formula",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'yieldlab.models' has no attribute {name!r}")
