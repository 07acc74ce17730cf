"""Saving and loading fitted models, never executing code from the file (layer 3).

A model file is one zip archive:

* ``yieldlab.json``: the structure: which yieldlab class each object is, its constructor
  parameters and its fitted attributes (numbers, text, lists, tables);
* ``arrays.npz``: every NumPy array, read back with ``allow_pickle=False``;
* ``sklearn/<k>.skops``: scikit-learn objects (a Gaussian process, boosted trees), written
  by :mod:`skops.io` and read back trusting only types from scikit-learn, NumPy and SciPy.

Loading rebuilds objects only from an allowlist of yieldlab classes (:data:`ALLOWED`);
nothing in the file is imported, evaluated or unpickled. A file that is not a yieldlab
model, is corrupt, or names anything outside the allowlists raises
:class:`~yieldlab.exceptions.StoreError` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import inspect
import io
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import check_output_file, write_atomically
from ..engine import Dense, History, Network
from ..engine.activations import ACTIVATIONS
from ..exceptions import StoreError

__all__ = ["ALLOWED", "FORMAT", "check_model_path", "load", "save"]

FORMAT = "yieldlab-model"
VERSION = 1
ALLOWED = frozenset(
    {
        "yieldlab.modelling.automodel.AutoModel",
        "yieldlab.modelling.encoding.TableEncoder",
        "yieldlab.modelling.uncertainty.Calibrator",
        "yieldlab.modelling.uncertainty.PredictiveStd",
        "yieldlab.modelling.uncertainty.Blend",
        "yieldlab.modelling.candidates.RidgeResponseSurface",
        "yieldlab.modelling.candidates.GaussianProcessCandidate",
        "yieldlab.modelling.candidates.MLPEnsemble",
        "yieldlab.modelling.candidates.BoostedTreesEnsemble",
        "yieldlab.models.mlp.MLPRegressor",
        "yieldlab.models.linear.LinearRegression",
        "yieldlab.models.response_surface.ResponseSurface",
        "yieldlab.models.formula.model.FormulaModel",
    }
)
# modules whose types skops may rebuild
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")
# fitted attributes rebuilt from the parameters instead of stored
_DERIVED = {"yieldlab.models.formula.model.FormulaModel": ("_parsed", "_response")}


def _path_of(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


class _Writer:
    """Turns objects into JSON-able nodes, collecting arrays and scikit-learn blobs."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.blobs: dict[str, bytes] = {}

    def node(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            value = float(value)
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, tuple):
            return {"__tuple__": [self.node(v) for v in value]}
        if isinstance(value, list):
            return [self.node(v) for v in value]
        if isinstance(value, dict):
            return {"__dict__": [[self.node(k), self.node(v)] for k, v in value.items()]}
        if isinstance(value, pd.DataFrame):
            return self._frame(value)
        if isinstance(value, Network):
            return self._network(value)
        if isinstance(value, History):
            return {"__history__": self.node(dataclasses.asdict(value))}
        if _path_of(value) in ALLOWED:
            return self._object(value)
        if type(value).__module__.split(".")[0] == "sklearn":
            return self._skops(value)
        raise StoreError(
            f"cannot save an object of type {_path_of(value)!r}: only yieldlab's models, "
            "scikit-learn estimators and plain data can be stored safely (a random_state "
            "must be None or an int)"
        )

    def _array(self, value: np.ndarray) -> dict:
        if value.dtype.kind in "biufc":
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.ascontiguousarray(value)
            return {"__array__": key}
        return {"__objarray__": [self.node(v) for v in value.ravel().tolist()],
                "shape": list(value.shape)}  # fmt: skip

    def _frame(self, frame: pd.DataFrame) -> dict:
        return {"__frame__": {
            "columns": [self.node(c) for c in frame.columns],
            "data": [self._array(frame.iloc[:, j].to_numpy()) for j in range(frame.shape[1])],
            "index": self._array(frame.index.to_numpy()),
            "index_name": self.node(frame.index.name),
        }}  # fmt: skip

    def _network(self, network: Network) -> dict:
        layers = []
        for layer in network.layers:
            name = layer.activation.name
            if ACTIVATIONS.get(name) is not layer.activation:
                raise StoreError(
                    f"cannot save a network with the custom activation {name!r}; only the "
                    f"built-in activations {sorted(ACTIVATIONS)} can be stored"
                )
            layers.append([layer.n_in, layer.n_out, name, layer.init])
        return {"__network__": {"layers": layers, "loss": network.loss.name,
                                "dtype": network.dtype.name,
                                "parameters": self._array(network.parameters)}}  # fmt: skip

    def _object(self, obj: Any) -> dict:
        params = obj.get_params(deep=False) if hasattr(obj, "get_params") else {}
        skip = set(params) | set(_DERIVED.get(_path_of(obj), ()))
        state = {k: v for k, v in vars(obj).items() if k not in skip}
        return {"__object__": _path_of(obj), "params": self.node(params),
                "state": self.node(state)}  # fmt: skip

    def _skops(self, value: Any) -> dict:
        import skops.io

        key = f"sklearn/{len(self.blobs)}.skops"
        self.blobs[key] = skops.io.dumps(value)
        return {"__skops__": key}


