"""The ``yieldlab`` command line (layer 6): parse arguments, call library functions, print.

Commands: ``fit``, ``predict``, ``optimize``, ``report`` (models); ``init``, ``design``,
``suggest``, ``record``, ``status`` (campaigns); ``demo`` and ``examples``.
"""

from .app import app, main

__all__ = ["app", "main"]
