"""Every committed notebook must look like the output of a clean top-to-bottom run.

What a student sees on GitHub comes from these files, so they are checked as files: execution
counts 1..N, outputs present, no errors, no stderr, no widget state, no machine paths, the
conventions of the course (title and learning goals first, setup through actlib, offline).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PATH_PATTERN = re.compile(r"(/root/|/home/[a-z]|/Users/|/tmp/|/var/folders/|/work/|site-packages)")
# keras.datasets.*.load_data() and get_file() download; actlib.keras_tools.load_data("mnist") is allowed: it falls
# back to the offline digits with a message when there is no network (tested in tests/test_keras_tools.py)
ONLINE = re.compile(
    r"(^\s*[!%]\s*pip\b|^\s*!\s*(wget|curl)\b|urlopen\(|requests\.get\(|datasets\.\w+\.load_data\(|get_file\(|hf_hub_download|from_pretrained\()",
    re.MULTILINE,
)
TF_IMPORT = re.compile(r"^\s*(import (tensorflow|keras)\b|from (tensorflow|keras)\b)", re.MULTILINE)


def test_the_hygiene_patterns_catch_what_they_should():
    assert ONLINE.search("(x, y), _ = keras.datasets.mnist.load_data()") and ONLINE.search("!pip install foo")
    assert ONLINE.search("path = keras.utils.get_file('a.npz', url)")
    assert not ONLINE.search('data = kt.load_data("digits")') and not ONLINE.search("X, y = load_digits(return_X_y=True)")
    assert TF_IMPORT.search("keras = actlib.keras(seed=0)\nimport tensorflow as tf") and TF_IMPORT.search("from keras import layers")
    assert not TF_IMPORT.search("from actlib import keras_tools as kt") and not TF_IMPORT.search("keras = actlib.keras(seed=0)")


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2, f"expected the course notebooks in notebooks/, found {[p.name for p in NOTEBOOKS]}"


SEQUENCE = {
    "00": "start_here", "01": "linearity_collapse", "02": "sigmoid_tanh", "03": "relu_family",
    "04": "smooth_activations", "05": "softmax_outputs", "06": "vanishing_exploding", "07": "initialization",
    "08": "normalization_dropout", "09": "keras_bakeoff", "10": "custom_learnable", "11": "playground",
    "12": "myths_and_choosing",
}  # the teaching order of DESIGN.md section 3


def test_named_and_numbered_in_teaching_order():
    for path in NOTEBOOKS:
        number, _, name = path.stem.partition("_")
        assert SEQUENCE.get(number) == name, f"{path.name}: the course sequence has {number}_{SEQUENCE.get(number)}.ipynb at this place"
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists(), "the course starts with 00_start_here.ipynb"


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request):
    return request.param, _load(request.param)


def test_execution_counts_are_1_to_n(notebook):
    path, nb = notebook
    counts = [c["execution_count"] for c in _code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: execution counts {counts} are not 1..{len(counts)}: re-run it with tools/execute_notebooks.py"


def test_outputs_present(notebook):
    path, nb = notebook
    cells = _code_cells(nb)
    with_output = [c for c in cells if c["outputs"]]
    assert len(with_output) >= len(cells) // 3, f"{path.name}: only {len(with_output)} of {len(cells)} code cells have outputs: was it committed without running?"
    images = [o for c in cells for o in c["outputs"] if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no figure in the outputs; every lesson shows at least one picture"


def test_no_errors_or_stderr(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} cell {i}: error output {out.get('ename')}: {out.get('evalue')}"
            is_stderr = out["output_type"] == "stream" and out["name"] == "stderr"
            assert not is_stderr, f"{path.name} cell {i}: stderr output {''.join(out['text'])[:200]!r}"


def test_no_widget_state_and_neutral_kernel(notebook):
    path, nb = notebook
    assert "widgets" not in nb["metadata"], f"{path.name}: metadata.widgets present (it breaks GitHub's renderer); run the executor"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec should be python3"


def test_no_machine_paths(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            text = json.dumps(out)
            match = PATH_PATTERN.search(text)
            assert not match, f"{path.name} cell {i}: output shows a machine path ({match.group(0)!r})"


def test_title_goals_and_setup(notebook):
    path, nb = notebook
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and first.startswith("# "), f"{path.name}: the first cell should be a markdown title"
    for word in ("learning goals", "prerequisites", "minutes"):
        assert word in first.lower(), f"{path.name}: the first cell should state the {word}"
    code = "\n".join("".join(c["source"]) for c in _code_cells(nb))
    assert "import actlib" in code and "actlib.require(" in code, f"{path.name}: the setup cell should import actlib and call actlib.require()"


def test_offline_and_quiet_keras(notebook):
    path, nb = notebook
    code = "\n".join("".join(c["source"]) for c in _code_cells(nb))
    match = ONLINE.search(code)
    assert not match, f"{path.name}: notebooks run offline; found {match.group(0)!r}"
    first = TF_IMPORT.search(code)  # `from actlib import keras_tools` is not one: it imports no TensorFlow
    if first:
        first_tf = first.start()
        quiet = code.find("actlib.keras(")
        assert 0 <= quiet < first_tf, f"{path.name}: get Keras through actlib.keras() before importing TensorFlow, or students see red log lines"


def test_every_notebook_is_in_the_readme_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert path.name in readme, f"README.md: the notebook map should link {path.name}"


def test_readme_map_matches_the_notebooks():
    from actlib.course import course_map

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        m = re.match(r"\| (\d\d) \| \[[^\]]+\]\(notebooks/([^)]+)\) \|.*\| ([\d–-]+) \| (yes|no) \|$", line)
        if m:
            rows[m.group(2)] = (m.group(3), m.group(4) == "yes")
    for entry in course_map(ROOT / "notebooks"):
        assert entry["file"] in rows, f"README.md: no map row for {entry['file']}"
        minutes, keras = rows[entry["file"]]
        assert minutes == entry["minutes"], f"README.md says {entry['file']} takes {minutes} minutes; the notebook says {entry['minutes']}"
        assert keras == entry["keras"], f"README.md says {entry['file']} needs TensorFlow: {keras}; the notebook {'does' if entry['keras'] else 'does not'} call actlib.keras()"


def test_links_between_notebooks_resolve(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", "".join(cell["source"])):
                assert (path.parent / target).exists(), f"{path.name} cell {i}: links to {target}, which does not exist (yet)"
