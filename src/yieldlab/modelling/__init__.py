"""Automatic modelling (layer 3): candidates, honest cross-validated selection, leaderboard.

:class:`AutoModel` tries the sensible models on a table, measures each by repeated K-fold
cross-validation, keeps the simplest within one standard error of the best and predicts
with a calibrated uncertainty; :func:`save` and :func:`load` store it without pickle.
"""

from __future__ import annotations

from .automodel import AutoModel
from .persistence import load, save

__all__ = ["AutoModel", "load", "save"]
