"""Level parameters (Discrete, Categorical): nearest levels, one-hot and validation."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.levels import Categorical, Discrete


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


def test_levels_and_names_a_sheet_cannot_keep_are_refused():
    # a sheet's cell loses spaces at the ends and reads an empty cell as missing, so a
    # campaign with such a level could never record its own sheets
    from yieldlab import Maximize

    with pytest.raises(ValueError, match=r"Categorical\('c'\): the level ' Pd' has spaces"):
        Categorical("c", [" Pd", "Pt"])
    with pytest.raises(ValueError, match="the level 'Pd ' has spaces at its ends.*write 'Pd'"):
        Categorical("c", ["Pd", "Pd "])  # two levels a sheet would show alike
    with pytest.raises(ValueError, match="the empty level ''; give every level a name"):
        Categorical("c", ["Pd", ""])
    with pytest.raises(ValueError, match="the empty level '  '"):
        Categorical("c", ["Pd", "  "])
    with pytest.raises(ValueError, match="name='yield ' has spaces at its ends"):
        Maximize("yield ")
    assert Categorical("c", ["Pd on C", "Pt"]).values == ("Pd on C", "Pt")  # inner spaces
