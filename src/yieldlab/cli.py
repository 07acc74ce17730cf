"""The ``yieldlab`` command line (layer 6): parse arguments, call one library function, print.

Exit codes: 0 on success, 1 on a user error (one line, no traceback), 2 on a usage error.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from .exceptions import YieldlabError

app = typer.Typer(
    name="yieldlab",
    help="Fit models to experiment tables, predict with uncertainty, and plan experiments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

SeedOption = Annotated[int, typer.Option("--seed", help="Random seed, for reproducible runs.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _notes_examples(seed: int) -> dict:
    """Run the notes' worked examples; return their numbers."""
    from .engine.examples import GATES, fit_line, learn_gate, vanishing_gradient

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
def examples(seed: SeedOption = 0, as_json: JsonOption = False) -> None:
    """Run the notes' worked examples: gradient descent, logic gates, XOR, vanishing gradient.

    Example: yieldlab examples --seed 1
    """
    result = _notes_examples(seed)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_examples(result)


@app.command()
def demo(seed: SeedOption = 0, as_json: JsonOption = False) -> None:
    """Run the main job on built-in data, no input needed.

    Example: yieldlab demo
    """
    examples(seed=seed, as_json=as_json)


def main() -> None:
    """Entry point of the ``yieldlab`` console script.

    Usage errors are Click's (exit 2, with the usage line); errors in the user's input
    or files print one line and exit 1, without a traceback.
    """
    try:
        app()
    except (YieldlabError, ValueError, TypeError, OSError, KeyError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        Console(stderr=True).print(
            f"error: {message}", style="red", highlight=False, soft_wrap=True
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
