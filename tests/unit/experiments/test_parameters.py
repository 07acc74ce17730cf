"""Parameters: validation, the encoded representation, sampling and serialization."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.parameters import (
    Categorical,
    Discrete,
    Integer,
    Real,
    parameter_from_dict,
)


class TestReal:
    def test_encodes_linearly_and_decodes_with_clipping(self):
        p = Real("temperature", 20, 120, unit="°C")
        np.testing.assert_allclose(p.encode([20, 45, 120]).ravel(), [0.0, 0.25, 1.0])
        assert p.encode([70]).shape == (1, 1)
        np.testing.assert_allclose(p.decode([[-0.5], [0.5], [3.0]]), [20.0, 70.0, 120.0])

    def test_log_scale_encodes_the_logarithm(self):
        p = Real("time", 1, 100, log=True)
        np.testing.assert_allclose(p.encode([1, 10, 100]).ravel(), [0.0, 0.5, 1.0])
        np.testing.assert_allclose(p.decode([[0.25]]), [10**0.5])

    def test_log_sampling_is_log_uniform(self, rng):
        x = Real("time", 1, 10_000, log=True).sample(20_000, rng)
        assert x.min() >= 1 and x.max() <= 10_000
        # the median of a log-uniform variable is the geometric mean of the bounds
        assert np.median(x) == pytest.approx(100, rel=0.08)
        assert np.mean(np.log10(x) < 1) == pytest.approx(0.25, abs=0.02)

    def test_validate_names_row_column_value_and_range(self):
        p = Real("temperature", 20, 120, unit="°C")
        with pytest.raises(SpaceError) as info:
            p.validate([50, 250.0, 300], where="results.csv")
        message = str(info.value)
        assert "results.csv, row 1, column 'temperature'" in message
        assert "250.0 is outside [20, 120] °C" in message
        assert "2 value(s) outside" in message

    def test_validate_refuses_text_and_missing_values(self):
        p = Real("x", 0, 1)
        with pytest.raises(SpaceError, match=r"row 1, column 'x': 'abc' is not a finite"):
            p.validate([0.5, "abc"])
        with pytest.raises(SpaceError, match=r"row 0, column 'x': is missing"):
            p.validate([np.nan, 0.5])

    def test_validate_accepts_rounding_at_the_bounds(self):
        p = Real("x", 0.1, 0.3)
        out = p.validate([0.3 + 1e-13, "0.2"])
        assert out.dtype == np.float64
        assert out[0] == 0.3 and out[1] == 0.2

    @pytest.mark.parametrize(
        ("args", "error", "match"),
        [
            (("x", 1, 1), ValueError, "low=1 must be smaller than high=1"),
            (("x", 2, 1), ValueError, "must be smaller"),
            (("x", 0, 1, None, True), ValueError, "log=True needs low > 0"),
            (("x", "0", 1), TypeError, "low='0' has the wrong type"),
            (("x", 0, np.inf), ValueError, "expected a finite number"),
            (("", 0, 1), TypeError, "non-empty string"),
            (("x", 0, 1, 5), TypeError, "unit=5"),
        ],
    )
    def test_constructor_checks(self, args, error, match):
        with pytest.raises(error, match=match):
            Real(*args)

    def test_grid_is_even_in_the_encoded_scale(self):
        np.testing.assert_allclose(Real("x", 0, 10).grid(3), [0, 5, 10])
        np.testing.assert_allclose(Real("x", 1, 100, log=True).grid(3), [1, 10, 100])

    def test_contains(self):
        p = Real("x", 0, 1)
        assert p.contains([0.0, 1.0, 1.1, "a", None]).tolist() == [True, True, False, False, False]


class TestInteger:
    def test_decode_rounds_to_the_nearest_integer(self):
        p = Integer("stages", 1, 5)
        assert p.decode([[0.0], [0.124], [0.126], [1.0]]).tolist() == [1, 1, 2, 5]
        assert p.decode([[0.5]]).dtype == np.int64

    def test_from_unit_gives_every_integer_an_equal_share(self, rng):
        counts = np.bincount(Integer("n", 1, 4).sample(40_000, rng))[1:]
        np.testing.assert_allclose(counts / 40_000, 0.25, atol=0.01)

    def test_validate_refuses_fractions(self):
        with pytest.raises(SpaceError, match=r"row 1, column 'n': 2.5 is not an integer"):
            Integer("n", 1, 4).validate([2, 2.5])
        assert Integer("n", 1, 4).validate([2.0, 4]).tolist() == [2, 4]

    def test_bounds_must_be_integers(self):
        with pytest.raises(ValueError, match="low=1.5 is not an integer"):
            Integer("n", 1.5, 4)

    def test_grid(self):
        assert Integer("n", 0, 10).grid(3).tolist() == [0, 5, 10]
        assert Integer("n", 0, 1).grid(3).tolist() == [0, 1]


class TestDiscrete:
    def test_levels_are_sorted_and_decode_snaps_to_the_nearest(self):
        p = Discrete("conc", [0.153, 0.057, 0.1])
        assert p.values == (0.057, 0.1, 0.153)
        np.testing.assert_allclose(p.encode([0.057, 0.1, 0.153]).ravel(), [0, 43 / 96, 1])
        assert p.decode([[0.2], [0.3], [0.8]]).tolist() == [0.057, 0.1, 0.153]

    def test_validate_names_the_nearest_level(self):
        with pytest.raises(SpaceError) as info:
            Discrete("conc", [0.057, 0.1, 0.153], unit="M").validate([0.1, 0.06])
        assert "row 1, column 'conc': 0.06 is not an allowed level" in str(info.value)
        assert "[0.057, 0.1, 0.153] M (nearest: 0.057)" in str(info.value)

    def test_single_level_encodes_as_zero(self):
        p = Discrete("fixed", [3.0])
        assert p.encode([3, 3]).tolist() == [[0.0], [0.0]]
        assert p.decode([[0.7]]).tolist() == [3.0]

    def test_constructor_checks(self):
        with pytest.raises(ValueError, match="duplicates"):
            Discrete("x", [1, 2, 2])
        with pytest.raises(ValueError, match="empty"):
            Discrete("x", [])
        with pytest.raises(ValueError, match="too close to tell apart"):
            Discrete("x", [0.0, 1e-300, 1.0])
        with pytest.raises(TypeError, match="list of numbers"):
            Discrete("x", "123")
        with pytest.raises(TypeError, match="wrong type"):
            Discrete("x", [1, "b"])

    def test_stratified_levels(self, rng):
        p = Discrete("x", [1, 2, 5])
        assert p.from_unit([0.0, 0.34, 0.67, 0.999]).tolist() == [1, 2, 5, 5]
        assert sorted(set(p.sample(100, rng).tolist())) == [1, 2, 5]


class TestCategorical:
    def test_one_hot_and_argmax(self):
        p = Categorical("catalyst", ["Pd", "Ni", "Cu"])
        assert p.encoded_names == ["catalyst=Pd", "catalyst=Ni", "catalyst=Cu"]
        assert p.encode(["Cu"]).tolist() == [[0.0, 0.0, 1.0]]
        assert p.decode([[0.4, 0.5, 0.1], [0.0, 0.0, 0.0]]).tolist() == ["Ni", "Pd"]

    def test_unknown_level_suggests_the_closest(self):
        with pytest.raises(SpaceError) as info:
            Categorical("solvent", ["DMAc", "BuCN"]).validate(["DMAc", "DMAC "], where="plate")
        assert "plate, row 1, column 'solvent': 'DMAC ' is not a level" in str(info.value)
        assert "did you mean 'DMAc'?" in str(info.value)

    def test_text_of_a_level_is_accepted(self):
        # a CSV reader turns the level '1' into the number 1
        p = Categorical("well", ["1", "2"])
        assert p.validate([1, "2"]).tolist() == ["1", "2"]
        q = Categorical("flag", [True, False])
        assert q.validate([False]).tolist() == [False]

    def test_constructor_checks(self):
        with pytest.raises(ValueError, match="duplicates"):
            Categorical("x", ["a", "a"])
        with pytest.raises(TypeError, match="list of levels"):
            Categorical("x", "abc")
        with pytest.raises(TypeError, match="JSON/YAML"):
            Categorical("x", ["a", (1, 2)])
        with pytest.raises(ValueError, match="empty"):
            Categorical("x", [])

    def test_decode_checks_the_shape(self):
        with pytest.raises(ValueError, match=r"expected shape \(n_samples, 2\)"):
            Categorical("x", ["a", "b"]).decode([[1.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    "parameter",
    [
        Real("T", -10.5, 80, unit="°C"),
        Real("t", 0.5, 120, log=True),
        Integer("n", 1, 8),
        Integer("m", 2, 64, log=True),
        Discrete("c", [0.05, 0.1, 0.2], unit="mol/L"),
        Categorical("cat", ["Pd", "Ni", 3, True]),
    ],
    ids=repr,
)
def test_dict_round_trip_through_json(parameter):
    spec = json.loads(json.dumps(parameter.to_dict()))
    again = parameter_from_dict(spec)
    assert again == parameter
    assert hash(again) == hash(parameter)
    assert repr(again) == repr(parameter)


def test_from_dict_names_the_key_at_fault():
    with pytest.raises(SpaceError) as info:
        parameter_from_dict({"name": "T", "type": "real", "low": 0, "hihg": 5})
    assert "unknown key 'hihg'" in str(info.value)
    assert "did you mean 'high'?" in str(info.value)
    assert info.value.path == ("hihg",)
    with pytest.raises(SpaceError, match="did you mean 'real'") as info:
        parameter_from_dict({"name": "T", "type": "rael", "low": 0, "high": 1})
    assert info.value.path == ("type",)
    with pytest.raises(SpaceError, match="key 'high' is missing"):
        parameter_from_dict({"name": "T", "type": "real", "low": 0})
    with pytest.raises(SpaceError, match="must be smaller") as info:
        parameter_from_dict({"name": "T", "type": "real", "low": 5, "high": 1})
    assert info.value.path == ("low",)


def test_sampling_is_reproducible():
    p = Real("x", 0, 1)
    a = p.sample(5, np.random.default_rng(3))
    b = p.sample(5, np.random.default_rng(3))
    assert a.tolist() == b.tolist()


def test_validate_takes_a_series():
    values = pd.Series([1.0, 2.0], index=["a", "b"])
    assert Real("x", 0, 3).validate(values).tolist() == [1.0, 2.0]
