"""Range parameters (Real, Integer): encoding, rounding, validation and grids."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.ranges import Integer, Real


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

    def test_the_ends_of_a_log_scale_are_exact(self):
        # exp(log 120) is 119.99999999999997: a sheet typed with 120 would not match it
        p = Real("time", 1, 120, log=True)
        assert p.grid(3)[[0, 2]].tolist() == [1.0, 120.0]
        assert p.decode([[1.0], [1 - 1e-12], [0.0]]).tolist() == [120.0, 120.0, 1.0]
        assert p.decode([[0.999]])[0] < 120.0

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
            ((" T ", 0, 1), ValueError, "name=' T ' has spaces at its ends.*write 'T'"),
            (("x", 0, 10**400), ValueError, "high=10000.* is invalid; expected a finite number"),
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
        # halves round up whatever the parity: the centre of a three-level grid
        centres = [Integer("n", 1, high).grid(3)[1] for high in (4, 6, 10)]
        assert centres == [3, 4, 6]  # halves to even gave 2, 4, 6

    def test_from_unit_gives_every_integer_an_equal_share(self, rng):
        counts = np.bincount(Integer("n", 1, 4).sample(40_000, rng))[1:]
        np.testing.assert_allclose(counts / 40_000, 0.25, atol=0.01)

    def test_log_sampling_gives_each_integer_its_log_width(self, rng):
        # the values rounding to k span [k - 1/2, k + 1/2]: share log((k + 1/2) / (k - 1/2))
        # of log(10.5 / 0.5); the ends no longer get half of it
        counts = np.bincount(Integer("n", 1, 10, log=True).sample(200_000, rng))[1:]
        k = np.arange(1, 11)
        expected = np.log((k + 0.5) / (k - 0.5)) / np.log(10.5 / 0.5)
        np.testing.assert_allclose(counts / 200_000, expected, atol=0.004)
        assert counts[-1] > 0.8 * counts[-2]  # 10 against 9: about 0.9, was about 0.45

    def test_validate_refuses_fractions(self):
        with pytest.raises(SpaceError, match=r"row 1, column 'n': 2.5 is not an integer"):
            Integer("n", 1, 4).validate([2, 2.5])
        assert Integer("n", 1, 4).validate([2.0, 4]).tolist() == [2, 4]

    def test_bounds_must_be_integers(self):
        with pytest.raises(ValueError, match="low=1.5 is not an integer"):
            Integer("n", 1.5, 4)
        # beyond 2**53 a float no longer holds every integer (10**30 once failed in NumPy)
        for high in (10**30, 2**53 + 2):
            with pytest.raises(ValueError, match=f"high={high} is beyond 2\\*\\*53.*use Real"):
                Integer("n", 0, high)
        assert Integer("n", 0, 2**53).high == 2**53

    def test_grid(self):
        assert Integer("n", 0, 10).grid(3).tolist() == [0, 5, 10]
        assert Integer("n", 0, 1).grid(3).tolist() == [0, 1]
