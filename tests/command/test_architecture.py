"""The house rules the tree keeps: imports run one way (pyproject's import-linter contracts), and no
module of the package grows past 600 lines. The contracts are tried against a forbidden import too,
so a check that cannot fail would show here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 600

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (pip install -e '.[dev]')")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter over the `builder` package found at `root`, with `root`'s pyproject contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache", str(root / "pyproject.toml")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


def copy_of_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "builder", tmp_path / "builder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")


def test_the_contracts_hold() -> None:
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("writers/pdf/paragraph.py", "import builder.workbook.reader", "Writers draw the document tree"),
        ("writers/docx/tables.py", "import builder.writers.pdf.linebreak", "No writer imports another"),
        ("writers/html/charts.py", "import builder.writers.pdf.assemble", "No writer imports another"),
        ("document/walk.py", "import builder.model.numbers", "Stages import downwards only"),
        ("model/numbers.py", "import builder.compose.printing", "The tree and the model import no stage"),
        ("model/values.py", "import builder.workbook.schema", "Stages import downwards only"),
        ("compose/visuals.py", "import builder.writers.layout", "Stages import downwards only"),
        ("reprint/diff.py", "import builder.command.pipeline", "Stages import downwards only"),
        ("figures/derived.py", "import openpyxl", "Only the workbook stage imports openpyxl"),
    ],
    ids=["writer-reads-workbook", "writer-uses-writer", "page-uses-pdf-writer", "tree-uses-model", "model-uses-composing", "model-uses-stage", "composer-uses-writer",
         "reprint-uses-command", "figures-use-openpyxl"],
)
def test_a_forbidden_import_breaks_its_contract(module: str, line: str, contract: str, tmp_path: Path) -> None:
    root = copy_of_package(tmp_path)
    add_import(root / "builder" / module, line)
    run = lint(root)
    assert run.returncode != 0, run.stdout
    broken = [row for row in run.stdout.splitlines() if row.endswith("BROKEN")]
    assert broken, run.stdout
    assert contract in run.stdout.split("Broken contracts")[-1], run.stdout


def test_an_import_cycle_breaks_the_contracts(tmp_path: Path) -> None:
    root = copy_of_package(tmp_path)
    add_import(root / "builder" / "model" / "values.py", "import builder.model.figures")  # which imports values
    run = lint(root)
    assert run.returncode != 0 and "No import cycle" in run.stdout.split("Broken contracts")[-1], run.stdout


def test_no_module_is_longer_than_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "builder").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
