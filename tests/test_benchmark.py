"""Smoke test of tools/benchmark.py: its sections run and its report has the promised structure.

Fast (a few seconds): small arrays, one import, no kernels. The real run is
``python tools/benchmark.py``; its budgets are measured there, never asserted here.
"""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

import actlib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "tools" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(bench):
    sections = {
        "activations": bench._section("activations", bench.bench_activations, size=3000, repeats=2),
        "import": bench._section("import", bench.bench_import, repeats=1),
    }
    return {"machine": bench.machine_info(), "sections": sections}


def test_every_elementwise_activation_and_derivative_is_compared_in_both_dtypes(bench, results):
    rows = results["sections"]["activations"]["rows"]
    seen = {(r["function"], r["dtype"]) for r in rows}
    elementwise = [n for n in actlib.names() if actlib.get(n).elementwise]
    for name in elementwise:
        for label in (name, name + "'"):
            for dtype in ("float32", "float64"):
                assert (label, dtype) in seen, f"no benchmark row for {label} in {dtype}"
    assert ("softmax", "float32") in seen and ("softmax' (Jacobian)", "float64") in seen
    assert not results["sections"]["activations"]["notes"], results["sections"]["activations"]["notes"]
    for r in rows:
        assert r["actlib_ms"] > 0 and r["plain_ms"] > 0
        assert r["ratio"] == pytest.approx(r["actlib_ms"] / r["plain_ms"], rel=0.01, abs=0.01)
        assert r["candidates"][r["plain_expr"]]["grade"] == "accurate", f"{r['function']}: the baseline must be as accurate as actlib"
        assert r["pass"] == (r["ratio"] <= bench.BUDGETS["activation_ratio"])


def test_plain_expressions_are_graded_against_actlib(bench):
    import numpy as np
    from scipy import special

    sig = actlib.get("sigmoid")
    assert bench.grade(special.expit, sig, np.float64) == ("accurate", "")
    naive_tanh = lambda x: 0.5 * np.tanh(0.5 * x) + 0.5  # right for moderate x, 0 instead of 1.8e-35 at x = -80
    assert bench.grade(naive_tanh, sig, np.float32)[0] == "less accurate"
    assert bench.grade(np.tanh, sig, np.float64)[0] == "rejected"


def test_import_section_runs_in_a_fresh_interpreter(results):
    (row,) = results["sections"]["import"]["rows"]
    assert row["tensorflow_imported"] is False, "import actlib must not import TensorFlow"
    assert row["from_working_tree"] and 0 < row["best_s"] < 60


def test_report_has_a_table_per_section_with_a_result_column(bench, results):
    md = bench.render_markdown(results)
    for heading in ("# Benchmarks", "## Budgets", "## import actlib", "## Activations vs plain NumPy/SciPy"):
        assert f"\n{heading}\n" in f"\n{md}", f"missing {heading!r}"
    assert "load average" in md and results["machine"]["numpy"] in md
    table = [line for line in md.split("## Activations")[1].splitlines() if line.startswith("| ")]
    header, body = table[0], table[1:]
    assert "| ratio |" in header and "| result |" in header
    assert len(body) == len(results["sections"]["activations"]["rows"])
    assert all(("| PASS |" in line) != ("| MISS |" in line) for line in body)
    budgets = {b["budget"]: b for b in bench.evaluate_budgets(results)}
    assert budgets["import actlib"]["pass"] in (True, False)  # a measurement, not a timed test: only its presence is checked
    assert "activation vs plain NumPy (worst)" in budgets
    assert bench.readme_section(results).startswith("## Benchmarks\n")


def test_comparison_flags_a_regression_beyond_noise(bench, results):
    import copy

    slower = copy.deepcopy(results)
    row = slower["sections"]["activations"]["rows"][0]
    row["actlib_ms"] = row["actlib_ms"] * 2 + 1.0
    row["ratio"] += 1.0
    flagged = {r["metric"] for r in bench.compare(slower, results) if r["regression"]}
    key = f"{row['function']} {row['dtype']}"
    assert flagged == {f"{key} actlib", f"{key} ratio"}
    assert not any(r["regression"] for r in bench.compare(results, results))


def test_floor_notebook_keeps_only_the_setup(bench):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("import nothing"),
        nbformat.v4.new_code_cell('%matplotlib inline\nimport numpy as np\nimport actlib\nactlib.require("0.1")\nx = np.ones(3)'),
        nbformat.v4.new_code_cell("keras = actlib.keras(seed=0)\nimport tensorflow as tf\nmodel = keras.Sequential()"),
        nbformat.v4.new_code_cell("def f():\n    import os\nimport numpy as np"),
    ])
    assert bench.setup_source(nb) == 'import numpy as np\nimport actlib\nactlib.require("0.1")\nkeras = actlib.keras(seed=0)\nimport tensorflow as tf'
    assert bench.uses_keras(nb)


def test_readme_section_is_appended_then_replaced(bench, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Course\n\n## Contributing\n\ntext\n")
    bench.update_readme("## Benchmarks\n\nfirst\n", readme)
    bench.update_readme("## Benchmarks\n\nsecond\n", readme)
    assert readme.read_text() == "# Course\n\n## Contributing\n\ntext\n\n## Benchmarks\n\nsecond\n"
