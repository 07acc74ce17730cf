"""Outputs written safely: whole or not at all, readable like any new file, never over data."""

import os
import sqlite3
from pathlib import Path

import pytest

from yieldlab._files import check_output_file, write_atomically
from yieldlab.exceptions import StoreError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_file_is_written_with_the_usual_permissions_and_no_temporary_left(tmp_path):
    names = []

    def write(name):
        names.append(name)
        Path(name).write_text("a,b\n1,2\n", encoding="utf-8")

    path = write_atomically(tmp_path / "plan.xlsx", write)
    assert path == tmp_path / "plan.xlsx"
    assert path.read_text(encoding="utf-8") == "a,b\n1,2\n"
    # the temporary file was beside it and kept its ending (openpyxl checks it)
    assert Path(names[0]).parent == tmp_path and names[0].endswith(".xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomically(path, lambda name: Path(name).write_text("new", encoding="utf-8"))
    assert path.read_text(encoding="utf-8") == "new"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failing_writer_leaves_the_old_file_as_it_was(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("experiment,yield\n1,71.5\n", encoding="utf-8")

    def half(name):
        Path(name).write_text("experiment,yi", encoding="utf-8")
        raise RuntimeError("the writer failed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        write_atomically(path, half)
    assert path.read_text(encoding="utf-8") == "experiment,yield\n1,71.5\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]

    def full_disk(name):
        raise OSError(28, "No space left on device")

    with pytest.raises(StoreError, match=r"results.csv: cannot write the sheet \(No space left"):
        write_atomically(path, full_disk, "the sheet")
    assert path.read_text(encoding="utf-8") == "experiment,yield\n1,71.5\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(StoreError, match=r"missing.plan\.csv: cannot write the file \(No such"):
        write_atomically(tmp_path / "missing" / "plan.csv", lambda name: None)


def test_a_campaign_file_or_an_input_is_never_an_output(tmp_path):
    campaign = tmp_path / "campaign.db"
    sqlite3.connect(campaign).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="is a campaign file"):
        check_output_file(campaign)
    runs = tmp_path / "runs.csv"
    runs.write_text("x\n1\n", encoding="utf-8")
    with pytest.raises(StoreError, match="is also the input"):
        check_output_file(tmp_path / "." / "runs.csv", inputs=[runs])
    check_output_file(tmp_path / "plan.csv", inputs=[runs])  # a new file is fine


def test_without_replace_an_existing_file_is_left_as_it_was(tmp_path):
    path = tmp_path / "campaign.db"
    write_atomically(path, lambda name: Path(name).write_text("first"), replace=False)
    assert path.read_text() == "first"
    with pytest.raises(FileExistsError):
        write_atomically(path, lambda name: Path(name).write_text("second"), replace=False)
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["campaign.db"]
