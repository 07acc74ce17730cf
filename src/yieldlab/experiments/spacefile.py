"""The YAML space file: parameters, constraints, exclusions and objectives (layer 4).

The format is :meth:`Space.to_dict` plus an ``objectives`` section::

    parameters:
      - {name: temperature, type: real, low: 60, high: 160, unit: °C}
      - {name: time, type: real, low: 1, high: 120, unit: min, log: true}
      - {name: stages, type: integer, low: 1, high: 4}
      - {name: concentration, type: discrete, values: [0.1, 0.2, 0.5], unit: mol/L}
      - {name: catalyst, type: categorical, values: [Pd, Ni, Cu]}
      - {name: solvent, type: categorical, values: [DMAc, BuOAc], descriptors: solvents.csv}
    constraints:
      - "temperature + 0.5*time <= 200"
    exclude:
      - {catalyst: Cu, temperature: {low: 150}}
    objectives:
      - {name: yield, goal: maximize, low: 0, high: 100}
      - {name: cost, goal: minimize, weight: 0.5}
      - {name: purity, goal: target, value: 98}

A categorical parameter's ``descriptors`` (see :class:`Categorical`) are either written out,
``{dipole: [3.7, 1.9], ...}`` with one value per level, or the path of a CSV file whose
first column holds the levels, relative to the space file.

``parameters`` and ``objectives`` may also be mappings from the name to the rest
(``temperature: {type: real, low: 60, high: 160}``; ``yield: maximize``). Every error names
the file, the line and the key (``space.yaml, line 4 (parameters[0]['hihg']): ...``), using
the line marks of the YAML parser; a key given twice is an error, not silently the last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._validation import closest_name
from ..exceptions import SpaceError
from .objectives import Objective
from .parameters import Parameter
from .space import Space
from .specs import objective_from_dict, parameter_from_dict, spec_error

__all__ = ["read_space_file", "space_from_spec"]

_SECTIONS = ("parameters", "constraints", "exclude", "objectives")


def _entries(spec: Any, section: str, shorthand: str | None = None) -> list[tuple[Any, Any]]:
    """(key, entry dict) of a list section, or of a mapping name -> entry."""
    if isinstance(spec, list):
        return list(enumerate(spec))
    if isinstance(spec, Mapping):
        out = []
        for name, entry in spec.items():
            if shorthand and isinstance(entry, str):
                entry = {shorthand: entry}
            if not isinstance(entry, Mapping):
                raise spec_error(
                    f"{section}: the entry of {name!r} must be a mapping; got {entry!r}",
                    (section, name),
                )
            out.append((name, {"name": name, **entry}))
        return out
    raise spec_error(
        f"{section} must be a list (or a mapping of name -> entry); got {spec!r}", (section,)
    )


def _build(section: str, key: Any, entry: Any, build: Any) -> Any:
    try:
        return build(entry)
    except SpaceError as exc:
        path = getattr(exc, "path", ())
        raise spec_error(str(exc), (section, key, *path)) from None


def space_from_spec(spec: Any) -> tuple[Space, list[Objective]]:
    """A space and its objectives from a plain dict (parsed YAML or :meth:`Space.to_dict`).

    Returns
    -------
    space : Space
    objectives : list of Objective
        Empty when there is no ``objectives`` section.

    Raises
    ------
    SpaceError
        With a ``path`` attribute naming the entry and key at fault.
    """
    if not isinstance(spec, Mapping):
        raise spec_error(f"a space must be a mapping with the key 'parameters'; got {spec!r}")
    for key in spec:
        if key not in _SECTIONS:
            hint = closest_name(str(key), _SECTIONS)
            did_you_mean = f"; did you mean {hint!r}?" if hint else ""
            raise spec_error(
                f"unknown section {key!r}; expected {list(_SECTIONS)}{did_you_mean}", (key,)
            )
    if "parameters" not in spec:
        raise spec_error("the section 'parameters' is missing; a space needs parameters")
    parameters: list[Parameter] = [
        _build("parameters", key, entry, parameter_from_dict)
        for key, entry in _entries(spec["parameters"], "parameters")
    ]
    for section in ("constraints", "exclude"):
        if not isinstance(spec.get(section, []), list):
            raise spec_error(f"{section} must be a list; got {spec[section]!r}", (section,))
    space = Space(parameters, spec.get("constraints", []), spec.get("exclude", []))
    objectives = [
        _build("objectives", key, entry, objective_from_dict)
        for key, entry in _entries(spec.get("objectives", []), "objectives", shorthand="goal")
    ]
    names = [o.name for o in objectives]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise spec_error(f"objective {name!r} is listed twice", ("objectives", i))
        if name in space:
            raise spec_error(
                f"objective {name!r} has the name of a parameter; objectives are measured "
                "columns, parameters are settings",
                ("objectives", i),
            )
    return space, objectives


def _marks(node: Any, path: tuple, out: dict[tuple, int], where: str) -> dict[tuple, int]:
    """Path (keys and list positions) -> 1-based line, for every node; refuses duplicates."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise SpaceError(
                    f"{where}, line {line}: the key {key!r} is given twice (first on line "
                    f"{seen[key]}); keep one"
                )
            seen[key] = line
            out[(*path, key)] = line
            _marks(value_node, (*path, key), out, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = item.start_mark.line + 1
            _marks(item, (*path, i), out, where)
    return out


def _describe(path: tuple) -> str:
    if not path:
        return ""
    head, rest = path[0], path[1:]
    return str(head) + "".join(f"[{p!r}]" for p in rest)


def _relative_to(data: Any, folder: Path) -> Any:
    """``data`` with every parameter's ``descriptors: <relative CSV path>`` made relative to
    ``folder`` (the space file's), so the file means the same from any working directory."""
    if not isinstance(data, Mapping):
        return data
    entries = data.get("parameters")
    items = list(entries.values()) if isinstance(entries, Mapping) else entries
    for entry in items if isinstance(items, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("descriptors"), str):
            entry["descriptors"] = str(folder / Path(entry["descriptors"]).expanduser())
    return data


def _loader(yaml: Any) -> type:
    """PyYAML's safe loader reading only ``true``/``false`` as booleans (YAML 1.2): levels
    such as ``[yes, no]`` or ``[on, off]`` stay the text the lab writes in its sheets."""
    boolean = "tag:yaml.org,2002:bool"

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != boolean]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(
        boolean, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Loader


# what a space file given in the place of another file is told
_SPACE_FILE = (
    "give the YAML file of the space, such as space.yaml, with 'parameters:' (one "
    "'- {name: temperature, type: real, low: 60, high: 160}' per parameter) and 'objectives:' "
    "(e.g. 'yield: maximize')"
)
# tables given in the place of the space file, by the ending of their name
_TABLES = {".csv": "CSV", ".tsv": "TSV", ".xlsx": "Excel", ".xls": "Excel", ".ods": "OpenDocument"}


def read_space_file(path: str | Path) -> tuple[Space, list[Objective]]:
    """Read a YAML space file (format in the module docstring).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    space : Space
    objectives : list of Objective

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    SpaceError
        For invalid YAML or content: ``space.yaml, line 7 (parameters[1]['hihg']): ...``.

    Examples
    --------
    >>> import tempfile
    >>> text = "parameters:\\n  - {name: T, type: real, low: 20, high: 80}\\nobjectives:\\n  yield: maximize\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = Path(folder) / "space.yaml"
    ...     _ = file.write_text(text)
    ...     read_space_file(file)
    (Space([Real('T', 20, 80)]), [Maximize('yield')])
    """  # noqa: E501
    import yaml

    file = Path(path)
    if file.is_dir():
        raise FileNotFoundError(
            f"space file {str(path)!r} is a folder; give the space file (such as space.yaml)"
        )
    if not file.is_file():
        raise FileNotFoundError(f"space file {str(path)!r} does not exist")
    if file.suffix.lower() in _TABLES:
        raise SpaceError(
            f"{path} is a table ({_TABLES[file.suffix.lower()]}), not a space file; {_SPACE_FILE}"
        )
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        raise SpaceError(
            f"{path}, line {line}: not UTF-8 text (byte {exc.object[exc.start]:#x}); save the "
            "space file as UTF-8 (in most editors: Save as, encoding UTF-8)"
        ) from None
    where = str(path)
    loader = _loader(yaml)
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpaceError(f"{where}{line}: not valid YAML: {problem}") from None
    if data is None:
        raise SpaceError(f"{where} is empty; expected a 'parameters' section")
    if not isinstance(data, dict):
        raise SpaceError(f"{where} is not a space file (no 'parameters' section); {_SPACE_FILE}")
    lines = _marks(node, (), {}, where)
    try:
        return space_from_spec(_relative_to(data, file.parent))
    except SpaceError as exc:
        error_path = tuple(p if isinstance(p, int) else str(p) for p in getattr(exc, "path", ()))
        line = next(
            (
                lines[error_path[:k]]
                for k in range(len(error_path), 0, -1)
                if error_path[:k] in lines
            ),
            None,
        )
        location = f", line {line}" if line is not None else ""
        detail = f" ({_describe(error_path)})" if error_path else ""
        raise SpaceError(f"{where}{location}{detail}: {exc}") from None
