"""Saving and loading models: exact round trips, and files that must not be trusted."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io

import yieldlab
from yieldlab.exceptions import StoreError
from yieldlab.modelling import AutoModel, load, save
from yieldlab.modelling.persistence import FORMAT
from yieldlab.models.formula import FormulaModel
from yieldlab.models.linear import LinearRegression
from yieldlab.models.mlp import MLPRegressor
from yieldlab.models.response_surface import ResponseSurface


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(7)
    X = pd.DataFrame(
        {
            "T": rng.uniform(20, 80, 45),
            "catalyst": rng.choice(["Pd", "Pt", "Rh"], 45),
            "batch": 3.0,
        }
    )
    y = 0.05 * X["T"] + (X["catalyst"] == "Pt") * 1.5 + rng.normal(0, 0.1, 45)
    return X, y


@pytest.fixture(scope="module")
def fitted(table):
    X, y = table
    model = AutoModel(repeats=1, random_state=0)
    return model.fit(X, y)


def _same_predictions(a, b, X):
    mean_a, std_a = a.predict(X, return_std=True)
    mean_b, std_b = b.predict(X, return_std=True)
    assert np.array_equal(mean_a, mean_b) and np.array_equal(std_a, std_b)


def test_automodel_round_trip(fitted, table, tmp_path):
    X, _ = table
    path = tmp_path / "model.ylm"
    fitted.save(path)
    loaded = yieldlab.load(path)
    _same_predictions(fitted, loaded, X)
    assert np.array_equal(fitted.predict_interval(X), loaded.predict_interval(X))
    assert loaded.best_name_ == fitted.best_name_
    pd.testing.assert_frame_equal(loaded.importances_, fitted.importances_)
    pd.testing.assert_frame_equal(loaded.cv_predictions_, fitted.cv_predictions_)
    assert loaded.leaderboard_["name"].tolist() == fitted.leaderboard_["name"].tolist()
    assert loaded.leaderboard_["params"].tolist() == fitted.leaderboard_["params"].tolist()
    assert loaded.dropped_columns_["column"].tolist() == ["batch"]
    assert loaded.get_params()["random_state"] == 0
    assert list(loaded.feature_names_in_) == ["T", "catalyst", "batch"]
    # a loaded model can be refitted like the original
    assert loaded.refit(X, table[1]).predict(X.iloc[:2]).shape == (2,)


@pytest.mark.parametrize(
    "candidate",
    ["linear", "response_surface", "gaussian_process", "mlp_ensemble", "boosted_trees"],
)
def test_every_candidate_round_trips(candidate, table, tmp_path):
    X, y = table
    model = AutoModel(candidates=[candidate], repeats=1, cv=3, random_state=1).fit(X, y)
    save(model, tmp_path / "m.ylm")
    _same_predictions(model, load(tmp_path / "m.ylm"), X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits
def test_our_estimators_round_trip_alone(tmp_path, rng):
    X = rng.uniform(1, 2, size=(30, 2))
    y = 3.0 * np.exp(-0.5 * X[:, 0]) + X[:, 1] + rng.normal(0, 0.01, 30)
    frame = pd.DataFrame(X, columns=["a", "b"])
    for model in [
        MLPRegressor((8,), max_iter=50, random_state=0).fit(X, y),
        LinearRegression().fit(X, y),
        ResponseSurface(coded=True).fit(frame, y),
        FormulaModel("y = k*exp(-r*a) + b", start={"k": 1.0, "r": 1.0}).fit(frame, y),
    ]:
        save(model, tmp_path / "e.ylm")
        loaded = load(tmp_path / "e.ylm")
        data = frame if hasattr(model, "feature_names_in_") else X
        assert np.array_equal(model.predict(data), loaded.predict(data))
        assert type(loaded) is type(model)
    assert loaded.summary().equals(model.summary())
    net = MLPRegressor((8,), max_iter=20, random_state=0).fit(X, y)
    save(net, tmp_path / "n.ylm")
    again = load(tmp_path / "n.ylm")
    assert np.array_equal(again.gradient_norms_, net.gradient_norms_)
    assert again.history_.loss == net.history_.loss


def test_unsupported_objects_are_refused_at_save(tmp_path, table):
    class Mine:
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(StoreError, match="cannot save an object of type"):
        save(Mine(), tmp_path / "x.ylm")
    assert not (tmp_path / "x.ylm").exists()
    net = MLPRegressor((4,), random_state=np.random.default_rng(0))
    with pytest.raises(StoreError, match="random_state must be None or an int"):
        save(net, tmp_path / "x.ylm")
    assert list(tmp_path.iterdir()) == []  # no half-written file, no temporary left


def _archive(path: Path, manifest, arrays=None, extra=None) -> Path:
    buffer = io.BytesIO()
    np.savez(buffer, **(arrays or {}))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("yieldlab.json", json.dumps(manifest))
        z.writestr("arrays.npz", buffer.getvalue())
        for key, blob in (extra or {}).items():
            z.writestr(key, blob)
    return path


def _manifest(root, version=1):
    return {"format": FORMAT, "version": version, "root": root}


class _Touch:
    """Unpickling this creates a file: proof that code from the file ran."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_missing_foreign_and_corrupt_files(tmp_path):
    with pytest.raises(StoreError, match="no such model file"):
        load(tmp_path / "absent.ylm")
    (tmp_path / "text.ylm").write_text("temperature,yield\n20,0.5\n")
    with pytest.raises(StoreError, match="is not a yieldlab model file"):
        load(tmp_path / "text.ylm")
    foreign = _archive(tmp_path / "foreign.zip", {"format": "something-else"})
    with pytest.raises(StoreError, match="is not a yieldlab model file"):
        load(foreign)
    newer = _archive(tmp_path / "newer.ylm", _manifest(None, version=99))
    with pytest.raises(StoreError, match="newer yieldlab"):
        load(newer)
    broken = _archive(tmp_path / "broken.ylm", _manifest({"__array__": "missing"}))
    with pytest.raises(StoreError, match="not a yieldlab model file"):
        load(broken)
    odd = _archive(tmp_path / "odd.ylm", _manifest({"__what__": 1}))
    with pytest.raises(StoreError, match="unknown entry '__what__'"):
        load(odd)


