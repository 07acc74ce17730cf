"""The examples in README.md and docs/*.md run, in order, as a new user would type them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [p for p in DOCS if python_blocks(p)], ids=lambda p: p.name)
def test_python_examples_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(path), start=1):
        try:
            exec(compile(block, f"{path.name} block {number}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{path.name}, python block {number} failed: {exc!r}\n{block}")


def test_readme_quick_start_is_the_ci_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line for line in quick.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "yieldlab demo" in commands[0]
    assert commands[1] in ci.splitlines()


YAML = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize(
    "path", [p for p in DOCS if YAML.findall(p.read_text())], ids=lambda p: p.name
)
def test_space_files_in_the_docs_are_read(path, tmp_path):
    from yieldlab.experiments.spacefile import read_space_file

    for number, text in enumerate(YAML.findall(path.read_text(encoding="utf-8")), start=1):
        if "parameters:" not in text:
            continue
        (tmp_path / "space.yaml").write_text(text, encoding="utf-8")
        space, objectives = read_space_file(tmp_path / "space.yaml")
        assert len(space.names) >= 1 and objectives, f"{path.name}, yaml block {number}"
