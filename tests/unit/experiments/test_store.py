"""The SQLite campaign file: schema checks, transactions, concurrency and crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from yieldlab.exceptions import CampaignError, StoreError
from yieldlab.experiments.results import write_csv
from yieldlab.experiments.store import (
    APPLICATION_ID,
    FORMAT_VERSION,
    CampaignStore,
    StaleSnapshot,
)

META = {
    "space": {"parameters": [{"name": "x", "type": "real", "low": 0, "high": 1}]},
    "objectives": [{"name": "y", "goal": "maximize"}],
    "options": {"seed": 1},
}


def new_store(tmp_path, name="c.db", candidates=()):
    return CampaignStore.create(tmp_path / name, META, candidates)


def run_sql(path, script: str) -> None:
    """Change a file behind yieldlab's back, as another program would."""
    connection = sqlite3.connect(path)
    connection.executescript(script)
    connection.close()


def record_new(store, xs, ys):
    n = len(xs)
    return store.record(
        [{"x": x} for x in xs],
        [{"y": y} for y in ys],
        [y != y for y in ys],
        lambda pending: [None] * n,
    )


def test_round_trip_of_meta_candidates_and_experiments(tmp_path):
    store = new_store(tmp_path, candidates=[("a", {"x": 0.1}), (7, {"x": 0.2})])
    assert store.meta() == META
    assert store.candidates() == (["a", 7], [{"x": 0.1}, {"x": 0.2}])
    ids = store.add_pending([{"x": 0.1}, {"x": 0.2}], "suggest", [0, 1])
    assert ids == [1, 2]
    done = store.record([{"x": 0.1}], [{"y": 3.5}], [False], lambda p: [int(p["id"][0])])
    assert done == [1]
    record_new(store, [0.5, 0.6], [float("nan"), float("inf")])
    table = store.experiments()
    assert table["status"].tolist() == ["done", "pending", "failed", "done"]
    assert table["batch"].tolist() == [0, 0, 1, 1]
    assert table["results"].tolist() == [{"y": 3.5}, {}, {"y": None}, {"y": float("inf")}]
    assert table["source"].tolist() == ["suggest", "suggest", "user", "user"]


def test_file_has_application_id_version_and_wal(tmp_path):
    new_store(tmp_path).close()
    connection = sqlite3.connect(tmp_path / "c.db")
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert connection.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_existing_path_is_not_overwritten(tmp_path):
    new_store(tmp_path).close()
    with pytest.raises(StoreError, match=r"already exists; resume it with Campaign.open"):
        new_store(tmp_path)


def test_a_table_at_the_path_is_not_offered_to_be_resumed(tmp_path):
    (tmp_path / "c.db").write_text("T,yield\n80,51\n")
    with pytest.raises(StoreError, match=r"'.*c.db' exists and is not a campaign file; give"):
        new_store(tmp_path)
    assert (tmp_path / "c.db").read_text() == "T,yield\n80,51\n"


def test_a_campaign_created_meanwhile_by_another_process_is_never_replaced(tmp_path):
    import yieldlab.experiments.campaign_file as campaign_file

    (tmp_path / "other").mkdir()
    first = new_store(tmp_path / "other")  # the other process's campaign, with a result
    record_new(first, [0.1], [1.0])
    first.close()
    initialize = campaign_file.initialize

    def racing(connection, meta, candidates):  # it lands at the path while ours is built
        (tmp_path / "other" / "c.db").replace(tmp_path / "c.db")
        initialize(connection, meta, candidates)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(campaign_file, "initialize", racing)
        with pytest.raises(StoreError, match=r"already exists; resume it with Campaign.open"):
            new_store(tmp_path)
    theirs = CampaignStore.open(tmp_path / "c.db")
    assert theirs.experiments()["results"].tolist() == [{"y": 1.0}]
    theirs.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["c.db"]