def test_a_parameter_from_a_newer_yieldlab_asks_for_an_upgrade(tmp_path):
    # a newer yieldlab may give an estimator a parameter this one lacks (AutoModel's
    # importance was one); the file's layout, and so its format version, is unchanged
    save(LinearRegression().fit([[0.0], [1.0]], [1.0, 3.0]), tmp_path / "line.ylm")
    with zipfile.ZipFile(tmp_path / "line.ylm") as z:
        manifest = json.loads(z.read("yieldlab.json"))
        arrays = z.read("arrays.npz")
    manifest["yieldlab"] = "9.0"
    manifest["root"]["params"]["__dict__"].append(["shrinkage", 0.5])
    with zipfile.ZipFile(tmp_path / "newer.ylm", "w") as z:
        z.writestr("yieldlab.json", json.dumps(manifest))
        z.writestr("arrays.npz", arrays)
    with pytest.raises(
        StoreError,
        match=r"newer.ylm was written by yieldlab 9.0, whose LinearRegression has the "
        r"parameter 'shrinkage', which this yieldlab \(.+\) does not know; upgrade",
    ):
        load(tmp_path / "newer.ylm")


def test_a_pickle_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Touch(marker))
    (tmp_path / "model.ylm").write_bytes(payload)
    with pytest.raises(StoreError):
        load(tmp_path / "model.ylm")
    # a pickled object array inside the archive's arrays
    arrays = {"a0": np.array([_Touch(marker)], dtype=object)}
    buffer = io.BytesIO()
    np.save(buffer, arrays["a0"], allow_pickle=True)
    path = tmp_path / "arrays.ylm"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("yieldlab.json", json.dumps(_manifest({"__array__": "a0"})))
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as npz:
            npz.writestr("a0.npy", buffer.getvalue())
        z.writestr("arrays.npz", inner.getvalue())
    with pytest.raises(StoreError, match="corrupt"):
        load(path)
    assert not marker.exists()


def test_classes_outside_the_allowlist_are_refused(tmp_path):
    root = {"__object__": "os.system", "params": {"__dict__": []}, "state": {"__dict__": []}}
    path = _archive(tmp_path / "evil.ylm", _manifest(root))
    with pytest.raises(StoreError, match="refers to 'os.system'.*refusing"):
        load(path)


def test_untrusted_skops_types_are_refused(tmp_path):
    blob = skops.io.dumps(_Touch(tmp_path / "pwned"))
    path = _archive(
        tmp_path / "skops.ylm",
        _manifest({"__skops__": "sklearn/0.skops"}),
        extra={"sklearn/0.skops": blob},
    )
    with pytest.raises(StoreError, match="holds the untrusted type .*refusing"):
        load(path)
    assert not (tmp_path / "pwned").exists()


def test_a_blend_round_trips(table, tmp_path):
    # the blend is what automatic modelling selects most often on small tables
    from yieldlab.modelling.candidates import RidgeResponseSurface
    from yieldlab.modelling.uncertainty import Blend, PredictiveStd

    X, y = table
    Xn = np.column_stack([X["T"], X["catalyst"] == "Pt"]).astype(float)
    members = [("linear", PredictiveStd(LinearRegression())), ("rs", RidgeResponseSurface())]
    blend = Blend(members, [0.3, 0.7]).fit(Xn, y)
    save(blend, tmp_path / "b.ylm")
    loaded = load(tmp_path / "b.ylm")
    _same_predictions(blend, loaded, Xn)
    assert [(name, w) for name, _, w in loaded.members_] == [("linear", 0.3), ("rs", 0.7)]


def test_a_model_never_replaces_a_table_or_another_file(tmp_path):
    model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    with pytest.raises(StoreError, match="a model file is not a .csv file; give a name ending"):
        save(model, tmp_path / "runs.csv")
    other = tmp_path / "other.ylm"
    other.write_text("T,yield\n1,2\n")
    with pytest.raises(StoreError, match="exists and is not a yieldlab model file"):
        save(model, other)
    assert other.read_text() == "T,yield\n1,2\n"
    save(model, tmp_path / "m.ylm")
    save(model, tmp_path / "m.ylm")  # a model file may be replaced
    assert load(tmp_path / "m.ylm").predict([[3.0]]).round(6).tolist() == [7.0]
