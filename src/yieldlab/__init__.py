"""yieldlab: fit models to experiment tables, predict with honest uncertainty, find the
best settings and suggest the next experiments.

The public names are imported lazily, so ``import yieldlab`` stays fast and the command
line starts quickly.

Examples
--------
>>> import yieldlab
>>> yieldlab.MLPRegressor().get_params()["activation"]
'tanh'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "MLPRegressor": "yieldlab.models.mlp",
    "MLPClassifier": "yieldlab.models.mlp",
    "LinearRegression": "yieldlab.models.linear",
    "AliasingWarning": "yieldlab.models._regression",
    "ResponseSurface": "yieldlab.models.response_surface",
    "FormulaModel": "yieldlab.models.formula",
    "AutoModel": "yieldlab.modelling.automodel",
    "load": "yieldlab.modelling.persistence",
    "Real": "yieldlab.experiments.ranges",
    "Integer": "yieldlab.experiments.ranges",
    "Discrete": "yieldlab.experiments.levels",
    "Categorical": "yieldlab.experiments.levels",
    "Space": "yieldlab.experiments.space",
    "Maximize": "yieldlab.experiments.objectives",
    "Minimize": "yieldlab.experiments.objectives",
    "Target": "yieldlab.experiments.objectives",
    "Campaign": "yieldlab.experiments.campaign",
}
_SUBMODULES = {"engine", "models", "modelling", "experiments", "simulators", "report"}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"yieldlab.{name}")
    raise AttributeError(f"module 'yieldlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS, *_SUBMODULES])
