"""Exceptions raised by yieldlab (layer 0).

Bad *values* raise :class:`ValueError` and bad *types* raise :class:`TypeError`, as in
NumPy and scikit-learn. State errors of campaigns, spaces and files raise subclasses of
:class:`YieldlabError`, so a caller (the command line, a notebook) can catch everything
yieldlab reports about the user's input in one place.
"""

from __future__ import annotations

__all__ = [
    "CampaignError",
    "ConvergenceError",
    "DataError",
    "DivergenceError",
    "FormulaError",
    "SpaceError",
    "StoreError",
    "YieldlabError",
]


class YieldlabError(Exception):
    """Base class of every error yieldlab raises about the user's input or state."""


class DataError(YieldlabError, ValueError):
    """A data table is unusable: missing values, wrong types, a missing column.

    Also a :class:`ValueError`, so code written for scikit-learn catches it.
    """


class DivergenceError(YieldlabError, FloatingPointError):
    """Training produced a non-finite loss; the message names the learning rate."""


class ConvergenceError(YieldlabError, RuntimeError):
    """An iterative solver could not reach a solution from any start it tried."""


class FormulaError(YieldlabError, ValueError):
    """A model formula does not parse or uses something that is not allowed."""


class SpaceError(YieldlabError, ValueError):
    """A parameter space or a setting is inconsistent (outside bounds, unknown level)."""


class CampaignError(YieldlabError, ValueError):
    """A campaign operation is not possible in its current state."""


class StoreError(YieldlabError, OSError):
    """A campaign or model file is missing, corrupt, or not a yieldlab file."""
