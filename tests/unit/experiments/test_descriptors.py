"""Descriptors of categorical levels: validation, the embedding, and what the model learns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yieldlab.exceptions import SpaceError
from yieldlab.experiments.campaign import Campaign
from yieldlab.experiments.descriptors import embedding
from yieldlab.experiments.levels import Categorical
from yieldlab.experiments.objectives import Maximize
from yieldlab.experiments.ranges import Real
from yieldlab.experiments.space import Space
from yieldlab.experiments.specs import parameter_from_dict
from yieldlab.experiments.surrogate import Surrogate, model_inputs

LEVELS = ["L1", "L2", "L3", "L4", "L5", "L6"]
TABLE = pd.DataFrame(
    {
        "cone_angle": [118.0, 132.0, 145.0, 160.0, 170.0, 182.0],
        "pka": [2.7, 3.1, 8.7, 9.7, 11.4, 6.0],
        "mass": [262.0, 290.0, 280.0, 330.0, 410.0, 520.0],
    },
    index=LEVELS,
)


def squared_distances(E: np.ndarray) -> np.ndarray:
    return ((E[:, None, :] - E[None, :, :]) ** 2).sum(-1)


class TestEmbedding:
    def test_distances_are_those_of_the_standardized_descriptors_scaled_to_one_hot(self):
        p = Categorical("ligand", LEVELS, descriptors=TABLE)
        E = p.embedding()
        S = ((TABLE - TABLE.mean()) / TABLE.std(ddof=0)).to_numpy()
        d_e, d_s = squared_distances(E), squared_distances(S)
        upper = np.triu_indices(len(LEVELS), 1)
        np.testing.assert_allclose(d_e[upper] / d_s[upper], 2.0 / d_s[upper].mean())
        assert d_e[upper].mean() == pytest.approx(2.0)  # as between two one-hot rows
        assert E.shape == (6, 3)  # three descriptors: three principal components

    def test_units_do_not_matter_and_many_descriptors_fold_into_few_columns(self, rng):
        scaled = TABLE * [1.0, 1000.0, 0.001]  # other units
        np.testing.assert_allclose(
            squared_distances(Categorical("x", LEVELS, descriptors=scaled).embedding()),
            squared_distances(Categorical("x", LEVELS, descriptors=TABLE).embedding()),
        )
        wide = pd.DataFrame(rng.standard_normal((6, 500)), index=LEVELS)
        assert Categorical("x", LEVELS, descriptors=wide).embedding().shape == (6, 5)

    def test_one_varying_descriptor_is_split_into_two_equal_columns(self):
        E = embedding((("size", (1.0, 2.0, 4.0)), ("flat", (7.0, 7.0, 7.0))))
        assert E.shape == (3, 2) and np.array_equal(E[:, 0], E[:, 1])
        assert np.ptp(E[:, 1]) > 0  # no constant column for model selection to drop
        np.testing.assert_allclose(squared_distances(E)[0, 1] * 4, squared_distances(E)[1, 2])

    def test_tiny_or_huge_descriptors_give_finite_coordinates(self):
        for column in ([0.0, 5e-324, 1e-323], [1.7e308, -1.7e308, 0.0]):
            E = embedding((("x", tuple(column)),))
            assert np.isfinite(E).all()
            assert squared_distances(E)[np.triu_indices(3, 1)].mean() == pytest.approx(2.0)
        with pytest.raises(ValueError, match="'a' and 'b' have identical descriptors"):
            Categorical("x", ["a", "b", "c"], descriptors={"x": [0.0, 1e-10, 1000.0]})


class TestCategoricalWithDescriptors:
    def test_table_rows_are_matched_by_level_and_extra_rows_ignored(self):
        table = pd.concat([TABLE.iloc[::-1], pd.DataFrame({"cone_angle": [1.0]}, index=["X"])])
        p = Categorical("ligand", LEVELS, descriptors=table.fillna(0.0))
        assert p.descriptor_table().index.tolist() == LEVELS
        assert p.descriptor_table()["pka"].tolist() == TABLE["pka"].tolist()
        assert p.encode(["L3"]).tolist() == [[0, 0, 1, 0, 0, 0]]  # still one-hot

    def test_mapping_csv_and_dict_round_trip_are_the_same_parameter(self, tmp_path):
        from_table = Categorical("ligand", LEVELS, descriptors=TABLE)
        mapping = {k: list(v) for k, v in TABLE.items()}
        assert Categorical("ligand", LEVELS, descriptors=mapping) == from_table
        TABLE.to_csv(tmp_path / "ligands.csv")
        assert Categorical("ligand", LEVELS, descriptors=tmp_path / "ligands.csv") == from_table
        assert parameter_from_dict(from_table.to_dict()) == from_table
        assert from_table != Categorical("ligand", LEVELS)
        assert "descriptors=['cone_angle', 'pka', 'mass']" in repr(from_table)

    def test_space_file_reads_descriptors_relative_to_itself(self, tmp_path, monkeypatch):
        folder = tmp_path / "campaign"
        folder.mkdir()
        TABLE.to_csv(folder / "ligands.csv")
        (folder / "space.yaml").write_text(
            "parameters:\n"
            "  - {name: T, type: real, low: 60, high: 120}\n"
            f"  - {{name: ligand, type: categorical, values: {LEVELS}, "
            "descriptors: ligands.csv}\n",
            encoding="utf-8",
        )
        monkeypatch.chdir(tmp_path)
        space = Space.from_yaml(folder / "space.yaml")
        assert space["ligand"] == Categorical("ligand", LEVELS, descriptors=TABLE)
        assert Space.from_dict(space.to_dict()) == space
        space.to_yaml(tmp_path / "copy.yaml")  # descriptors written out, no path needed
        assert Space.from_yaml(tmp_path / "copy.yaml") == space
        (folder / "bad.yaml").write_text(
            "parameters:\n"
            "  - name: ligand\n"
            "    type: categorical\n"
            "    values: [a, b]\n"
            "    descriptors: {pka: [1.0, oops]}\n",
            encoding="utf-8",
        )
        with pytest.raises(SpaceError, match=r"bad.yaml, line 5 .*'pka' of level 'b' is 'oops'"):
            Space.from_yaml(folder / "bad.yaml")

    @pytest.mark.parametrize(
        "descriptors, message",
        [
            (TABLE.drop(index="L4"), "no row for the level 'L4'"),
            (TABLE.assign(smiles="CCP"), "descriptor 'smiles' of level 'L1' is 'CCP', not a"),
            (
                TABLE.assign(pka=[2.7, 3.1, np.nan, 9.7, 11.4, 6.0]),
                "descriptor 'pka' of level 'L3' is missing or not finite",
            ),
            (
                pd.concat([TABLE.iloc[:5], TABLE.iloc[[1]].set_axis(["L6"])]),
                "the levels 'L2' and 'L6' have identical descriptors",
            ),
            (TABLE * 0.0, "every descriptor has the same value for all levels"),
            ({"pka": [1.0, 2.0]}, r"descriptors\['pka'\] has 2 values; expected one per level, 6"),
            (pd.concat([TABLE, TABLE.iloc[[0]]]), "2 rows for the level 'L1'; keep one"),
            ({"pka": [1, 2, 3, 4, 5, 1 + 1j]}, "'pka' of level 'L6' is \\(1\\+1j\\), not a"),
            ({"pka": [1, 2, 3, 4, 5, 10**400]}, "'pka' of level 'L6' is missing or not finite"),
            (
                TABLE.set_axis(pd.MultiIndex.from_arrays([LEVELS, LEVELS]), axis=0),
                "row index of several levels",
            ),
            ("no/such/file.csv", "is not a file"),
            (TABLE.set_axis(["a", "b", "a"], axis=1), "several columns named 'a'"),
        ],
    )
    def test_bad_descriptors_name_the_level_and_descriptor(self, descriptors, message):
        with pytest.raises(ValueError, match=message):
            Categorical("ligand", LEVELS, descriptors=descriptors)

    def test_from_candidates_describes_the_named_columns(self):
        screen = pd.DataFrame({"ligand": LEVELS * 2, "T": [90.0] * 6 + [120.0] * 6})
        space = Space.from_candidates(screen, descriptors={"ligand": TABLE})
        assert space["ligand"] == Categorical("ligand", sorted(LEVELS), descriptors=TABLE)
        with pytest.raises(SpaceError, match="'T', which is Discrete"):
            Space.from_candidates(screen, descriptors={"T": TABLE})
        with pytest.raises(SpaceError, match="'ligands', which is not a parameter; did you"):
            Space.from_candidates(screen, descriptors={"ligands": TABLE})
        with pytest.raises(SpaceError, match="levels are inferred .and sorted., so give a table"):
            Space.from_candidates(screen, descriptors={"ligand": {"pka": list(TABLE["pka"])}})
        given = [Categorical("ligand", LEVELS, descriptors=TABLE)]
        with pytest.raises(SpaceError, match="descriptors for 'ligand' are given twice"):
            Space.from_candidates(screen, parameters=given, descriptors={"ligand": TABLE})

    def test_numeric_codes_take_descriptors_once_declared_categorical(self):
        screen = pd.DataFrame({"cat_id": [1, 2, 3] * 2, "T": [90.0] * 3 + [120.0] * 3})
        table = pd.DataFrame({"size": [1.0, 2.0, 5.0]}, index=[1, 2, 3])
        with pytest.raises(SpaceError, match=r"parameters=\[Categorical\('cat_id', <its codes>"):
            Space.from_candidates(screen, descriptors={"cat_id": table})
        declared = [Categorical("cat_id", [1, 2, 3])]
        space = Space.from_candidates(screen, parameters=declared, descriptors={"cat_id": table})
        assert space["cat_id"].descriptor_table()["size"].tolist() == [1.0, 2.0, 5.0]

    def test_levels_that_look_like_other_things_are_matched(self, tmp_path):
        flags = Categorical("dry", [False, True], descriptors={"water_ppm": [500.0, 20.0]})
        assert flags.descriptor_table()["water_ppm"].tolist() == [500.0, 20.0]
        table = pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=[True, False, "x"])
        assert Categorical("b", [False, True], descriptors=table).descriptors == (
            ("v", (2.0, 1.0)),
        )
        # a CSV's level column is read as text: '01' and 'None' are names, not 1 and NaN
        (tmp_path / "bases.csv").write_text("base,pka\n01,4.8\nNone,0.0\nNA,9.0\n")
        bases = Categorical("base", ["None", "01", "NA"], descriptors=tmp_path / "bases.csv")
        assert bases.descriptor_table()["pka"].tolist() == [0.0, 4.8, 9.0]
        (tmp_path / "gap.csv").write_text("base,pka\n01,4.8\nNone,\nNA,9.0\n")
        with pytest.raises(ValueError, match="'pka' of level 'None' is missing"):
            Categorical("base", ["None", "01", "NA"], descriptors=tmp_path / "gap.csv")

    def test_mapping_values_are_taken_in_order(self):
        shuffled = pd.Series([3.0, 1.0, 2.0], index=[10, 11, 12])  # not aligned by its index
        p = Categorical("x", ["a", "b", "c"], descriptors={"v": shuffled})
        assert p.descriptors == (("v", (3.0, 1.0, 2.0)),)
        with pytest.raises(TypeError, match="is a set, which has no order"):
            Categorical("x", ["a", "b", "c"], descriptors={"v": {1.0, 2.0, 3.0}})
        with pytest.raises(TypeError, match="is not a list"):
            Categorical("x", ["a", "b", "c"], descriptors={"v": np.ones((3, 2))})
        big = Categorical("x", ["a", "b", "c"], descriptors={"E": [1e10, 1e10 + 1, 1e10 + 2]})
        assert squared_distances(big.embedding())[0, 2] > squared_distances(big.embedding())[0, 1]

    def test_rows_for_other_levels_are_ignored_even_when_repeated(self):
        extra = pd.DataFrame({"cone_angle": [1.0, 2.0], "pka": 0.0, "mass": 0.0}, index=["z", "z"])
        p = Categorical("ligand", LEVELS, descriptors=pd.concat([TABLE, extra]))
        assert p == Categorical("ligand", LEVELS, descriptors=TABLE)

    def test_an_unreadable_csv_names_the_file(self, tmp_path):
        (tmp_path / "empty.csv").write_text("", encoding="utf-8")
        with pytest.raises(ValueError, match="empty.csv' is not a readable CSV file"):
            Categorical("ligand", LEVELS, descriptors=tmp_path / "empty.csv")

    def test_wrong_type_is_refused(self):
        with pytest.raises(TypeError, match="DataFrame indexed by the levels"):
            Categorical("ligand", LEVELS, descriptors=[1, 2, 3])
        with pytest.raises(TypeError, match=r"descriptors\['pka'\] = 3.0 is not a list"):
            Categorical("ligand", LEVELS, descriptors={"pka": 3.0})


class TestModel:
    def test_model_inputs_swap_the_one_hot_block_for_the_coordinates(self):
        plain = Space([Real("T", 60, 120), Categorical("ligand", LEVELS)])
        assert model_inputs(plain) == (None, [0, 1, 1, 1, 1, 1, 1])
        space = Space([Real("T", 60, 120), Categorical("ligand", LEVELS, descriptors=TABLE)])
        W, groups = model_inputs(space)
        assert W.shape == (7, 4) and groups == [0, 1, 1, 1]
        Z = space.encode(pd.DataFrame({"T": [90.0], "ligand": ["L5"]}))
        np.testing.assert_allclose(Z @ W, [[0.5, *space["ligand"].embedding()[4]]])

    def test_an_untried_level_is_predicted_from_similar_ones(self, rng):
        # yield grows with the cone angle; L5 is never run. With descriptors the model
        # interpolates between L4 and L6; one-hot can only guess near the average (43).
        truth = dict(zip(LEVELS, 0.9 * (TABLE["cone_angle"] - 100.0), strict=True))
        tried = [level for level in LEVELS if level != "L5"]
        runs = pd.DataFrame({"T": np.tile([70.0, 90.0, 110.0], 5), "ligand": np.repeat(tried, 3)})
        y = runs["ligand"].map(truth).to_numpy() + 0.5 * rng.standard_normal(len(runs))
        query = pd.DataFrame({"T": [90.0], "ligand": ["L5"]})
        table = TABLE.assign(pka=0.0, mass=0.0)  # only the cone angle matters here
        errors = {}
        for name, p in {
            "descriptors": Categorical("ligand", LEVELS, descriptors=table),
            "one-hot": Categorical("ligand", LEVELS),
        }.items():
            space = Space([Real("T", 60, 120), p])
            W, groups = model_inputs(space)
            surrogate = Surrogate([Maximize("y")], model="gp", groups=groups, embedding=W)
            posterior = surrogate.fit(space.encode(runs), y[:, None])
            mean, _ = posterior.predict(space.encode(query))
            errors[name] = abs(mean[0, 0] - truth["L5"])
        assert errors["descriptors"] < 3.0 and errors["one-hot"] > 10.0, errors

    def test_campaign_with_descriptors_finds_the_best_level_and_resumes(self, tmp_path):
        # 30 solvents described by one property; the yield peaks at a property of 0.63
        rng = np.random.default_rng(7)
        solvents = [f"S{i:02d}" for i in range(30)]
        prop = pd.DataFrame({"polarity": rng.random(30)}, index=solvents)
        candidates = pd.DataFrame(
            {"solvent": np.repeat(solvents, 4), "T": np.tile([60.0, 80.0, 100.0, 120.0], 30)}
        )

        def measure(frame):
            x = prop.loc[frame["solvent"], "polarity"].to_numpy()
            return 90.0 * np.exp(-(((x - 0.63) / 0.12) ** 2)) + frame["T"].to_numpy() / 12.0

        best = measure(candidates).max()
        found = {}
        for name, descriptors in {"descriptors": prop, "one-hot": None}.items():
            space = Space(
                [Categorical("solvent", solvents, descriptors=descriptors), Real("T", 60, 120)]
            )
            path = tmp_path / f"{name}.db"
            Campaign(space, Maximize("y"), candidates=candidates, path=path, random_state=0)
            for _ in range(4):  # each round resumes the campaign from its file
                batch = Campaign.open(path).suggest(4)
                Campaign.open(path).add(batch.assign(y=measure(batch)))
            assert Campaign.open(path).space == space
            found[name] = Campaign.open(path).best()["y"].max()
        # 16 of 120 rows: with descriptors the best is found, without not yet (it takes 36)
        assert found["descriptors"] == pytest.approx(best)
        assert found["one-hot"] < best
