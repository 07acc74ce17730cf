"""Specifications: plain dicts (parsed YAML or JSON) to parameters and objectives (layer 4).

A parameter is written as ``{'name': ..., 'type': ..., <constructor arguments>}`` and an
objective as ``{'name': ..., 'goal': ..., <constructor arguments>}`` (what their
``to_dict`` methods give). :func:`parameter_from_dict` and :func:`objective_from_dict` check
the keys, suggest the closest name for a misspelt one, and raise a :class:`SpaceError`
whose ``path`` attribute names the key at fault (:func:`spec_error`), which the YAML reader
(:mod:`.spacefile`) turns into a file line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._validation import closest_name
from ..exceptions import SpaceError
from .levels import Categorical, Discrete
from .objectives import OBJECTIVE_TYPES, Objective
from .parameters import Parameter
from .ranges import Integer, Real

__all__ = ["PARAMETER_TYPES", "objective_from_dict", "parameter_from_dict", "spec_error"]

PARAMETER_TYPES: dict[str, type[Parameter]] = {
    "real": Real,
    "integer": Integer,
    "discrete": Discrete,
    "categorical": Categorical,
}
_KEYS: dict[str, tuple[str, ...]] = {
    "real": ("low", "high", "unit", "log"),
    "integer": ("low", "high", "unit", "log"),
    "discrete": ("values", "unit"),
    "categorical": ("values", "descriptors"),
}


def spec_error(message: str, path: tuple = ()) -> SpaceError:
    """A :class:`SpaceError` that remembers where in a specification it happened.

    ``path`` is a tuple of keys and list positions (``('parameters', 1, 'low')``); the YAML
    reader turns it into a file line.
    """
    error = SpaceError(message)
    error.path = path
    return error


def parameter_from_dict(spec: Mapping[str, Any]) -> Parameter:
    """Build a parameter from the dict written by ``to_dict`` (or a YAML space file).

    Parameters
    ----------
    spec : mapping
        ``{'name': ..., 'type': 'real' | 'integer' | 'discrete' | 'categorical', ...}`` with
        the constructor's arguments as the other keys.

    Returns
    -------
    Parameter

    Raises
    ------
    SpaceError
        For an unknown type or key (with a suggestion), a missing key or a bad value; the
        error's ``path`` attribute names the key.

    Examples
    --------
    >>> parameter_from_dict({"name": "T", "type": "real", "low": 20, "high": 80})
    Real('T', 20, 80)
    """
    label, kind = _kind(spec, "parameter", "type", PARAMETER_TYPES)
    allowed = ("name", "type", *_KEYS[kind])
    _check_keys(spec, label, "type", kind, allowed)
    required = ["name", *[k for k in _KEYS[kind] if k in ("low", "high", "values")]]
    for key in required:
        if key not in spec:
            raise spec_error(f"{label}: key {key!r} is missing (type {kind!r} needs {required})")
    return _build(spec, label, "type", PARAMETER_TYPES[kind])


def objective_from_dict(spec: Mapping[str, Any]) -> Objective:
    """Build an objective from ``{'name': ..., 'goal': 'maximize' | 'minimize' | 'target',
    'value': ..., 'low': ..., 'high': ..., 'weight': ...}``.

    Raises
    ------
    SpaceError
        For an unknown goal or key (with a suggestion) or a bad value; the error's ``path``
        attribute names the key.

    Examples
    --------
    >>> objective_from_dict({"name": "purity", "goal": "target", "value": 98})
    Target('purity', 98.0)
    """
    label, goal = _kind(spec, "objective", "goal", OBJECTIVE_TYPES)
    allowed = ["name", "goal", "low", "high", "weight"] + (["value"] if goal == "target" else [])
    _check_keys(spec, label, "goal", goal, allowed)
    required = ["name"] + (["value"] if goal == "target" else [])
    for key in required:
        if key not in spec:
            raise spec_error(f"{label}: key {key!r} is missing")
    return _build(spec, label, "goal", OBJECTIVE_TYPES[goal])


def _kind(spec: Any, what: str, field: str, table: Mapping[str, type]) -> tuple[str, Any]:
    """``(label, kind)`` of an entry; raises unless it is a mapping with a known ``field``."""
    if not isinstance(spec, Mapping):
        raise spec_error(f"a {what} must be a mapping of keys to values; got {spec!r}")
    kind = spec.get(field)
    label = f"{what} {spec.get('name', '?')!r}"
    if field not in spec:
        given = [key for key in spec if key in table]  # {target: 7} for {goal: target, ...}
        example = (
            f"{{{field}: {given[0]}, value: {spec[given[0]]}}}"
            if given and given[0] == "target"
            else f"{{{field}: {given[0]}}}"
            if given
            else f"{field}: {sorted(table)[0]}"
        )
        raise spec_error(
            f"{label}: no {field} given; write it as {example} ({field} one of {sorted(table)})"
        )
    if kind not in table:
        raise spec_error(
            f"{label}: {field}={kind!r} is not supported; expected one of "
            f"{sorted(table)}{_did_you_mean(kind, table)}",
            (field,) if field in spec else (),
        )
    return label, kind


def _check_keys(spec: Mapping, label: str, field: str, kind: str, allowed: Any) -> None:
    """Refuse a key that is not in ``allowed``, suggesting the closest one."""
    for key in spec:
        if key not in allowed:
            raise spec_error(
                f"{label}: unknown key {key!r} for {field} {kind!r}; expected keys "
                f"{list(allowed)}{_did_you_mean(key, allowed)}",
                (key,),
            )


def _build(spec: Mapping, label: str, field: str, kind: type) -> Any:
    """``kind(**arguments)``; a constructor's error names the argument at fault as path."""
    arguments = {k: v for k, v in spec.items() if k != field}
    try:
        return kind(**arguments)
    except (TypeError, ValueError) as exc:
        # the argument at fault: as the error says (``exc.argument``), else as it names it
        named = getattr(exc, "argument", None)
        bad = [named] if named in arguments else [k for k in arguments if f"{k}=" in str(exc)]
        raise spec_error(f"{label}: {exc}", (bad[0],) if bad else ()) from None


def _did_you_mean(name: Any, choices: Any) -> str:
    """``"; did you mean 'x'?"`` for the choice closest to ``name``, else ``""``."""
    hint = closest_name(str(name), choices)
    return f"; did you mean {hint!r}?" if hint else ""
