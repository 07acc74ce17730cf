"""The layer rule of STYLE.md: a module imports only from its own layer or below.

The engine (layer 1) imports NumPy, SciPy and the standard library only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "yieldlab"

# first component below yieldlab/ -> layer
LAYERS = {
    "exceptions": 0,
    "_validation": 0,
    "_files": 0,
    "engine": 1,
    "models": 2,
    "modelling": 3,
    "experiments": 4,
    "simulators": 4,
    "report": 5,
    "demo": 5,
    "cli": 6,
    "__main__": 6,
}
ENGINE_ALLOWED = {"numpy", "scipy", "yieldlab"} | set(sys.stdlib_module_names)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _layer_of(parts: tuple[str, ...]) -> int:
    head = parts[0].removesuffix(".py")
    if head not in LAYERS:
        raise AssertionError(f"yieldlab.{head} has no layer; add it to LAYERS in {__file__}")
    return LAYERS[head]


def _imports(path: Path, source: str | None = None) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in ``path`` (or in ``source``)."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if package_parts[-1] != "__init__":
        package_parts = package_parts[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # `from yieldlab import models` imports the submodule itself
            found += [(f"{module}.{a.name}", node.lineno) for a in node.names]
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports(path: Path) -> None:
    own = _layer_of(path.relative_to(PACKAGE).parts)
    for module, line in _imports(path):
        parts = module.split(".")
        if parts[0] != "yieldlab" or len(parts) == 1:
            continue
        target = _layer_of(tuple(parts[1:]))
        assert target <= own, (
            f"{path.relative_to(PACKAGE)}:{line} (layer {own}) imports {module} (layer {target})"
        )


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if p.relative_to(PACKAGE).parts[0] == "engine"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_engine_imports_numpy_and_scipy_only(path: Path) -> None:
    for module, line in _imports(path):
        top = module.split(".")[0]
        assert top in ENGINE_ALLOWED, f"engine/{path.name}:{line} imports {module}"


def test_the_rule_catches_an_upward_import() -> None:
    """The checker itself must see a violation (a test that cannot fail is a defect)."""
    probe = PACKAGE / "engine" / "probe.py"
    imported = dict(_imports(probe, "from ..models import mlp\nimport pandas\n"))
    assert _layer_of(("models", "mlp")) > _layer_of(probe.relative_to(PACKAGE).parts)
    assert "yieldlab.models.mlp" in imported
    assert "pandas" in imported and "pandas" not in ENGINE_ALLOWED
