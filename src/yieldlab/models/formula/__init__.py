"""Formula models: the user writes how the process behaves, yieldlab fits it (layer 2).

:class:`FormulaModel` takes a formula as text (``"y = b1*(1 - exp(-b2*x))"``), parses it
safely (:mod:`.parser`, never ``eval``), differentiates it exactly (:mod:`.expression`)
and fits its parameters by nonlinear least squares with automatic starts and fallbacks
(:mod:`.starts`, :mod:`.fitting`).
"""

from __future__ import annotations

from .model import FormulaModel
from .parser import parse_formula

__all__ = ["FormulaModel", "parse_formula"]