def test_a_failed_creation_leaves_no_file_behind(tmp_path):
    with pytest.raises(TypeError, match="not JSON serializable"):
        CampaignStore.create(tmp_path / "c.db", {**META, "bad": object()})
    assert list(tmp_path.iterdir()) == []  # no temporary file, no journal beside it


def test_a_new_campaign_file_is_readable_like_any_new_file(tmp_path):
    new_store(tmp_path).close()
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "c.db").stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db"]


def test_missing_empty_foreign_and_non_sqlite_files_are_refused(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        CampaignStore.open(tmp_path / "nope.db")
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(StoreError, match="is empty; it is not a yieldlab campaign file"):
        CampaignStore.open(tmp_path / "empty.db")
    (tmp_path / "text.db").write_text("temperature,yield\n20,3\n")
    with pytest.raises(StoreError, match=r"not a yieldlab campaign file \(it is not an SQLite"):
        CampaignStore.open(tmp_path / "text.db")
    run_sql(tmp_path / "foreign.db", "CREATE TABLE t (a);")
    with pytest.raises(StoreError, match=r"another application \(application_id 0x0\)"):
        CampaignStore.open(tmp_path / "foreign.db")


def test_newer_format_and_missing_tables_are_refused(tmp_path):
    new_store(tmp_path).close()
    run_sql(tmp_path / "c.db", f"PRAGMA user_version = {FORMAT_VERSION + 1};")
    with pytest.raises(StoreError, match="newer than this yieldlab reads"):
        CampaignStore.open(tmp_path / "c.db")
    new_store(tmp_path, "d.db").close()
    run_sql(tmp_path / "d.db", "DROP TABLE candidates;")
    with pytest.raises(StoreError, match=r"damaged: the table\(s\) \['candidates'\]"):
        CampaignStore.open(tmp_path / "d.db")


def test_truncated_file_is_reported_in_one_line(tmp_path):
    store = new_store(tmp_path)
    record_new(store, [0.1] * 200, [1.0] * 200)
    store.close()
    path = tmp_path / "c.db"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError) as info:
        CampaignStore.open(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_a_failing_record_leaves_nothing_behind(tmp_path):
    store = new_store(tmp_path)
    store.add_pending([{"x": 0.1}], "suggest")

    def match(pending):
        return [1, 1]  # the second row completes an experiment that is no longer pending

    with pytest.raises(CampaignError, match="experiment 1 is no longer pending"):
        store.record([{"x": 0.1}, {"x": 0.1}], [{"y": 1.0}, {"y": 2.0}], [False, False], match)
    table = store.experiments()
    assert table["status"].tolist() == ["pending"] and table["results"].tolist() == [{}]


def test_a_read_only_file_is_one_clear_error_and_stays_as_it_was(tmp_path):
    store = new_store(tmp_path)
    record_new(store, [0.2], [1.0])
    store.close()
    before = (tmp_path / "c.db").read_bytes()
    store = CampaignStore.open(tmp_path / "c.db")
    # as a file on a read-only share would (the tests run as root, whom chmod does not stop)
    store._connection.close()
    store._connection = sqlite3.connect(
        f"file:{tmp_path / 'c.db'}?mode=ro", uri=True, isolation_level=None
    )
    assert len(store.experiments()) == 1  # reading works
    with pytest.raises(StoreError, match=r"c.db': it is read-only; nothing was written. Make"):
        record_new(store, [0.3], [2.0])
    with pytest.raises(StoreError, match="is read-only"):
        store.add_pending([{"x": 0.5}], "suggest")
    assert len(store.experiments()) == 1
    store.close()
    assert (tmp_path / "c.db").read_bytes() == before


def test_a_file_in_a_folder_that_cannot_be_written_says_so(tmp_path, monkeypatch):
    import yieldlab.experiments.campaign_file as campaign_file

    new_store(tmp_path).close()

    def refused(path):  # what SQLite says when it cannot create the -shm file beside it
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(campaign_file, "connect", refused)
    with pytest.raises(StoreError, match="is damaged or not a campaign file"):
        CampaignStore.open(tmp_path / "c.db")  # the folder is writable: something else
    monkeypatch.setattr(campaign_file.os, "access", lambda path, mode: False)
    with pytest.raises(StoreError, match=r"its folder is not writable.*copy the file to a"):
        CampaignStore.open(tmp_path / "c.db")


def test_metadata_a_revision_makes_stale_is_updated_in_its_transaction(tmp_path):
    store = new_store(tmp_path)
    record_new(store, [0.1, 0.2], [1.0, 2.0])
    seen = []

    def reset(value):
        seen.append(value)
        return {"y": {"selected_at": 0}}

    store.set_meta("surrogate", {"y": {"selected_at": 20}})
    assert store.revise("exclude", [1], "bad vial", meta={"surrogate": reset}) == [1]
    assert seen == [{"y": {"selected_at": 20}}]
    assert store.meta()["surrogate"] == {"y": {"selected_at": 0}}
    store.revise("include", [1], "fine", meta={"missing": lambda value: [value]})
    assert store.meta()["missing"] == [None]  # an absent entry is passed as None
    # a revision that fails writes no metadata either
    with pytest.raises(CampaignError, match="is not excluded"):
        store.revise("include", [1], "again", meta={"surrogate": lambda value: "written"})
    assert store.meta()["surrogate"] == {"y": {"selected_at": 0}}
    store.close()


def test_a_revision_is_all_or_nothing_and_upgrades_only_when_it_lands(tmp_path):
    store = new_store(tmp_path)
    record_new(store, [0.1, 0.2], [1.0, 2.0])
    run_sql(
        tmp_path / "c.db",
        "DROP TABLE revisions; ALTER TABLE experiments DROP COLUMN excluded; "
        "PRAGMA user_version = 1;",
    )
    assert store.format() == 1 and store.experiments()["excluded"].isna().all()

    def change(experiment, settings, results):
        if experiment == 2:
            raise ValueError("refused")
        return settings, {"y": 5.0}, False, None

    with pytest.raises(ValueError, match="refused"):
        store.revise("correct", [1, 2], "typo", change)
    # experiment 1 was corrected before experiment 2 refused: rolled back, format 1 still
    assert store.format() == 1
    assert store.experiments()["results"].tolist() == [{"y": 1.0}, {"y": 2.0}]
    assert store.revise("exclude", [2], "bad vial") == [2]
    assert store.format() == 2 and store.last_revision() == 1
    assert store.experiments()["excluded"].fillna("-").tolist() == ["-", "bad vial"]
    assert store.revise("correct", [1], "typo", change) == [1]
    revisions = store.revisions()
    assert revisions[["experiment", "action", "reason"]].values.tolist() == [
        [2, "exclude", "bad vial"],
        [1, "correct", "typo"],
    ]
    assert revisions["before"].tolist() == [{"excluded": None}, {"y": 1.0}]
    assert revisions["after"].tolist() == [{"excluded": "bad vial"}, {"y": 5.0}]
    # a batch chosen before a revision by another process is chosen again
    with pytest.raises(StaleSnapshot, match="recorded or changed by another process"):
        store.add_pending([{"x": 0.3}], "suggest", last_id=store.last_id(), last_revision=1)
    assert store.add_pending([{"x": 0.3}], "suggest", last_revision=2) == [3]
    # an experiment recorded again with the same values is a repeat, excluded or not
    assert store.repeats([{"x": 0.2}, {"x": 0.1}], [{"y": 2.0}, {"y": 5.0}]) == [2, 1]
    # ids SQLite cannot hold are unknown experiments, not an OverflowError
    with pytest.raises(CampaignError, match="no experiment 99999999999999999999"):
        store.revise("exclude", [99999999999999999999], "x")
    store.close()
    run_sql(tmp_path / "c.db", "DROP TABLE revisions;")
    with pytest.raises(StoreError, match=r"damaged: the table\(s\) \['revisions'\]"):
        CampaignStore.open(tmp_path / "c.db")


def test_cancel_drops_only_pending(tmp_path):
    store = new_store(tmp_path)
    store.add_pending([{"x": 0.1}, {"x": 0.2}, {"x": 0.3}], "design")
    record_new(store, [0.9], [1.0])
    assert store.cancel([2]) == 1
    assert store.cancel() == 2
    assert store.experiments()["status"].tolist() == ["done"]


def test_pending_rows_chosen_on_a_stale_snapshot_are_refused(tmp_path):
    one = new_store(tmp_path)
    two = CampaignStore.open(tmp_path / "c.db")  # another process on the same file
    assert one.last_id() == 0
    seen = one.last_id()
    assert two.add_pending([{"x": 0.3}], "suggest", last_id=two.last_id()) == [1]
    with pytest.raises(StaleSnapshot, match="recorded or changed by another process"):
        one.add_pending([{"x": 0.3}], "suggest", last_id=seen)
    assert len(one.experiments()) == 1  # nothing written
    assert one.add_pending([{"x": 0.7}], "suggest", last_id=one.last_id()) == [2]
    two.cancel()
    assert one.last_id() == 2  # ids are never given again, even after a cancel


def test_write_csv_replaces_atomically(tmp_path):
    path = write_csv(pd.DataFrame({"a": [1, 2]}), tmp_path / "out.csv")
    assert path.read_text() == "a\n1\n2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


WRITER = textwrap.dedent("""
    import sys
    from yieldlab.experiments.store import CampaignStore
    store = CampaignStore.open(sys.argv[1])
    for i in range(int(sys.argv[3])):
        store.record([{"x": float(sys.argv[2])}] * 3, [{"y": float(i)}] * 3, [False] * 3,
                     lambda pending: [None] * 3)
    print("ok", flush=True)
""")


def test_concurrent_writers_lose_nothing(tmp_path):
    new_store(tmp_path).close()
    path = str(tmp_path / "c.db")
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, path, str(w), "20"], stdout=subprocess.PIPE, text=True
        )
        for w in range(3)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0] and outputs == ["ok\n"] * 3
    table = CampaignStore.open(path).experiments()
    assert len(table) == 3 * 20 * 3
    # each add is one batch of 3 rows, never interleaved with another writer's rows
    per_batch = table.groupby("batch")["settings"].apply(lambda s: {d["x"] for d in s})
    assert len(per_batch) == 60 and all(len(xs) == 1 for xs in per_batch)


KILLED = textwrap.dedent("""
    import sys, time
    import yieldlab.experiments.store as store_module
    from yieldlab.experiments.store import CampaignStore
    original = store_module._write_row
    count = [0]
    def slow(connection, sql, parameters):
        count[0] += 1
        if count[0] == 3:  # inside the transaction, rows 1 and 2 already written
            print("writing", flush=True)
            time.sleep(60)
        return original(connection, sql, parameters)
    store_module._write_row = slow
    store = CampaignStore.open(sys.argv[1])
    store.record([{"x": 0.5}] * 5, [{"y": 1.0}] * 5, [False] * 5, lambda pending: [None] * 5)
""")


def test_a_writer_killed_mid_add_leaves_the_file_consistent(tmp_path):
    store = new_store(tmp_path)
    record_new(store, [0.1], [7.0])
    store.close()
    path = str(tmp_path / "c.db")
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, path], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline() == "writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    reopened = CampaignStore.open(path)  # runs SQLite's integrity check
    table = reopened.experiments()
    assert table["results"].tolist() == [{"y": 7.0}]  # the half-done add left no row
    record_new(reopened, [0.2], [8.0])  # and the file takes new writes
    assert len(reopened.experiments()) == 2
