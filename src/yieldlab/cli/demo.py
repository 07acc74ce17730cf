"""``yieldlab demo`` (a whole campaign on the built-in reactor) and ``yieldlab examples``
(the notes' worked examples) (layer 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from .app import AsJson, Seed, app, console, shell


def _notes_examples(seed: int) -> dict:
    """Run the notes' worked examples; return their numbers."""
    from ..engine.examples import GATES, fit_line, learn_gate, vanishing_gradient

    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, 50)
    y = 3.0 * x - 2.0 + rng.normal(size=50)
    line = fit_line(x, y, learning_rate=0.01, epochs=20000)
    gates = {}
    for gate, target in GATES.items():
        single = learn_gate(gate, random_state=seed)
        network = learn_gate(gate, hidden=2, random_state=seed)
        gates[gate] = {
            "target": target.astype(int).tolist(),
            "single_neuron": single.tolist(),
            "single_neuron_correct": int((single == target).sum()),
            "network_2_2_1": network.tolist(),
            "network_correct": int((network == target).sum()),
        }
    norms = {
        act: vanishing_gradient(act, random_state=seed).tolist() for act in ("sigmoid", "relu")
    }
    return {
        "line": {
            "w_gd": line.w_gd,
            "b_gd": line.b_gd,
            "w_exact": line.w_exact,
            "b_exact": line.b_exact,
        },
        "gates": gates,
        "gradient_norms": norms,
    }


def _print_examples(result: dict) -> None:
    line = result["line"]
    console.print("[bold]Gradient descent vs closed form[/bold] on y = 3x - 2 + noise (50 points)")
    table = Table("", "slope w", "intercept b")
    table.add_row("gradient descent", f"{line['w_gd']:.10f}", f"{line['b_gd']:.10f}")
    table.add_row("closed form", f"{line['w_exact']:.10f}", f"{line['b_exact']:.10f}")
    console.print(table)
    console.print("[bold]Logic gates[/bold]: outputs for inputs 00, 01, 10, 11")
    table = Table("gate", "target", "single neuron", "right", "2-2-1 network", "right")
    for gate, g in result["gates"].items():
        table.add_row(
            gate,
            str(g["target"]),
            str(g["single_neuron"]),
            f"{g['single_neuron_correct']}/4",
            str(g["network_2_2_1"]),
            f"{g['network_correct']}/4",
        )
    console.print(table)
    console.print("XOR is not linearly separable: no single neuron gets all four right.")
    console.print("[bold]Vanishing gradient[/bold]: ||dC/dW|| per layer, 8 hidden layers of 32")
    table = Table("layer", "sigmoid (Glorot)", "relu (He)")
    sig, relu = result["gradient_norms"]["sigmoid"], result["gradient_norms"]["relu"]
    for i, (a, b) in enumerate(zip(sig, relu, strict=True)):
        name = "output" if i == len(sig) - 1 else f"hidden {i + 1}"
        table.add_row(name, f"{a:.3e}", f"{b:.3e}")
    console.print(table)
    console.print(
        f"first/last hidden layer: sigmoid {sig[0] / sig[7]:.1e}, relu {relu[0] / relu[7]:.1e} "
        "(each sigmoid layer scales the signal by at most ||W||/4)"
    )


@app.command()
def examples(seed: Seed = 0, as_json: AsJson = False) -> None:
    """Run the notes' worked examples: gradient descent, logic gates, XOR, vanishing gradient.

    Example: yieldlab examples --seed 1
    """
    result = _notes_examples(seed)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_examples(result)


OutDir = Annotated[Path, typer.Option("--out", help="Folder for report.html and campaign.db.")]


def _story(result) -> list[str]:
    best = result.best
    settings = ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float | np.floating) else f"{k} {v}"
        for k, v in best.items()
    )
    levels = " x ".join(f"{n} {name}" for name, n in result.grid_levels.items())
    share = 100.0 * result.best_true_yield / result.true_best
    return [
        f"yieldlab ran {result.n_experiments} simulated experiments on the reactor in "
        f"{result.n_rounds} rounds: {result.n_initial} from a Latin hypercube design, then "
        f"{result.n_rounds - 1} rounds of {result.batch_size} suggested by its model.",
        f"Best yield measured: {result.best_yield:.1f}% ({settings}); its true yield is "
        f"{result.best_true_yield:.1f}%, {share:.1f}% of the simulator's optimum "
        f"{result.true_best:.1f}%.",
        f"A full grid of the same size ({result.grid_size} runs: {levels}) would have found "
        f"{result.grid_best:.1f}%.",
        f"Report: {result.report}   Campaign file: {result.campaign} (try: yieldlab status "
        f"{shell(result.campaign)}, and yieldlab best {shell(result.campaign)} for the "
        "model's best settings)",
    ]


@app.command()
def demo(out: OutDir = Path("yieldlab-demo"), seed: Seed = 0, as_json: AsJson = False) -> None:
    """Find the best settings of the built-in reactor with few experiments.

    Runs a whole campaign on a simulated reactor (temperature, residence time,
    concentration, catalyst -> yield): an initial design, rounds of suggested experiments,
    the optimum found. Writes OUT/report.html and OUT/campaign.db.

    Example: yieldlab demo --out demo --seed 1
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..report.demo import run_demo

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[best]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=as_json,
    ) as progress:
        task = progress.add_task("campaign", total=7, best="")

        def on_round(k: int, total: int, best: float) -> None:
            progress.update(
                task,
                completed=k,
                total=total,
                description=f"round {k}/{total}",
                best=f"best yield {best:.1f}%",
            )

        result = run_demo(out, seed=seed, on_round=on_round)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "experiments": result.n_experiments,
                    "rounds": result.n_rounds,
                    "best_settings": {
                        k: (v.item() if hasattr(v, "item") else v) for k, v in result.best.items()
                    },
                    "best_yield": result.best_yield,
                    "best_true_yield": result.best_true_yield,
                    "true_optimum": result.true_best,
                    "grid_best": result.grid_best,
                    "grid_size": result.grid_size,
                    "report": str(result.report),
                    "campaign": str(result.campaign),
                },
                indent=2,
            )
        )
        return
    for line in _story(result):
        console.print(line, highlight=False)
