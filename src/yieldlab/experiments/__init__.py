"""Design of experiments and Bayesian optimisation (layer 4): parameters, spaces,
objectives, designs, surrogates, acquisition functions and campaigns.

Settings live in two named representations: *user units* (a DataFrame, one column per
parameter, what the chemist reads and writes) and the *encoded* array a surrogate model
and an acquisition optimizer work on (numeric parameters scaled to ``[0, 1]``, log-scaled
when asked, categorical ones one-hot). :class:`Space` converts between them
(``encode``/``decode``/``project``) and checks constraints and exclusions. A categorical
parameter may carry descriptors of its levels (:mod:`.descriptors`): the surrogate then
sees how alike two levels are, while the encoding stays one-hot.

The public names are imported lazily (the design module pulls in SciPy's statistics and
pyDOE3), so ``import yieldlab.experiments`` stays fast.

Examples
--------
>>> from yieldlab.experiments import Space, Real, Categorical, make_design
>>> space = Space([Real("temperature", 60, 160, unit="°C"),
...                Categorical("catalyst", ["Pd", "Ni"])])
>>> make_design(space, 4, "sobol", rng=0).shape
(4, 2)
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module (relative to this package) that defines it
_EXPORTS: dict[str, str] = {
    "Categorical": "levels",
    "Discrete": "levels",
    "Integer": "ranges",
    "Parameter": "parameters",
    "Real": "ranges",
    "Exclusion": "constraints",
    "LinearConstraint": "constraints",
    "Space": "space",
    "read_space_file": "spacefile",
    "Desirability": "desirability",
    "Maximize": "objectives",
    "Minimize": "objectives",
    "Objective": "objectives",
    "Target": "objectives",
    "hypervolume": "pareto",
    "is_failed": "desirability",
    "objective_matrix": "pareto",
    "pareto_mask": "pareto",
    "score": "desirability",
    "DESIGNS": "design",
    "MODELS": "d_optimal",
    "d_criterion": "d_optimal",
    "make_design": "design",
    "model_matrix": "d_optimal",
    "Campaign": "campaign",
    "ModelOptimum": "optimum",
    "find_optimum": "optimum",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
