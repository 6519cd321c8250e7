"""The course map, read from the notebooks themselves (so it can never drift from them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["course_map", "course_map_markdown"]

_MINUTES = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?\s*minutes", re.IGNORECASE)


def course_map(folder=".") -> list[dict]:
    """One entry per notebook ``NN_name.ipynb`` in ``folder``: number, file, title, minutes, keras.

    ``minutes`` is read from the first cell ("About 25 minutes"), ``keras`` is whether the notebook
    calls ``actlib.keras(``. Raises ValueError if the folder holds no course notebook.
    """
    folder = Path(folder)
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ValueError(f"course_map: expected notebooks named like 00_start_here.ipynb in {folder.name or '.'!r}; found none.")
    rows = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = "".join(nb["cells"][0]["source"]) if nb["cells"] else ""
        title = first.splitlines()[0].lstrip("# ").strip() if first else path.stem
        m = _MINUTES.search(first)
        minutes = (m.group(1) + (f"–{m.group(2)}" if m.group(2) else "")) if m else "?"
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        rows.append(dict(number=path.name[:2], file=path.name, title=title, minutes=minutes, keras="actlib.keras(" in code))
    return rows


def course_map_markdown(folder=".") -> str:
    """The course map as a Markdown table (display it with IPython.display.Markdown)."""
    lines = ["| # | notebook | minutes | needs TensorFlow |", "|---|---|---|---|"]
    for r in course_map(folder):
        lines.append(f"| {r['number']} | [{r['title']}]({r['file']}) | {r['minutes']} | {'yes' if r['keras'] else 'no'} |")
    return "\n".join(lines)
