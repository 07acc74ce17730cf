"""Initial designs: sizes, levels, resolution, optimality, restrictions and candidates."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.design import (
    DESIGNS,
    GENERATORS,
    _two_level,
    d_criterion,
    make_design,
    model_matrix,
)
from yieldlab.experiments.parameters import Categorical, Discrete, Integer, Real
from yieldlab.experiments.space import Space


def _resolution(H: np.ndarray) -> float:
    """Length of the shortest word of the defining relation (inf for a full factorial)."""
    k = H.shape[1]
    for r in range(1, k + 1):
        for subset in itertools.combinations(range(k), r):
            if np.unique(H[:, subset].prod(axis=1)).size == 1:
                return r
    return np.inf


@pytest.fixture
def mixed() -> Space:
    return Space(
        [
            Real("T", 60, 160),
            Real("t", 1, 100, log=True),
            Integer("n", 1, 5),
            Discrete("c", [0.1, 0.2, 0.5]),
            Categorical("cat", ["Pd", "Ni", "Cu"]),
        ]
    )


@pytest.fixture
def simplex() -> Space:
    return Space(
        [Real("a", 0, 1), Real("b", 0, 1), Real("c", 0, 1)], constraints=["a + b + c <= 1"]
    )


@pytest.mark.parametrize("method", ["random", "lhs", "sobol", "d-optimal"])
def test_sampled_designs_are_valid_and_seeded(mixed, method):
    design = make_design(mixed, 24, method, rng=7)
    assert design.shape == (24, 5)
    assert mixed.is_feasible(design).all()
    pd.testing.assert_frame_equal(design, make_design(mixed, 24, method, rng=7))
    assert not design.equals(make_design(mixed, 24, method, rng=8))


@pytest.mark.parametrize("method", ["random", "lhs", "sobol", "d-optimal"])
def test_sampled_designs_respect_constraints(simplex, method):
    design = make_design(simplex, 15, method, rng=0, model="linear")
    assert len(design) == 15 and simplex.is_feasible(design).all()


def test_lhs_is_stratified_in_every_dimension(mixed):
    n = 12
    design = make_design(mixed, n, "lhs", rng=1)
    u = mixed.encode(design)[:, 0]  # Real: one point per 1/n-stratum
    assert sorted(np.floor(u * n).astype(int).tolist()) == list(range(n))
    assert design["cat"].value_counts().tolist() == [4, 4, 4]  # categories too
    assert design["c"].value_counts().tolist() == [4, 4, 4]


def test_sobol_prefix_is_balanced():
    space = Space([Real(f"x{j}", 0, 1) for j in range(4)])
    U = make_design(space, 16, "sobol", rng=3).to_numpy()
    for j in range(4):
        assert sorted(np.floor(U[:, j] * 16).astype(int).tolist()) == list(range(16))


def test_restricted_lhs_spreads_out(simplex):
    design = make_design(simplex, 10, "lhs", rng=0)
    Z = simplex.encode(design)
    gaps = np.sqrt(((Z[:, None] - Z[None]) ** 2).sum(-1)) + np.eye(10) * 9
    assert gaps.min() > 0.12  # greedy maximin: no two runs crowd together


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


class TestDOptimal:
    def test_linear_model_in_a_square_takes_the_corners(self):
        space = Space([Real("a", 0, 1), Real("b", 0, 1)])
        design = make_design(space, 4, "d-optimal", rng=0, model="linear")
        assert sorted(map(tuple, design.to_numpy().tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]

    def test_quadratic_in_one_factor_takes_both_ends_and_the_middle(self):
        space = Space([Real("a", -1, 1)])
        design = make_design(space, 3, "d-optimal", rng=0)
        assert sorted(design["a"]) == [-1, 0, 1]
        # det(X'X) of {-1, 0, 1} for [1, a, a^2]: [[3,0,2],[0,2,0],[2,0,2]] -> 4; / 3^3
        assert d_criterion(space, design) == pytest.approx(np.log(4 / 27))

    def test_beats_space_filling_designs(self, mixed, rng):
        n = model_matrix(mixed, mixed.sample(1, rng)).shape[1] + 4
        best = d_criterion(mixed, make_design(mixed, n, "d-optimal", rng=0))
        for method in ("lhs", "random"):
            assert best > d_criterion(mixed, make_design(mixed, n, method, rng=0)) + 1

    def test_model_terms(self, mixed, rng):
        settings = mixed.sample(3, rng)
        # 1 + 4 numeric + 2 dummies; + 6 products; + 3 squares (n has 5 levels, c 3, T, t)
        assert model_matrix(mixed, settings, "linear").shape == (3, 7)
        assert model_matrix(mixed, settings, "interaction").shape == (3, 13)
        assert model_matrix(mixed, settings, "quadratic").shape == (3, 17)
        two_levels = Space([Discrete("d", [1, 2]), Real("x", 0, 1)])
        assert model_matrix(two_levels, two_levels.sample(2, rng)).shape == (2, 5)

    def test_too_few_runs(self, mixed):
        with pytest.raises(ValueError, match="has 17 terms, so a D-optimal design needs n >= 17"):
            make_design(mixed, 10, "d-optimal")


class TestCandidates:
    @pytest.fixture
    def plate(self, rng) -> pd.DataFrame:
        grid = Space(
            [
                Discrete("T", [90, 105, 120]),
                Discrete("c", [0.05, 0.1, 0.15]),
                Discrete("eq", [1, 2]),
                Categorical("base", ["A", "B", "C", "D"]),
                Categorical("solvent", ["s", "t"]),
            ]
        ).grid()
        return grid.assign(well=[f"W{i}" for i in range(len(grid))]).set_index(
            pd.Index(np.arange(len(grid)) * 10)
        )

    @pytest.mark.parametrize("method", DESIGNS)
    def test_designs_are_distinct_candidate_rows(self, plate, method):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        n = {"d-optimal": 12, "box-behnken": None, "ccd": None, "factorial": None}.get(method, 8)
        options = {"model": "linear"} if method == "d-optimal" else {}
        if method in ("factorial", "fractional", "ccd", "box-behnken"):
            options["categorical"] = "balance"
        design = make_design(space, n, method, rng=0, candidates=plate, **options)
        assert design.index.is_unique and design.index.isin(plate.index).all()
        pd.testing.assert_frame_equal(design, plate.loc[design.index])
        assert "well" in design.columns

    def test_structured_designs_match_the_nearest_rows(self, plate):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        design = make_design(space, method="factorial", candidates=plate)
        assert len(design) == len(plate)  # the plate is the full factorial itself
        small = plate[(plate["T"] != 105)]
        corners = make_design(
            space, method="fractional", candidates=small, categorical="balance", rng=0
        )
        assert set(corners["T"]) == {90, 120}

    def test_candidates_that_contradict_the_space(self, plate):
        space = Space(
            [
                Discrete("T", [90, 105]),
                Real("c", 0, 1),
                Discrete("eq", [1, 2]),
                Categorical("base", list("ABCD")),
                Categorical("solvent", ["s", "t"]),
            ]
        )
        with pytest.raises(
            SpaceError, match="candidates, row .*column 'T': 120.0 is not an allowed"
        ):
            make_design(space, 4, "lhs", candidates=plate)

    def test_more_runs_than_candidates(self, plate):
        space = Space.from_candidates(plate, columns=["T", "c", "eq", "base", "solvent"])
        for method in ("lhs", "random", "d-optimal"):
            with pytest.raises(ValueError, match="n=8 runs asked for, but there are only 5"):
                make_design(space, 8, method, candidates=plate.iloc[:5])
        with pytest.raises(ValueError, match="has 144 runs but there are only 5 candidates"):
            make_design(space, method="factorial", candidates=plate.iloc[:5])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"method": "lhz", "n": 3}, ValueError, "did you mean 'lhs'"),
        ({"method": "lhs"}, ValueError, "needs the number of runs n"),
        (
            {"method": "lhs", "n": 3, "levels": 2},
            ValueError,
            "levels applies to method='factorial'",
        ),
        ({"method": "sobol", "n": 3, "face": "inscribed"}, ValueError, "face applies"),
        ({"method": "ccd", "face": "outside"}, ValueError, "face='outside' is not supported"),
        ({"method": "lhs", "n": -1}, ValueError, "n=-1 is invalid"),
        ({"method": "lhs", "n": 2, "categorical": "mix"}, ValueError, "categorical='mix'"),
        ({"method": "d-optimal", "n": 20, "model": "cubic"}, ValueError, "model='cubic'"),
    ],
)
def test_option_errors(mixed, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_design(mixed, **kwargs)


def test_space_type_is_checked():
    with pytest.raises(TypeError, match="expected a Space"):
        make_design([Real("a", 0, 1)], 3)
