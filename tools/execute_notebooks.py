#!/usr/bin/env python
"""Execute course notebooks top to bottom in a fresh kernel and write the outputs in place.

This is the project's executor: every committed notebook's outputs come from it.

    python tools/execute_notebooks.py                     # all notebooks/NN_*.ipynb
    python tools/execute_notebooks.py notebooks/01_*.ipynb
    python tools/execute_notebooks.py --check             # execute, write nothing, fail on problems

For each notebook it starts a new kernel from the current environment with the notebook's folder
as working directory, runs every cell in order (execution counts 1, 2, 3, ...), and fails on
the first error. Afterwards it fails if any cell wrote to stderr (students would see a red box),
and it strips what must not be committed: widget state (``metadata.widgets``, which breaks
GitHub's renderer), per-cell execution timestamps and the kernel's machine-specific metadata.
It prints the wall time of each notebook and of the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PATH_PATTERN = re.compile(r"(/root/|/home/[a-z]|/Users/|/tmp/|/var/folders/|[A-Z]:\\\\Users)")


def clean(nb) -> None:
    """Remove state that must not be committed; give the notebook a neutral kernelspec."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    lang = nb.metadata.get("language_info", {})
    for key in ("version",):
        lang.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("transient", None)


def problems(nb) -> list[str]:
    """What would make the notebook fail the hygiene test."""
    found = []
    count = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        count += 1
        if cell.execution_count != count:
            found.append(f"cell {i}: execution_count {cell.execution_count}, expected {count}")
        for out in cell.outputs:
            if out.output_type == "error":
                found.append(f"cell {i}: error {out.ename}: {out.evalue}")
            if out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {i}: stderr output: {out.text[:200]!r}")
            if PATH_PATTERN.search(json.dumps(out)):
                found.append(f"cell {i}: output shows a machine path")
    return found


def execute(path: Path, timeout: int, write: bool) -> tuple[float, list[str]]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        elapsed = time.perf_counter() - start
        return elapsed, [f"execution failed:\n{exc}"]
    elapsed = time.perf_counter() - start
    clean(nb)
    found = problems(nb)
    if write and not found:
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return elapsed, found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: notebooks/[0-9]*.ipynb)")
    parser.add_argument("--check", action="store_true", help="execute without writing; fail on errors, stderr or paths")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        print("execute_notebooks: no notebooks found", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.pop("MPLBACKEND", None)  # the inline backend must be used for figures to be saved
    failed = 0
    total = time.perf_counter()
    print(f"{'notebook':<40} {'seconds':>8}  result")
    for path in paths:
        elapsed, found = execute(path.resolve(), args.timeout, write=not args.check)
        status = "ok" if not found else "FAILED"
        print(f"{path.name:<40} {elapsed:8.1f}  {status}", flush=True)
        for line in found:
            print("    " + line.replace("\n", "\n    "))
        failed += bool(found)
    print(f"{'total':<40} {time.perf_counter() - total:8.1f}  {len(paths) - failed}/{len(paths)} ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