def _version() -> str:
    try:
        return importlib.metadata.version("yieldlab")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source checkout
        return "unknown"


def save(model: Any, path: str | os.PathLike) -> None:
    """Write a fitted model (an AutoModel or any yieldlab estimator) to ``path``.

    The file is written to a temporary name and then renamed, so ``path`` never holds a
    half-written model.

    Parameters
    ----------
    model : AutoModel or yieldlab estimator
    path : str or path-like
        Conventionally ending in ``.ylm`` or ``.zip``.

    Raises
    ------
    StoreError
        When the model holds an object that cannot be stored safely (a third-party
        estimator, a custom activation); when ``path`` ends like a data file (``.csv``,
        ``.xlsx``...) or exists and is not a model file; or when it cannot be written.
    """
    writer = _Writer()
    root = writer.node(model)
    manifest = {"format": FORMAT, "version": VERSION, "yieldlab": _version(), "root": root}
    target = Path(path)
    check_output_file(target, suffix=".ylm")
    check_model_path(target)
    buffer = io.BytesIO()
    np.savez(buffer, **writer.arrays)

    def write(temporary: str) -> None:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("yieldlab.json", json.dumps(manifest, allow_nan=False))
            z.writestr("arrays.npz", buffer.getvalue())
            for key, blob in writer.blobs.items():
                z.writestr(key, blob)

    write_atomically(target, write, "the model file")


# endings of files a model would be mistaken for (or would destroy, written over one)
_NOT_A_MODEL = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet", ".json", ".html", ".htm",
                ".yaml", ".yml", ".db", ".sqlite", ".py")  # fmt: skip


def check_model_path(path: str | os.PathLike) -> None:
    """Refuse to write a model under a data table's name, or over a file that is not a
    model file (a table passed as ``--out`` by mistake would be lost).

    Raises
    ------
    StoreError
        Naming the file and what to do instead.

    Examples
    --------
    >>> check_model_path("runs.ylm")
    """
    path = Path(path)
    if path.suffix.lower() in _NOT_A_MODEL:
        raise StoreError(
            f"{str(path)!r}: a model file is not a {path.suffix} file; give a name ending in "
            f".ylm, such as {str(path.with_suffix('.ylm'))!r}"
        )
    if path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                manifest = json.loads(archive.read("yieldlab.json"))
            ours = isinstance(manifest, dict) and manifest.get("format") == FORMAT
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            ours = False
        if not ours:
            raise StoreError(
                f"{str(path)!r} exists and is not a yieldlab model file; the model would "
                "replace it: give another name, or move the file away"
            )


