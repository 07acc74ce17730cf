"""`yieldlab fit`, `predict`, `optimize`, `report` end to end, and their bad inputs."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from yieldlab.modelling import load

from .conftest import assert_user_error, reactor_table, run_cli


def test_fit_prints_the_leaderboard_and_saves(fitted_model):
    folder, result = fitted_model
    data = json.loads(result.stdout)
    assert (folder / "runs.ylm").exists()
    assert data["target"] == "yield"
    names = {row["name"] for row in data["leaderboard"]}
    assert {"linear", "response_surface"} <= names
    assert data["selected"] in names
    top = data["importances"][0]["input"]
    assert top in {"temperature", "pressure", "catalyst"}


def test_predict_writes_mean_std_and_interval(fitted_model):
    folder, _ = fitted_model
    new = pd.DataFrame(
        {"temperature": [85.0, 65.0], "pressure": [3.2, 1.0], "catalyst": ["Pd", "Ni"]}
    )
    new.to_csv(folder / "new.csv", index=False)
    result = run_cli("predict", "runs.ylm", "new.csv", "--out", "pred.csv", cwd=folder)
    assert result.returncode == 0, result.stderr
    pred = pd.read_csv(folder / "pred.csv")
    assert list(pred.columns[-4:]) == ["yield_mean", "yield_std", "yield_low", "yield_high"]
    # the optimum-like setting predicts near 84, the poor one far lower
    assert pred["yield_mean"][0] == pytest.approx(84.0, abs=1.5)
    assert pred["yield_mean"][1] < 75
    assert (pred["yield_low"] < pred["yield_mean"]).all()


def test_optimize_finds_the_known_optimum(fitted_model):
    folder, _ = fitted_model
    result = run_cli("optimize", "runs.ylm", "--maximize", "yield", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    best = json.loads(result.stdout)
    assert best["settings"]["catalyst"] == "Pd"
    assert best["settings"]["temperature"] == pytest.approx(85, abs=6)
    assert best["settings"]["pressure"] == pytest.approx(3.2, abs=0.5)
    assert best["mean"] == pytest.approx(84.0, abs=1.5)
    assert best["low"] < best["mean"] < best["high"]


def test_model_report_is_valid_html_with_every_section(fitted_model):
    folder, _ = fitted_model
    result = run_cli("report", "runs.ylm", "--out", "model.html", cwd=folder)
    assert result.returncode == 0, result.stderr
    text = (folder / "model.html").read_text(encoding="utf-8")
    ET.fromstring(text.split("\n", 1)[1])
    for section in ("Data", "Model selection", "Which inputs matter", "Response surface"):
        assert f">{section}</h2>" in text


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("empty.csv", "", ["empty.csv is empty"]),
        ("header.csv", "temperature,yield\n", ["header.csv has a header but no rows"]),
        ("colon.csv", "temperature:yield\n1:2\n", ["its delimiter looks like ':'"]),
        (
            "dup.csv",
            "temperature,yield,temperature\n1,2,3\n",
            ["column 'temperature' appears twice"],
        ),
        (
            "typo.csv",
            "temperature,yeild\n1,2\n3,4\n",
            ["target column 'yield' is not in the table", "did you mean 'yeild'"],
        ),
    ],
)
def test_fit_bad_tables(tmp_path, name, text, fragments):
    write(tmp_path, name, text)
    result = run_cli("fit", name, "--target", "yield", cwd=tmp_path)
    assert_user_error(result, *fragments)
    assert not (tmp_path / name.replace(".csv", ".ylm")).exists()


def test_fit_text_in_a_numeric_column_names_the_row(tmp_path):
    frame = reactor_table(12)
    frame["temperature"] = frame["temperature"].round(1).astype(str)
    frame.loc[6, "temperature"] = "hot"
    frame.to_csv(tmp_path / "runs.csv", index=False)
    result = run_cli("fit", "runs.csv", "--target", "yield", cwd=tmp_path)
    assert_user_error(result, "runs.csv, line 8, column 'temperature': 'hot' is not a number")


def test_missing_files(tmp_path):
    assert_user_error(
        run_cli("fit", "nothere.csv", "--target", "y", cwd=tmp_path), "nothere.csv: file not found"
    )
    assert_user_error(
        run_cli("predict", "nothere.ylm", "x.csv", cwd=tmp_path), "nothere.ylm: file not found"
    )


def test_a_file_that_is_not_a_model(tmp_path):
    write(tmp_path, "fake.ylm", "not a zip at all")
    write(tmp_path, "new.csv", "a\n1\n")
    result = run_cli("predict", "fake.ylm", "new.csv", cwd=tmp_path)
    assert_user_error(result, "fake.ylm")


def test_predict_with_a_missing_input_column(fitted_model, tmp_path):
    folder, _ = fitted_model
    write(tmp_path, "new.csv", "temperature,presure,catalyst\n80,3,Pd\n")
    result = run_cli("predict", str(folder / "runs.ylm"), "new.csv", cwd=tmp_path)
    assert_user_error(result, "no column 'pressure'", "did you mean 'presure'")


def test_optimize_usage_errors(fitted_model):
    folder, _ = fitted_model
    result = run_cli("optimize", "runs.ylm", cwd=folder)
    assert result.returncode == 2 and "exactly one of --maximize" in result.stderr
    result = run_cli("optimize", "runs.ylm", "--maximize", "cost", cwd=folder)
    assert_user_error(result, "the model predicts 'yield', not 'cost'")


def test_fit_with_a_formula_recovers_the_law(tmp_path):
    rng = np.random.default_rng(3)
    runs = pd.DataFrame({"time": np.linspace(1.0, 60.0, 30)})
    runs["yield"] = 90.0 * (1.0 - np.exp(-0.08 * runs["time"])) + rng.normal(0, 0.5, 30)
    runs.to_csv(tmp_path / "kinetics.csv", index=False)
    result = run_cli(
        "fit", "kinetics.csv", "--target", "yield", "--formula", "y = a*(1 - exp(-k*time))",
        "--json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["selected"] == "formula_model"  # the true law beats the generic candidates
    estimates = {row["parameter"]: row["estimate"] for row in data["coefficients"]}
    assert estimates["a"] == pytest.approx(90.0, rel=0.02)
    assert estimates["k"] == pytest.approx(0.08, rel=0.05)


def test_outputs_never_overwrite_their_inputs(fitted_model, tmp_path):
    folder, _ = fitted_model
    before = (folder / "runs.csv").read_bytes()
    assert_user_error(
        run_cli("fit", "runs.csv", "--target", "yield", "--out", "runs.csv", cwd=folder),
        "'runs.csv' is also the input 'runs.csv'",
    )
    assert_user_error(
        run_cli("predict", "runs.ylm", "runs.csv", "--out", "runs.csv", cwd=folder),
        "is also the input",
    )
    assert_user_error(
        run_cli("report", "runs.ylm", "--out", "runs.ylm", cwd=folder), "is also the input"
    )
    assert (folder / "runs.csv").read_bytes() == before
    assert_user_error(run_cli("report", str(tmp_path), cwd=folder), "is a folder")


def test_model_and_predictions_never_replace_other_files(fitted_model, tmp_path):
    folder, _ = fitted_model
    table = folder / "kept.csv"
    table.write_bytes((folder / "runs.csv").read_bytes())
    not_a_model = folder / "notes.ylm"
    not_a_model.write_text("my notes\n")
    before = {p: p.read_bytes() for p in (table, not_a_model, folder / "runs.ylm")}
    for args, message in [
        (("fit", "runs.csv", "-t", "yield", "--out", "kept.csv"), "a model file is not a .csv"),
        (("fit", "runs.csv", "-t", "yield", "--out", "notes.ylm"), "not a yieldlab model file"),
        (("predict", "runs.ylm", "runs.csv", "--out", "kept.csv"), "not a table of predictions"),
        (("predict", "runs.ylm", "runs.csv", "--out", "runs2.ylm"), "written as .csv or .xlsx"),
        (("predict", "runs.ylm", "runs.csv", "--out", "p.parquet"), "written as .csv or .xlsx"),
    ]:
        assert_user_error(run_cli(*args, cwd=folder), message)
    assert {p: p.read_bytes() for p in before} == before
    assert not (folder / "runs2.ylm").exists() and not (folder / "p.parquet").exists()
    # .xlsx is a workbook, read back like any table; an earlier one may be replaced
    for _ in range(2):
        result = run_cli("predict", "runs.ylm", "runs.csv", "--out", "p.xlsx", cwd=folder)
        assert result.returncode == 0, result.stderr
    predicted = pd.read_excel(folder / "p.xlsx")
    runs = pd.read_csv(folder / "runs.csv")
    assert len(predicted) == len(runs)
    assert (predicted["yield_low"] < predicted["yield_mean"]).all()


def test_option_values_are_named_as_options_and_a_renamed_table_is_recognized(
    fitted_model, tmp_path
):
    folder, _ = fitted_model
    assert_user_error(
        run_cli("predict", "runs.ylm", "runs.csv", "--level", "95", cwd=folder),
        "--level 95.0 is invalid; expected 0 < level < 1",
    )
    (tmp_path / "runs.xlsx").write_bytes((folder / "runs.csv").read_bytes())
    assert_user_error(
        run_cli("fit", tmp_path / "runs.xlsx", "-t", "yield", cwd=folder),
        "runs.xlsx could not be read as an Excel file: it is not a workbook",
    )


def test_predict_names_an_empty_input_cell_by_its_line(fitted_model, tmp_path):
    folder, _ = fitted_model
    rows = pd.read_csv(folder / "runs.csv").drop(columns="yield").head(3)
    for column in ("temperature", "catalyst"):
        blank = rows.astype({column: object})
        blank.loc[1, column] = None
        blank.to_csv(tmp_path / "new.csv", index=False)
        assert_user_error(
            run_cli("predict", "runs.ylm", tmp_path / "new.csv", cwd=folder),
            f"new.csv, line 3, column '{column}' is empty (1 empty cell(s) in that column); "
            "fill it in",
        )


def test_optimize_warns_when_the_best_lies_beyond_the_data_and_skips_unused_columns(tmp_path):
    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"sample": [f"R{i:03d}" for i in range(20)],
                         "T": rng.uniform(50, 100, 20), "P": rng.uniform(1, 5, 20)})  # fmt: skip
    runs["yield"] = 3 + 2 * runs["T"] - 0.5 * runs["P"] + rng.normal(0, 0.5, 20)
    runs.to_csv(tmp_path / "runs.csv", index=False)
    fit = run_cli("fit", "runs.csv", "-t", "yield", "--cv", "3", "--out", "m.ylm", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    result = run_cli("optimize", "m.ylm", "--maximize", "yield", "--json", cwd=tmp_path)
    best = json.loads(result.stdout)
    assert set(best["settings"]) == {"T", "P"} and "sample" not in result.stderr
    assert best["settings"]["T"] == pytest.approx(runs["T"].max(), rel=0.02)
    wide = tmp_path / "wide.yaml"
    wide.write_text("parameters:\n  - {name: T, type: real, low: 50, high: 300}\n"
                    "  - {name: P, type: real, low: 0, high: 5}\n")  # fmt: skip
    result = run_cli("optimize", "m.ylm", "--maximize", "yield", "--space", wide, "--json",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    best = json.loads(result.stdout)
    assert best["settings"] == {"T": 300.0, "P": 0.0}  # on the bounds, not 5e-06
    assert "the best settings found lie outside the settings the model was fitted on" in (
        " ".join(result.stderr.split())
    )
    named = tmp_path / "named.yaml"
    named.write_text("parameters:\n  - {name: sample, type: categorical, values: [R001]}\n")
    assert_user_error(
        run_cli("optimize", "m.ylm", "--maximize", "yield", "--space", named, cwd=tmp_path),
        "the parameter 'sample' is not used by the model (a different text in every row",
    )


def test_optimize_over_part_of_the_inputs_names_typos_and_what_it_holds(fitted_model, tmp_path):
    folder, _ = fitted_model
    typo = tmp_path / "typo.yaml"
    typo.write_text("parameters:\n  - {name: temprature, type: real, low: 60, high: 110}\n")
    assert_user_error(
        run_cli("optimize", "runs.ylm", "--maximize", "yield", "--space", typo, cwd=folder),
        "'temprature' is not an input of the model; did you mean 'temperature'?",
    )
    for text, message in (
        ("  - {name: catalyst, type: categorical, values: [Pd, Pt]}", "the level 'Pt' of"),
        ("  - {name: catalyst, type: real, low: 0, high: 1}", "'catalyst' is numeric here"),
    ):
        wrong = tmp_path / "wrong.yaml"
        wrong.write_text(f"parameters:\n{text}\n")
        result = run_cli(
            "optimize", "runs.ylm", "--maximize", "yield", "--space", wrong, cwd=folder
        )
        assert_user_error(result, message)
    part = tmp_path / "part.yaml"
    part.write_text("parameters:\n  - {name: temperature, type: real, low: 60, high: 110}\n")
    result = run_cli(
        "optimize", "runs.ylm", "--maximize", "yield", "--space", part, "--json", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    best = json.loads(result.stdout)
    assert set(best["settings"]) == {"temperature"}
    assert best["fixed"]["catalyst"] == "Pd"  # the commonest level of the training data
    assert 1 < best["fixed"]["pressure"] < 5
    # the interval is the one 'yieldlab predict' gives at the same settings
    settings = tmp_path / "best.csv"
    pd.DataFrame([{**best["settings"], **best["fixed"]}]).to_csv(settings, index=False)
    predicted = json.loads(run_cli("predict", "runs.ylm", settings, "--json", cwd=folder).stdout)[
        0
    ]
    assert predicted["yield_low"] == pytest.approx(best["low"], rel=1e-9)
    assert predicted["yield_high"] == pytest.approx(best["high"], rel=1e-9)


def test_outputs_are_readable_like_any_new_file_and_html_never_replaces_data(fitted_model):
    folder, _ = fitted_model
    for name in ("r.html", "p.csv"):
        (folder / name).unlink(missing_ok=True)
    assert run_cli("report", "runs.ylm", "--out", "r.html", cwd=folder).returncode == 0
    assert run_cli("predict", "runs.ylm", "runs.csv", "--out", "p.csv", cwd=folder).returncode == 0
    for name in ("r.html", "p.csv"):
        assert (folder / name).stat().st_mode & 0o777 == 0o666 & ~_umask(), name
    (folder / "p.csv").chmod(0o640)  # a replaced file keeps its permissions
    assert run_cli("predict", "runs.ylm", "runs.csv", "--out", "p.csv", cwd=folder).returncode == 0
    assert (folder / "p.csv").stat().st_mode & 0o777 == 0o640
    before = (folder / "p.csv").read_bytes()
    assert_user_error(
        run_cli("report", "runs.ylm", "--out", "p.csv", cwd=folder), "is not an HTML file"
    )
    assert (folder / "p.csv").read_bytes() == before


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_predict_does_not_ask_for_a_column_the_model_left_out(tmp_path):
    runs = reactor_table().assign(lot=7)
    runs.insert(0, "sample", [f"R{i:03d}" for i in range(len(runs))])  # a run label
    runs.to_csv(tmp_path / "runs.csv", index=False)
    fit = run_cli("fit", "runs.csv", "-t", "yield", "--cv", "3", "--out", "m.ylm", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    # fit says which columns the model leaves out, and why
    assert "Not used: 'sample', a different text in every row: an identifier" in fit.stdout
    assert "Not used: 'lot', constant (7 in every row)" in fit.stdout
    assert "sample=" not in fit.stdout  # no run label became an effect
    reactor_table(n=3, seed=1).drop(columns=["yield"]).to_csv(tmp_path / "new.csv", index=False)
    result = run_cli("predict", "m.ylm", "new.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_a_bad_formula_stops_fit_before_the_search(fitted_model):
    folder, _ = fitted_model
    for formula, message in (
        ("yield = a*(1 - exp(-k*temperature)", "'(' was never closed"),
        ("pressure = a*temperature", "--formula models pressure, but --target is 'yield'"),
        # every name a parameter: the 'law' is a constant
        ("yield = a*(1 - exp(-k*temprature))", "--formula names no column of runs.csv: 'a', "),
        ("yield = a", "--formula names no column of runs.csv"),
    ):
        result = run_cli("fit", "runs.csv", "-t", "yield", "--formula", formula, cwd=folder)
        assert_user_error(result, message)
    # a name close to a column is a typo or a parameter named after it ('time0'): a warning
    result = run_cli(
        "fit", "runs.csv", "-t", "yield", "--cv", "3", "--out", "typo.ylm",
        "--formula", "yield = a*(1 - exp(-k*temprature)) + b*pressure", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: --formula: 'temprature' is not a column of runs.csv" in result.stderr
    assert "if you meant the column 'temperature'" in result.stderr


def test_fit_and_predict_name_lines_and_options_of_the_command(fitted_model, tmp_path):
    folder, _ = fitted_model
    runs = reactor_table()
    runs.loc[3, "pressure"] = np.nan
    runs.to_csv(tmp_path / "gap.csv", index=False)
    assert_user_error(
        run_cli("fit", "gap.csv", "-t", "yield", cwd=tmp_path),
        "gap.csv, line 5, column 'pressure' (an input) is empty",
    )
    reactor_table().to_csv(tmp_path / "runs.csv", index=False)
    assert_user_error(
        run_cli("fit", "runs.csv", "-t", "yield", "--cv", "30", cwd=tmp_path),
        "runs.csv: the table has 24 rows but --cv 30 folds need at least 30",
        "use --cv 24",
    )
    new = reactor_table(n=3, seed=1).drop(columns=["yield"])
    new.loc[1, "catalyst"] = "Pt"
    new.to_csv(tmp_path / "new.csv", index=False)
    assert_user_error(
        run_cli("predict", folder / "runs.ylm", "new.csv", cwd=tmp_path),
        "new.csv, line 3, column 'catalyst': level 'Pt' was not seen at fit",
    )
    # after a blank line in the file, the lines named are still the file's
    for name in ("gap.csv", "new.csv"):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        (tmp_path / name).write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n")
    assert_user_error(
        run_cli("fit", "gap.csv", "-t", "yield", cwd=tmp_path),
        "gap.csv, line 6, column 'pressure' (an input) is empty",
    )
    assert_user_error(
        run_cli("predict", folder / "runs.ylm", "new.csv", cwd=tmp_path),
        "new.csv, line 4, column 'catalyst': level 'Pt' was not seen at fit",
    )


def test_fit_reads_the_sheet_of_a_workbook_that_holds_the_target(tmp_path):
    with pd.ExcelWriter(tmp_path / "lab.xlsx") as workbook:
        notes = pd.DataFrame({"notes": ["lab book, week 12"]})
        notes.to_excel(workbook, sheet_name="notes", index=False)
        reactor_table().to_excel(workbook, sheet_name="runs", index=False)
    result = run_cli("fit", "lab.xlsx", "-t", "yield", "--cv", "3", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "lab.ylm").exists()


def test_fit_leaves_out_the_columns_ignore_names(fitted_model, tmp_path):
    folder, _ = fitted_model
    runs = pd.read_csv(folder / "runs.csv")
    runs.insert(0, "sample", [f"R{i:03d}" for i in range(len(runs))])
    runs.to_csv(tmp_path / "runs.csv", index=False)
    result = run_cli(
        "fit", "runs.csv", "-t", "yield", "--cv", "3", "--ignore", "sample", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    model = load(tmp_path / "runs.ylm")
    assert "sample" not in list(model.training_inputs_.columns)
    assert_user_error(
        run_cli("fit", "runs.csv", "-t", "yield", "--ignore", "sampel", cwd=tmp_path),
        "--ignore column 'sampel' is not in the table; did you mean 'sample'?",
    )
    assert_user_error(
        run_cli("fit", "runs.csv", "-t", "yield", "--ignore", "yield", cwd=tmp_path),
        "--ignore yield: 'yield' is the --target; leave out another",
    )


def test_predict_warns_about_settings_outside_the_data(fitted_model, tmp_path):
    # a quadratic fitted on 60-110 degrees predicted -3234 at 500, without a word
    folder, _ = fitted_model
    new = pd.DataFrame(
        {"temperature": [85.0, 500.0], "pressure": [3.0, 3.0], "catalyst": ["Pd", "Pd"]}
    )
    new.to_csv(tmp_path / "new.csv", index=False)
    result = run_cli("predict", folder / "runs.ylm", "new.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "warning: new.csv: 1 row(s) lie outside the settings the model was fitted on (line 3: "
        "temperature=500, above " in result.stderr
    )
    assert len(json.loads(result.stdout)) == 2  # predicted all the same
    new.iloc[:1].to_csv(tmp_path / "inside.csv", index=False)
    result = run_cli("predict", folder / "runs.ylm", "inside.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0 and "warning" not in result.stderr


def test_model_report_names_the_best_run_by_its_line_and_holds_only_used_inputs(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(14, 2))
    y = 50 + 20 * x[:, 0] - 10 * x[:, 1] + rng.normal(0, 0.5, 14)
    best = int(np.argmax(y))
    rows = [
        f"R{k:02d},{a:.4f},{b:.4f},{v:.3f}" for k, ((a, b), v) in enumerate(zip(x, y, strict=True))
    ]
    # two comment lines and a blank line above the runs shift every line number
    text = "# exported from the ELN\n# batch 7\nrun,a,b,yield\n\n" + "\n".join(rows) + "\n"
    (tmp_path / "runs.csv").write_text(text)
    fit = run_cli("fit", "runs.csv", "--target", "yield", "--time-budget", "30", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    assert "Not used: 'run'" in fit.stdout
    assert run_cli("report", "runs.ylm", "--out", "r.html", cwd=tmp_path).returncode == 0
    html = " ".join((tmp_path / "r.html").read_text(encoding="utf-8").split())
    assert f"so far (line {best + 5} of runs.csv): a = " in html
    assert "run = R" not in html
    # nor does optimize hold it fixed
    result = run_cli("optimize", "runs.ylm", "--maximize", "yield", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["fixed"] == {} and set(found["settings"]) == {"a", "b"}
    assert found["settings"]["a"] == pytest.approx(x[:, 0].max(), rel=1e-3)


def test_fit_names_an_infinite_cell_and_every_column_with_empty_cells(tmp_path):
    runs = reactor_table()
    runs.loc[1, "temperature"] = np.inf
    runs.to_csv(tmp_path / "inf.csv", index=False)
    assert_user_error(
        run_cli("fit", "inf.csv", "-t", "yield", cwd=tmp_path),
        "inf.csv, line 3, column 'temperature': 'inf' is not a finite number",
        "replace it with the measured value, or delete the row",
    )
    runs = reactor_table()
    runs.loc[3, "pressure"] = np.nan
    runs.loc[7, "temperature"] = np.nan
    runs.to_csv(tmp_path / "gaps.csv", index=False)
    assert_user_error(
        run_cli("fit", "gaps.csv", "-t", "yield", cwd=tmp_path),
        "gaps.csv: 2 columns have empty cells",
        "line 9, column 'temperature' (an input): 1 empty cell(s)",
        "line 5, column 'pressure' (an input): 1 empty cell(s)",
    )


def test_optimize_suggests_the_target_quoted_for_the_shell(tmp_path):
    runs = reactor_table().rename(columns={"yield": "yield (%)"})
    runs.to_csv(tmp_path / "runs.csv", index=False)
    result = run_cli("fit", "runs.csv", "-t", "yield (%)", "--cv", "3", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_user_error(
        run_cli("optimize", "runs.ylm", "--maximize", "yield", cwd=tmp_path),
        "use --maximize 'yield (%)'",
    )


def test_fit_says_when_the_coefficients_are_ridge_shrunk_and_not_testable(tmp_path):
    runs = pd.DataFrame({"temperature": [60.0, 70, 80, 90, 100], "time": [1.0, 4, 2, 5, 3]})
    runs["yield"] = (40 + 0.3 * runs["temperature"] - 2 * (runs["time"] - 3) ** 2
                     + [0.5, -0.3, 0.2, -0.6, 0.1])  # fmt: skip
    runs.to_csv(tmp_path / "tiny.csv", index=False)
    result = run_cli("fit", "tiny.csv", "-t", "yield", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if load(tmp_path / "tiny.ylm").best_name_ != "response_surface":
        pytest.skip("another model was selected")
    assert "6 terms on 5 runs leave" in result.stderr and "Add runs" in result.stderr
    out = " ".join(result.stdout.split())
    assert "The coefficients are ridge-shrunk" in out
    assert "only the estimates are shown" in out
    assert "p_value" not in out
