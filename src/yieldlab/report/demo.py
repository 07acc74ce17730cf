"""The demo campaign: find the best settings of the built-in reactor with few experiments
(layer 5; ``yieldlab demo`` prints its story).

An initial Latin-hypercube design, then rounds of experiments suggested by the campaign's
model, each "run" on the reactor simulator (with measurement noise). At the end the
campaign file and an HTML report are written, and the result is compared with the
simulator's true optimum and with what a full grid of the same number of runs finds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import CampaignError, StoreError
from ..experiments.campaign import Campaign
from ..experiments.objectives import Maximize
from ..experiments.space import Space
from ..experiments.store import CampaignStore
from ..simulators import Reactor
from .campaign_report import campaign_model, campaign_report

__all__ = ["DemoResult", "grid_of_size", "run_demo"]

OBJECTIVE = "yield"


@dataclass(frozen=True)
class DemoResult:
    """What the demo campaign did and found."""

    n_experiments: int
    n_rounds: int
    n_initial: int
    batch_size: int
    best: dict
    best_yield: float
    best_true_yield: float
    true_best: float
    true_settings: dict
    grid_best: float
    grid_levels: dict
    grid_size: int
    report: Path
    campaign: Path


def grid_of_size(space: Space, n: int) -> pd.DataFrame:
    """A full factorial grid with about ``n`` runs: every level of each categorical
    parameter, and as many evenly spaced levels (at least 2) of each numeric one as fit.

    Examples
    --------
    >>> from yieldlab.experiments.levels import Categorical
    >>> from yieldlab.experiments.ranges import Real
    >>> space = Space([Real("T", 20, 80), Real("t", 1, 5), Categorical("c", ["a", "b"])])
    >>> len(grid_of_size(space, 20))
    18
    """
    categorical = [p for p in space.parameters if not p.is_numeric]
    numeric = [p for p in space.parameters if p.is_numeric]
    combos = math.prod(len(p.values) for p in categorical) if categorical else 1
    per = max(2, math.floor((n / combos) ** (1.0 / max(len(numeric), 1)) + 1e-9))
    levels = {p.name: np.unique(p.from_unit(np.linspace(0.0, 1.0, per))) for p in numeric}
    for p in categorical:
        levels[p.name] = list(p.values)
    rows = list(itertools.product(*levels.values()))
    return pd.DataFrame(rows, columns=list(levels))[space.names]


def _results(reactor: Reactor, settings: pd.DataFrame) -> pd.DataFrame:
    measured = reactor(settings[reactor.space.names])
    keep = [c for c in ("experiment",) if c in settings]
    return (
        settings[keep + reactor.space.names]
        .assign(yield_=measured[OBJECTIVE].to_numpy())
        .rename(columns={"yield_": OBJECTIVE})
    )


# the metadata entry that marks a campaign file written by the demo
_DEMO_MARK = "demo"


def _is_demo(db: Path) -> bool:
    if not db.is_file():
        return False
    try:
        store = CampaignStore.open(db)
    except StoreError:
        return False
    try:
        meta = store.meta()
    finally:
        store.close()
    if meta.get(_DEMO_MARK) is True:
        return True
    # a demo of a version before the mark: the demo's space and objective, its files only
    demo_files = {db.name, f"{db.name}-wal", f"{db.name}-shm", "report.html"}
    only_demo = {p.name for p in db.parent.iterdir()} <= demo_files
    objective = [Maximize(OBJECTIVE, 0, 100).to_dict()]
    return (
        only_demo
        and meta.get("space") == Reactor().space.to_dict()
        and meta.get("objectives") == objective
    )


def _check_demo_folder(folder: Path, db: Path) -> None:
    """Refuse an ``--out`` the demo would damage: a file, or a folder with files that a demo
    did not write."""
    if folder.exists() and not folder.is_dir():
        raise StoreError(
            f"{str(folder)!r} is a file; the demo needs a folder for report.html and "
            "campaign.db: give a new folder name"
        )
    if folder.is_dir() and any(folder.iterdir()) and not _is_demo(db):
        raise StoreError(
            f"the folder {str(folder)!r} holds files but no demo campaign; the demo writes "
            "campaign.db and report.html there and would replace yours: give a new or empty "
            "folder"
        )


def run_demo(
    out: str | Path,
    seed: int = 0,
    n_initial: int = 8,
    batch_size: int = 4,
    rounds: int = 6,
    noise: float = 1.0,
    on_round: Callable[[int, int, float], None] | None = None,
) -> DemoResult:
    """Run the demo campaign and write ``out/campaign.db`` and ``out/report.html``.

    Parameters
    ----------
    out : str or Path
        Folder for the files: new, empty, or one a demo wrote before (whose files are
        replaced); any other folder with files is refused, so no campaign of the user's is
        ever overwritten.

    Raises
    ------
    StoreError
        When ``out`` is a file, or a folder holding files and no demo campaign.
    seed : int, default=0
    n_initial : int, default=8
        Runs of the initial Latin-hypercube design.
    batch_size : int, default=4
        Runs suggested per round.
    rounds : int, default=6
        Rounds after the initial design.
    noise : float, default=1.0
        Standard deviation of the simulated measurement of the yield (% points).
    on_round : callable, optional
        ``on_round(round, n_rounds, best_so_far)`` after every round (progress bars).

    Returns
    -------
    DemoResult
    """
    folder = Path(out)
    db = folder / "campaign.db"
    _check_demo_folder(folder, db)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    reactor = Reactor(noise=noise, random_state=seed)
    campaign = Campaign(reactor.space, Maximize(OBJECTIVE, 0, 100), path=db, random_state=seed)
    try:
        campaign._store.set_meta(_DEMO_MARK, True)
        first = campaign.design(n_initial, method="lhs")
        campaign.add(_results(reactor, first))
        total = rounds + 1
        if on_round is not None:
            on_round(1, total, float(campaign.data[OBJECTIVE].max()))
        for k in range(rounds):
            batch = campaign.suggest(batch_size)
            campaign.add(_results(reactor, batch))
            if on_round is not None:
                on_round(k + 2, total, float(campaign.data[OBJECTIVE].max()))
        done = campaign.data[campaign.data["status"] == "done"]
        if done.empty:
            raise CampaignError("the demo campaign recorded no results")
        model = campaign_model(campaign, random_state=seed)
        optimum = reactor.true_optimum(OBJECTIVE)
        grid = grid_of_size(reactor.space, len(done))
        grid_yield = reactor.noiseless(grid)[OBJECTIVE]
        report = campaign_report(
            campaign,
            model,
            optimum={OBJECTIVE: optimum.value},
            title="yieldlab demo: optimising the reactor's yield",
        )
        report_path = report.write(folder / "report.html")
        best = campaign.best().iloc[0]
        return DemoResult(
            n_experiments=len(done), n_rounds=total, n_initial=n_initial,
            batch_size=batch_size,
            best={name: best[name] for name in reactor.space.names},
            best_yield=float(best[OBJECTIVE]),
            best_true_yield=float(
                reactor.noiseless(best[reactor.space.names].to_frame().T)[OBJECTIVE].iloc[0]),
            true_best=float(optimum.value), true_settings=dict(optimum.settings),
            grid_best=float(grid_yield.max()),
            grid_levels={c: int(grid[c].nunique()) for c in grid.columns},
            grid_size=len(grid), report=report_path, campaign=db,
        )  # fmt: skip
    finally:
        campaign.close()
