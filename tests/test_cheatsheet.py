"""The cheat sheet is generated from the registry, and the committed CHEATSHEET.md cannot go stale."""

import re
from pathlib import Path

import numpy as np
import pytest

import actlib
from actlib import cheatsheet

ROOT = Path(__file__).resolve().parents[1]
ROWS = cheatsheet.cheat_sheet_rows()
BY_NAME = {row["name"]: row for row in ROWS}


def test_committed_file_is_up_to_date():
    path = ROOT / "CHEATSHEET.md"
    assert path.exists(), "CHEATSHEET.md is missing: run python tools/cheatsheet.py"
    committed = path.read_text(encoding="utf-8")
    assert committed == cheatsheet.cheat_sheet_markdown(), "CHEATSHEET.md differs from the registry: run python tools/cheatsheet.py"
    assert "Generated" in committed and "python tools/cheatsheet.py" in committed, "the file should say it is generated, and how"


def test_every_registry_name_has_one_row():
    assert sorted(BY_NAME) == actlib.names() and len(ROWS) == len(actlib.names())
    table = cheatsheet.cheat_sheet_table()
    for name in actlib.names():
        assert f"| **{name}** |" in table, f"{name} is missing from the table"


@pytest.mark.parametrize("name", actlib.names())
def test_facts_come_from_the_registry(name):
    act, row = actlib.get(name), BY_NAME[name]
    assert row["formula"] == act.formula and row["output_range_latex"] == act.output_range_latex
    assert (row["monotonic"], row["smooth"], row["zero_centered"]) == (act.monotonic, act.smooth, act.zero_centered)
    assert (row["init"], row["keras"], row["keras_code"]) == (act.init, act.keras, act.keras_code)
    assert row["reference"] == act.reference
    if act.elementwise:
        assert row["grad_at_0"] == float(act.grad(0.0)), (
            f"{name}: φ′(0) should be act.grad(0.0) = {act.grad(0.0)}; the row has {row['grad_at_0']}"
        )
        assert row["at_kink"] == (0.0 in act.kinks)
        shown = float(row["grad_at_0_text"].rstrip("*"))
        assert shown == pytest.approx(row["grad_at_0"], rel=5e-4, abs=0), (
            f"{name}: the table shows φ′(0) = {shown}, the registry gives {row['grad_at_0']}"
        )
        assert f"| {row['grad_at_0_text']} |" in cheatsheet.cheat_sheet_table()
        assert row["grad_at_0_text"].endswith("*") == row["at_kink"], "a value at a kink is a convention and is marked *"
    else:
        assert row["grad_at_0"] is None


def test_kink_conventions():
    assert BY_NAME["relu"]["grad_at_0"] == 0.0 and BY_NAME["relu"]["grad_at_0_text"] == "0*"
    assert BY_NAME["leaky_relu"]["grad_at_0"] == 0.01 and BY_NAME["selu"]["grad_at_0"] == actlib.activations.SELU_LAMBDA
    assert BY_NAME["sigmoid"]["grad_at_0"] == 0.25 and BY_NAME["tanh"]["grad_at_0"] == 1.0 and BY_NAME["gelu"]["grad_at_0"] == 0.5
    assert not BY_NAME["elu"]["at_kink"], "ELU with α = 1 is smooth: 1 at 0 is a true derivative"
    assert "relu′(0) = 0" in cheatsheet.cheat_sheet_markdown(), "the notes state the convention at each kink"


@pytest.mark.parametrize("k", [2, 3, 7])
def test_softmax_jacobian_at_zero(k):
    np.testing.assert_allclose(actlib.get("softmax").grad(np.zeros(k)), (np.eye(k) - 1 / k) / k, atol=1e-15)


def _cells(line):
    """Split a Markdown table row on unescaped | (GitHub's rule, which ignores $...$ and `...`)."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_table_is_valid_markdown():
    lines = cheatsheet.cheat_sheet_table().splitlines()
    n = len(cheatsheet.COLUMNS)
    assert re.fullmatch(r"\|(---\|)+", lines[1]), "the second line is the delimiter row"
    for line in lines:
        assert line.startswith("| ") or line.startswith("|---"), line
        assert len(_cells(line)) == n, f"expected {n} cells, got {len(_cells(line))}: {line}"
        for math in re.findall(r"\$([^$]*)\$", line):
            assert "|" not in math, f"a bare or escaped | inside math breaks the row on GitHub or renders as ‖ in Jupyter: {math}"
        assert "\n" not in line
    assert len(lines) == 2 + len(ROWS)


def test_escaping():
    assert cheatsheet._escape_cell(r"$|x|$ or a|b") == r"$\vert x\vert $ or a\|b"
    row = dict(BY_NAME["relu"], formula=r"\frac{|x| + x}{2}")
    table = cheatsheet.cheat_sheet_table([row])
    assert len(_cells(table.splitlines()[2])) == len(cheatsheet.COLUMNS), "a | in a formula must not add a column"


def test_tool_check_mode():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "tools" / "cheatsheet.py"), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
