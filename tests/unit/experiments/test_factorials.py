"""Classical designs: full and fractional factorials, central composite, Box-Behnken."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.design import make_design
from yieldlab.experiments.factorials import GENERATORS, _two_level
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.ranges import Integer, Real
from yieldlab.experiments.space import Space


def _resolution(H: np.ndarray) -> float:
    """Length of the shortest word of the defining relation (inf for a full factorial)."""
    k = H.shape[1]
    for r in range(1, k + 1):
        for subset in itertools.combinations(range(k), r):
            if np.unique(H[:, subset].prod(axis=1)).size == 1:
                return r
    return np.inf


class TestFactorial:
    def test_levels(self, mixed):
        design = make_design(mixed, method="factorial")
        assert len(design) == 3 * 3 * 3 * 3 * 3
        assert sorted(design["T"].unique()) == [60, 110, 160]
        np.testing.assert_allclose(sorted(design["t"].unique()), [1, 10, 100])
        assert sorted(design["n"].unique()) == [1, 3, 5]
        assert len(make_design(mixed, method="factorial", levels=2)) == 2 * 2 * 2 * 3 * 3
        assert (
            len(make_design(mixed, method="factorial", levels={"T": 5, "c": 2}))
            == 5 * 3 * 3 * 2 * 3
        )

    def test_padding_with_replicates_and_too_small_n(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)])
        design = make_design(space, 12, "factorial", rng=0, levels=2)
        assert len(design) == 12 and len(design.drop_duplicates()) == 4
        with pytest.raises(ValueError, match="gives 9 runs for this space; n=5 is smaller"):
            make_design(space, 5, "factorial")

    def test_constraints_drop_runs_with_a_warning(self, simplex):
        with pytest.warns(UserWarning, match="17 of 27 runs violate"):
            design = make_design(simplex, method="factorial")
        assert len(design) == 10 and simplex.is_feasible(design).all()

    def test_no_feasible_run_is_an_error(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)], constraints=["a + b <= 0.4", "a >= 0.1"])
        with pytest.raises(SpaceError, match="every run of the 'ccd' design violates"):
            make_design(space, method="ccd")


class TestFractional:
    @pytest.mark.parametrize(("key", "entry"), sorted(GENERATORS.items()))
    def test_published_generators_have_their_resolution(self, key, entry):
        k, runs = key
        H, generator = _two_level(k, runs)
        assert H.shape == (runs, k) and generator == entry[0]
        assert _resolution(H) == entry[1]

    @pytest.mark.parametrize(
        ("k", "runs", "resolution"),
        [(12, 32, 4), (12, 16, 3), (13, 64, 4), (5, 16, 5), (9, 256, 9)],
    )
    def test_constructed_generators(self, k, runs, resolution):
        H, _ = _two_level(k, runs)
        assert H.shape == (runs, k)
        assert len({tuple(col) for col in H.T}) == k  # no two factors share a column
        assert _resolution(H) >= resolution

    def test_default_size_is_resolution_iv(self):
        space = Space([Real(f"x{j}", 0, 1) for j in range(6)])
        design = make_design(space, method="fractional")
        assert len(design) == 16
        H = 2 * space.encode(design) - 1
        assert set(np.unique(H)) == {-1.0, 1.0}
        assert _resolution(H) == 4
        assert (H.sum(axis=0) == 0).all()  # balanced

    def test_n_picks_the_largest_design_that_fits(self):
        space = Space([Real(f"x{j}", 0, 1) for j in range(6)])
        design = make_design(space, 10, "fractional")
        assert len(design) == 10  # 8 runs (resolution III) plus 2 centre points
        assert (design.iloc[8:] == 0.5).all().all()
        with pytest.raises(ValueError, match="needs at least 8 runs"):
            make_design(space, 6, "fractional")

    def test_generator_and_categorical_crossing(self):
        space = Space(
            [
                Real("a", 0, 1),
                Real("b", 0, 1),
                Real("c", 0, 1),
                Categorical("s", ["x", "y"]),
                Categorical("cat", ["Pd", "Ni", "Cu"]),
            ]
        )
        design = make_design(space, method="fractional", generator="a b c ab")
        assert len(design) == 8 * 3
        assert design["s"].value_counts().tolist() == [12, 12]
        with pytest.raises(ValueError, match="must name 4 columns"):
            make_design(space, method="fractional", generator="a b ab")
        with pytest.raises(ValueError, match="is not valid"):
            make_design(space, method="fractional", generator="a b c 7")


class TestResponseSurfaceDesigns:
    def test_face_centred_ccd(self):
        space = Space([Real("a", 0, 10), Real("b", -1, 1), Real("c", 5, 6)])
        design = make_design(space, method="ccd")
        assert len(design) == 8 + 6 + 3
        assert sorted(design["a"].unique()) == [0, 5, 10]
        assert (design == [5, 0, 5.5]).all(axis=1).sum() == 3

    def test_inscribed_ccd_stays_inside(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)])
        design = make_design(space, method="ccd", face="inscribed", n_center=1)
        assert len(design) == 9
        assert design["a"].nunique() == 5 and design.to_numpy().min() >= 0
        assert design.to_numpy().max() <= 1

    def test_box_behnken(self):
        space = Space([Real(f"x{j}", 0, 1) for j in range(3)] + [Categorical("s", ["p", "q"])])
        design = make_design(space, method="box-behnken", n_center=2)
        assert len(design) == (12 + 2) * 2
        # no corner points: every run has at least one factor at its centre
        assert ((design[["x0", "x1", "x2"]] == 0.5).sum(axis=1) >= 1).all()
        balanced = make_design(space, method="box-behnken", categorical="balance", rng=0)
        assert balanced["s"].value_counts().tolist() == [8, 7]

    def test_padding_with_centre_points(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1), Integer("n", 1, 4)])
        design = make_design(space, 20, "ccd", rng=0, n_center=1)
        assert len(design) == 20
        assert (design.iloc[15:][["a", "b"]] == 0.5).all().all()
        assert set(design.iloc[15:]["n"]) <= {2, 3}

    def test_too_few_numeric_parameters(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1), Categorical("s", ["p", "q"])])
        with pytest.raises(SpaceError, match="at least 3 numeric parameters"):
            make_design(space, method="box-behnken")
        with pytest.raises(SpaceError, match="at least 2 numeric parameters"):
            make_design(Space([Real("a", 0, 1)]), method="ccd")