class _Reader:
    """Rebuilds objects from nodes, refusing anything outside the allowlists."""

    def __init__(
        self, path: Path, archive: zipfile.ZipFile, arrays: Any, written_by: Any = None
    ) -> None:
        self.path, self.archive, self.arrays = path, archive, arrays
        self.written_by = written_by

    def value(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if not isinstance(node, dict) or len(node) == 0:
            raise StoreError(f"{self.path} is corrupt: unexpected entry {node!r:.80}")
        if "__array__" in node:
            return self.arrays[node["__array__"]]
        if "__float__" in node:
            return float(node["__float__"])
        if "__tuple__" in node:
            return tuple(self.value(v) for v in node["__tuple__"])
        if "__dict__" in node:
            return {self.value(k): self.value(v) for k, v in node["__dict__"]}
        if "__objarray__" in node:
            out = np.empty(len(node["__objarray__"]), dtype=object)
            out[:] = [self.value(v) for v in node["__objarray__"]]
            return out.reshape(node["shape"])
        if "__frame__" in node:
            return self._frame(node["__frame__"])
        if "__network__" in node:
            return self._network(node["__network__"])
        if "__history__" in node:
            return History(**self.value(node["__history__"]))
        if "__object__" in node:
            return self._object(node)
        if "__skops__" in node:
            return self._skops(node["__skops__"])
        raise StoreError(f"{self.path} is corrupt: unknown entry {sorted(node)[0]!r}")

    def _frame(self, node: dict) -> pd.DataFrame:
        columns = [self.value(c) for c in node["columns"]]
        data = {j: self.value(d) for j, d in enumerate(node["data"])}
        index = pd.Index(self.value(node["index"]), name=self.value(node["index_name"]))
        frame = pd.DataFrame(data, index=index)
        frame.columns = columns
        return frame

    def _network(self, node: dict) -> Network:
        layers = [Dense(int(a), int(b), str(act), str(init)) for a, b, act, init in node["layers"]]
        network = Network(layers, loss=str(node["loss"]), random_state=0, dtype=node["dtype"])
        network.parameters[...] = self.value(node["parameters"])
        return network

    def _object(self, node: dict) -> Any:
        name = node["__object__"]
        if name not in ALLOWED:
            raise StoreError(
                f"{self.path} refers to {name!r}, which is not a yieldlab class that can be "
                "loaded; refusing to load it"
            )
        module, _, qualname = str(name).rpartition(".")
        cls = getattr(importlib.import_module(module), qualname)
        params = self.value(node["params"])
        if hasattr(cls, "get_params"):
            self._check_params(cls, params)
            obj = cls(**params)
        else:
            obj = cls.__new__(cls)
        obj.__dict__.update(self.value(node["state"]))
        if name == "yieldlab.models.formula.model.FormulaModel" and hasattr(obj, "params_"):
            from ..models.formula.parser import parse_formula
            from ..models.formula.response import Response

            obj._parsed = parse_formula(obj.formula)
            obj._response = Response(obj._parsed)
        return obj

    def _check_params(self, cls: type, params: dict) -> None:
        # NOTE: a parameter this version does not know comes from a newer yieldlab (the
        # format version only changes with the file's layout, not with an estimator's
        # parameters); say so instead of calling the file corrupt.
        unknown = sorted(set(params) - set(inspect.signature(cls).parameters))
        if unknown:
            raise StoreError(
                f"{self.path} was written by yieldlab {self.written_by or '(unknown version)'}"
                f", whose {cls.__name__} has the parameter {unknown[0]!r}, which this "
                f"yieldlab ({_version()}) does not know; upgrade yieldlab to read it"
            )

    def _skops(self, key: str) -> Any:
        import skops.io

        blob = self.archive.read(key)
        untrusted = skops.io.get_untrusted_types(data=blob)
        refused = [t for t in untrusted if not str(t).startswith(TRUSTED_PREFIXES)]
        if refused:
            raise StoreError(
                f"{self.path} holds the untrusted type {refused[0]!r} (only scikit-learn, "
                "NumPy and SciPy types are loaded); refusing to load it"
            )
        return skops.io.loads(blob, trusted=untrusted)


def load(path: str | os.PathLike) -> Any:
    """Read a model written by :func:`save` (or ``AutoModel.save``).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    AutoModel or yieldlab estimator
        Predicts exactly as the saved model did.

    Raises
    ------
    StoreError
        The file is missing, is not a yieldlab model file, is corrupt, was written by a
        newer yieldlab, or names a class or type outside the allowlists.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from yieldlab.models.linear import LinearRegression
    >>> model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "line.ylm"
    >>> save(model, path)
    >>> load(path).predict([[3.0]]).round(6).tolist()
    [7.0]
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("yieldlab.json"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise StoreError(f"{path} is not a yieldlab model file")
            if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
                raise StoreError(
                    f"{path} was written by a newer yieldlab (format version "
                    f"{manifest.get('version')!r}); upgrade yieldlab to read it"
                )
            with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
            reader = _Reader(path, archive, arrays, manifest.get("yieldlab"))
            return reader.value(manifest["root"])
    except StoreError:
        raise
    except (zipfile.BadZipFile, KeyError) as exc:
        raise StoreError(f"{path} is not a yieldlab model file ({exc})") from None
    except (ValueError, TypeError, AttributeError, OSError, ImportError) as exc:
        raise StoreError(f"{path} is corrupt: {type(exc).__name__}: {exc}") from None
