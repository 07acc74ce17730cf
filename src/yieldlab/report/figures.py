"""The report's figures, drawn with matplotlib's object API (no pyplot global state).

Every function takes plain arrays or DataFrames and returns a
:class:`matplotlib.figure.Figure`, so figures can be tested and reused outside the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

__all__ = [
    "best_so_far_plot",
    "contour_plot",
    "experiments_plot",
    "gradient_norms_plot",
    "importance_plot",
    "pareto_plot",
    "parity_plot",
    "profile_plots",
    "residual_plot",
    "training_curve",
]

BLUE, ORANGE, GREY, RED = "#1f5f99", "#e07b28", "#8896a5", "#c0392b"
Z95 = 1.959963984540054


def _figure(width: float = 6.0, height: float = 4.2) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.grid(True, alpha=0.3)
    return fig, ax


def parity_plot(
    y: np.ndarray,
    mean: np.ndarray,
    std: np.ndarray | None = None,
    target: str = "y",
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> Figure:
    """Cross-validated predictions against measured values, with 95% intervals.

    Parameters
    ----------
    y, mean : ndarray of shape (n_samples,)
        Measured values and out-of-fold predictions.
    std : ndarray of shape (n_samples,), optional
        Predictive standard deviations; drawn as ``mean -/+ 1.96 std`` error bars unless
        ``lower`` and ``upper`` are given.
    target : str
        Name of the response, for the axis labels.
    lower, upper : ndarray of shape (n_samples,), optional
        The 95% interval of each prediction (e.g. AutoModel's calibrated one), drawn as
        error bars and counted in the title.
    """
    fig, ax = _figure(5.2, 5.0)
    y, mean = np.asarray(y, float), np.asarray(mean, float)
    if (lower is None or upper is None) and std is not None:
        half = Z95 * np.asarray(std, float)
        lower, upper = mean - half, mean + half
    if lower is not None and upper is not None:
        lower, upper = np.asarray(lower, float), np.asarray(upper, float)
        yerr = np.vstack([np.maximum(mean - lower, 0.0), np.maximum(upper - mean, 0.0)])
        ax.errorbar(y, mean, yerr=yerr, fmt="none", ecolor=GREY, alpha=0.5, lw=1)
        covered = (lower <= y) & (y <= upper)
        ax.set_title(
            f"{100 * covered.mean():.0f}% of points inside their 95% interval", fontsize=10
        )
    ax.scatter(y, mean, s=18, color=BLUE, zorder=3)
    low, high = np.nanmin([y.min(), mean.min()]), np.nanmax([y.max(), mean.max()])
    pad = 0.05 * (high - low or 1.0)
    ax.plot([low - pad, high + pad], [low - pad, high + pad], color=ORANGE, lw=1.2)
    ax.set_xlabel(f"measured {target}")
    ax.set_ylabel(f"predicted {target} (cross-validated)")
    return fig


def residual_plot(y: np.ndarray, mean: np.ndarray, target: str = "y") -> Figure:
    """Residuals (measured - predicted) against the prediction."""
    fig, ax = _figure(6.0, 3.6)
    residual = np.asarray(y, float) - np.asarray(mean, float)
    ax.scatter(mean, residual, s=16, color=BLUE)
    ax.axhline(0.0, color=ORANGE, lw=1.2)
    ax.set_xlabel(f"predicted {target}")
    ax.set_ylabel("residual")
    return fig


def importance_plot(importances: pd.DataFrame) -> Figure:
    """Horizontal bars of permutation importance with one-standard-deviation whiskers.

    Parameters
    ----------
    importances : DataFrame
        Indexed by input name, with columns ``importance`` and optionally ``std``.
    """
    frame = importances.sort_values("importance")
    fig, ax = _figure(6.0, 0.9 + 0.35 * len(frame))
    errors = frame.get("std")
    ax.barh(frame.index.astype(str), frame["importance"], xerr=errors, color=BLUE, ecolor=GREY)
    ax.set_xlabel("increase of the cross-validated RMSE when the input is shuffled")
    return fig


def contour_plot(
    predict: Callable[[pd.DataFrame], np.ndarray],
    base: pd.Series,
    x_name: str,
    y_name: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    target: str = "y",
    points: pd.DataFrame | None = None,
    n: int = 60,
    goodness: Callable[[np.ndarray], np.ndarray] | None = None,
    log: Sequence[str] | None = None,
    allowed: pd.DataFrame | None = None,
) -> Figure:
    """Predicted response over two inputs, the others held at ``base``.

    Parameters
    ----------
    predict : callable
        Maps a DataFrame of settings (same columns as ``base``) to predictions.
    base : Series
        Settings of the inputs not varied.
    x_name, y_name : str
        The two inputs on the axes.
    x_range, y_range : (float, float)
    points : DataFrame, optional
        Experiments to overlay.
    goodness : callable, optional
        Maps responses to "larger is better" (``-y`` for a response to minimize); the star
        marks the setting where it is largest. Default: the response itself.
    log : collection of str, optional
        Inputs drawn (and sampled) on a logarithmic axis.
    allowed : DataFrame, optional
        The only settings that can be run in this slice (the wells of a plate at the held
        settings, columns as ``base``): the star marks the best of those inside the
        ranges, not a point of the grid between them. Default: the best point of the grid.
    """
    log = set(log or ())
    xs = _samples(x_range, n, x_name in log)
    ys = _samples(y_range, n, y_name in log)
    gx, gy = np.meshgrid(xs, ys)
    grid = pd.DataFrame([base.to_dict()] * gx.size)
    grid[x_name] = gx.ravel()
    grid[y_name] = gy.ravel()
    z = np.asarray(predict(grid), float).reshape(gx.shape)
    fig, ax = _figure(6.0, 4.8)
    filled = ax.contourf(gx, gy, z, levels=14, cmap="viridis")
    ax.contour(gx, gy, z, levels=14, colors="white", linewidths=0.4, alpha=0.6)
    fig.colorbar(filled, ax=ax, label=f"predicted {target}")
    if points is not None and len(points):
        ax.scatter(
            points[x_name],
            points[y_name],
            s=14,
            color="white",
            edgecolor="black",
            linewidth=0.5,
            zorder=3,
        )
    ranges = {x_name: x_range, y_name: y_range}
    star = _best_setting(predict, goodness, grid, z, allowed, ranges)
    ax.scatter(*star, marker="*", s=160, color=ORANGE, edgecolor="black", zorder=4)
    ax.set_xlabel(x_name)
    ax.set_ylabel(y_name)
    for name, axis in ((x_name, ax.xaxis), (y_name, ax.yaxis)):
        if name in log and np.min(grid[name]) > 0:
            _log_axis(ax, axis)
    return fig


def _samples(limits: tuple[float, float], n: int, logged: bool) -> np.ndarray:
    """``n`` values over ``limits``: evenly spaced, or evenly on the log scale when
    ``logged`` (and the values are positive), so a log axis shows them evenly."""
    low, high = limits
    return np.geomspace(low, high, n) if logged and low > 0 else np.linspace(low, high, n)


def _best_setting(
    predict: Callable[[pd.DataFrame], np.ndarray],
    goodness: Callable[[np.ndarray], np.ndarray] | None,
    grid: pd.DataFrame,
    z: np.ndarray,
    allowed: pd.DataFrame | None,
    ranges: dict[str, tuple[float, float]],
) -> list[list[float]]:
    """Where the contour's star goes, ``([x], [y])``: the best of the ``allowed`` settings
    inside the ``ranges`` of the two axes, or (none given, or none inside) the best point
    of the grid."""
    rate = (lambda v: v) if goodness is None else goodness  # larger is better
    rows, values = grid, z.ravel()
    if allowed is not None:
        inside = np.ones(len(allowed), bool)
        for name, (low, high) in ranges.items():
            value = allowed[name].to_numpy(float)
            inside &= (value >= low) & (value <= high)
        if inside.any():
            rows = allowed[inside].reset_index(drop=True)
            values = np.asarray(predict(rows), float)
    best = int(np.nanargmax(np.asarray(rate(values), float)))
    return [[float(rows[name].iloc[best])] for name in ranges]


def _log_axis(ax: object, axis: object) -> None:
    """Put ``axis`` (``ax.xaxis`` or ``ax.yaxis``) on the log scale, ticked in plain numbers
    at 1, 2 and 5 times the powers of 10 (a range within one decade may hold no power of 10
    to tick)."""
    (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FormatStrFormatter("%g"))
    axis.set_minor_formatter(NullFormatter())


def profile_plots(
    predict_std: Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]],
    base: pd.Series,
    ranges: dict[str, tuple[float, float]],
    target: str = "y",
    n: int = 80,
    log: Sequence[str] | None = None,
) -> Figure:
    """One-factor profiles: the prediction along each input with a 95% band.

    The panels share their y-axis, so that the effects of the inputs can be compared.

    Parameters
    ----------
    predict_std : callable
        Maps a DataFrame of settings to ``(mean, std)`` (band ``mean -/+ 1.96 std``) or
        to ``(mean, lower, upper)`` (the band itself, e.g. a calibrated interval).
    base : Series
        Settings the other inputs are held at.
    ranges : dict
        Input name -> (low, high) for every numeric input to profile.
    log : collection of str, optional
        Inputs drawn (and sampled) on a logarithmic axis.
    """
    names = list(ranges)
    log = set(log or ())
    cols = min(3, len(names)) or 1
    rows = int(np.ceil(len(names) / cols)) or 1
    fig = Figure(figsize=(3.4 * cols, 2.8 * rows))
    first = None
    for k, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, k + 1, sharey=first)
        first = first or ax
        low, high = ranges[name]
        logged = name in log and low > 0
        xs = _samples((low, high), n, logged)
        grid = pd.DataFrame([base.to_dict()] * n)
        grid[name] = xs
        predicted = predict_std(grid)
        mean = np.asarray(predicted[0], float)
        if len(predicted) == 3:
            lower, upper = (np.asarray(v, float) for v in predicted[1:])
        else:
            std = np.asarray(predicted[1], float)
            lower, upper = mean - Z95 * std, mean + Z95 * std
        ax.fill_between(xs, lower, upper, color=BLUE, alpha=0.2, lw=0)
        ax.plot(xs, mean, color=BLUE)
        if logged:
            _log_axis(ax, ax.xaxis)
        ax.axvline(float(base[name]), color=ORANGE, lw=1, ls="--")
        ax.set_xlabel(name)
        ax.grid(True, alpha=0.3)
        if k % cols == 0:
            ax.set_ylabel(target)
    fig.tight_layout()
    return fig


def training_curve(loss: Sequence[float], val_loss: Sequence[float] | None = None) -> Figure:
    """Training (and validation) loss per epoch, log scale."""
    fig, ax = _figure(6.0, 3.6)
    ax.semilogy(np.arange(1, len(loss) + 1), loss, color=BLUE, label="training")
    if val_loss is not None and len(val_loss):
        ax.semilogy(np.arange(1, len(val_loss) + 1), val_loss, color=ORANGE, label="validation")
    ax.set_xlabel("epoch (or L-BFGS iteration)")
    ax.set_ylabel("loss")
    ax.legend()
    return fig


def gradient_norms_plot(norms: np.ndarray) -> Figure:
    """Per-layer weight-gradient norms per epoch (the notes' vanishing-gradient view).

    Parameters
    ----------
    norms : ndarray of shape (n_epochs, n_layers)
    """
    norms = np.atleast_2d(np.asarray(norms, float))
    fig, ax = _figure(6.0, 3.6)
    for layer in range(norms.shape[1]):
        name = "output" if layer == norms.shape[1] - 1 else f"layer {layer + 1}"
        ax.semilogy(
            np.arange(1, norms.shape[0] + 1), np.maximum(norms[:, layer], 1e-300), label=name
        )
    ax.set_xlabel("epoch (or L-BFGS iteration)")
    ax.set_ylabel("||dC/dW||")
    ax.legend(fontsize=8)
    return fig


def best_so_far_plot(
    values: Sequence[float],
    maximize: bool = True,
    optimum: float | None = None,
    label: str = "objective",
    batches: Sequence[int] | None = None,
) -> Figure:
    """Best result found so far against the number of experiments run."""
    values = np.asarray(values, float)
    filled = np.where(np.isnan(values), -np.inf if maximize else np.inf, values)
    best = np.maximum.accumulate(filled) if maximize else np.minimum.accumulate(filled)
    best = np.where(np.isfinite(best), best, np.nan)
    fig, ax = _figure(6.0, 3.8)
    runs = np.arange(1, len(values) + 1)
    # a result far out (a cost of 1,400 among costs of 1 to 5) would flatten the curve: the
    # axis spans the final best and the results within Tukey's outer fences
    final = np.isfinite(best) & (best == best[-1]) if len(best) else np.zeros(0, bool)
    low, high = _robust_limits(values, final & (values == best))
    if optimum is not None:
        low, high = min(low, optimum), max(high, optimum)
    shown = np.clip(values, low, high)
    off = np.isfinite(values) & (shown != values)
    ax.scatter(runs[~off], values[~off], s=14, color=GREY, label="each experiment")
    if off.any():
        ax.scatter(runs[off], shown[off], s=22, marker="^" if maximize else "v", color=GREY,
                   label=f"off the scale ({int(off.sum())}), at the edge")  # fmt: skip
    ax.step(runs, np.clip(best, low, high), where="post", color=BLUE, lw=2, label="best so far")
    pad = 0.05 * (high - low) if high > low else 1.0
    ax.set_ylim(low - pad, high + pad)
    if optimum is not None:
        ax.axhline(optimum, color=ORANGE, ls="--", lw=1.2, label="true optimum")
    if batches is not None:
        for start in batches:
            ax.axvline(start + 0.5, color=GREY, lw=0.5, alpha=0.5)
    ax.set_xlabel("experiments run")
    ax.set_ylabel(label)
    ax.legend(fontsize=8)
    return fig


def experiments_plot(
    frame: pd.DataFrame,
    columns: Sequence[str],
    color: str | None = None,
    log: Sequence[str] | None = None,
) -> Figure:
    """Pairwise scatter of the experiments over up to four numeric settings.

    With ``color``, the experiments are coloured by that column; those without a value
    (failed runs) are drawn as grey crosses, so that every run is seen and the axes span
    them all. The settings named in ``log`` are drawn on a logarithmic axis.
    """
    columns = list(columns)[:4]
    logged = {c for c in (log or ()) if c in columns and (frame[c].to_numpy(float) > 0).all()}
    k = len(columns)
    fig = Figure(figsize=(2.6 * max(k - 1, 1) + 1.0, 2.4 * max(k - 1, 1)))
    values = frame[color].to_numpy(float) if color else None
    missing = np.zeros(len(frame), bool) if values is None else np.isnan(values)
    ok = ~missing
    scatter = None

    def failed(ax, x, y, transform=None) -> None:
        if missing.any():
            extra = {} if transform is None else {"transform": transform}
            ax.scatter(x[missing], y[missing], marker="x", s=22, color=GREY, linewidth=1.0,
                       label="failed (no result)", zorder=3, **extra)  # fmt: skip

    for i in range(1, k):
        for j in range(i):
            ax = fig.add_subplot(k - 1, k - 1, (i - 1) * (k - 1) + j + 1)
            x, y = frame[columns[j]].to_numpy(float), frame[columns[i]].to_numpy(float)
            if ok.any():
                scatter = ax.scatter(
                    x[ok],
                    y[ok],
                    c=None if values is None else values[ok],
                    s=14,
                    cmap="viridis" if values is not None else None,
                    edgecolor="black",
                    linewidth=0.3,
                )
            failed(ax, x, y)
            if i == k - 1:
                ax.set_xlabel(columns[j])
            if j == 0:
                ax.set_ylabel(columns[i])
            for name, axis in ((columns[j], ax.xaxis), (columns[i], ax.yaxis)):
                if name in logged:
                    _log_axis(ax, axis)
            ax.grid(True, alpha=0.3)
    if k == 1:
        ax = fig.add_subplot()
        x = frame[columns[0]].to_numpy(float)
        if ok.any():
            scatter = ax.scatter(
                x[ok],
                values[ok] if values is not None else np.zeros(int(ok.sum())),
                s=14,
                c=None if values is None else values[ok],
                cmap="viridis" if values is not None else None,
            )
        # no value to place them at: along the bottom of the axes
        failed(ax, x, np.full(len(x), 0.02), ax.get_xaxis_transform())
        ax.set_xlabel(columns[0])
        if columns[0] in logged:
            _log_axis(ax, ax.xaxis)
    if color and scatter is not None:
        fig.colorbar(scatter, ax=fig.axes, label=color)
    if missing.any() and fig.axes:
        fig.axes[0].legend(fontsize=7, loc="best")
    return fig


def pareto_plot(Y: np.ndarray, front: np.ndarray, names: Sequence[str]) -> Figure:
    """Two objectives of every experiment, the non-dominated ones highlighted.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, 2)
    front : ndarray of bool, shape (n_samples,)
    names : (str, str)
    """
    Y = np.asarray(Y, float)
    front = np.asarray(front, bool)
    fig, ax = _figure(5.6, 4.4)
    # dominated runs far out (a cost of 1,400 among costs of 1 to 5) would flatten the
    # front to a line: the axes span the front and the runs within Tukey's outer fences,
    # and the others are drawn at the edge, counted on the plot
    limits = [_robust_limits(Y[:, j], front) for j in range(2)]
    shown = np.column_stack([np.clip(Y[:, j], *limits[j]) for j in range(2)])
    off = (shown != Y).any(axis=1)
    ax.scatter(shown[~front & ~off, 0], shown[~front & ~off, 1], s=16, color=GREY,
               label="dominated")  # fmt: skip
    if off.any():
        ax.scatter(shown[off, 0], shown[off, 1], s=22, marker=">", color=GREY,
                   label=f"dominated, off the scale ({int(off.sum())}), at the edge")  # fmt: skip
    order = np.argsort(Y[front, 0])
    ax.plot(Y[front, 0][order], Y[front, 1][order], "-o", color=ORANGE, ms=5, label="Pareto front")
    for j, (low, high) in enumerate(limits):
        pad = 0.05 * (high - low) if high > low else 1.0
        (ax.set_xlim if j == 0 else ax.set_ylim)(low - pad, high + pad)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend(fontsize=8)
    return fig


def _robust_limits(values: np.ndarray, front: np.ndarray) -> tuple[float, float]:
    """The range of the values marked by ``front`` (always shown) and of the others within
    Tukey's outer fences."""
    finite = np.isfinite(values)
    q1, q3 = np.percentile(values[finite], [25, 75]) if finite.any() else (0.0, 0.0)
    fence = 3.0 * (q3 - q1) if q3 > q1 else np.inf  # no spread: no outliers either
    inside = finite & (((values >= q1 - fence) & (values <= q3 + fence)) | front)
    kept = values[inside] if inside.any() else values[finite]
    return (float(kept.min()), float(kept.max())) if kept.size else (0.0, 1.0)
