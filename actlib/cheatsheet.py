"""The cheat sheet: one row per registry activation, generated from the registry itself.

>>> from actlib import cheatsheet
>>> row = {r["name"]: r for r in cheatsheet.cheat_sheet_rows()}["relu"]
>>> row["grad_at_0"], row["at_kink"], row["init"]
(0.0, True, 'he_normal')

``cheat_sheet_rows()`` gives the facts as dicts (for code and tests), ``cheat_sheet_table()`` the
Markdown table (for a notebook: ``IPython.display.Markdown(cheatsheet.cheat_sheet_table())``) and
``cheat_sheet_markdown()`` the whole document that ``python tools/cheatsheet.py`` writes to
``CHEATSHEET.md``: the table, the conventions, the Keras notes and the full references.

Every value comes from the public fields of ``actlib.get(name)`` (formula, output range, flags,
initializer, Keras spelling, paper); the derivative at 0 is computed, ``act.grad(0.0)``. Where 0
is a kink, that value is a convention (the one TensorFlow uses), and the table marks it with *.
"""

from __future__ import annotations

import re

import numpy as np

from .registry import get, names

__all__ = ["cheat_sheet_markdown", "cheat_sheet_rows", "cheat_sheet_table"]

#: The table's columns: (heading, row key).
COLUMNS = (
    ("activation", "name"),
    ("formula", "formula"),
    ("range", "output_range_latex"),
    ("φ′(0)", "grad_at_0_text"),
    ("monotone", "monotonic"),
    ("smooth", "smooth"),
    ("zero-centred", "zero_centered"),
    ("initializer", "init"),
    ("Keras", "keras"),
    ("paper", "reference_short"),
)

#: The order of the table: the course's order (output functions, the ReLU family, the smooth ones);
#: activations registered later (your own) follow, alphabetically.
ORDER = ("linear", "sigmoid", "tanh", "softmax", "relu", "leaky_relu", "prelu", "elu", "selu", "softplus", "swish", "gelu", "mish")

#: How to rebuild the committed file (shown in its header).
REGENERATE = "python tools/cheatsheet.py"

_SOFTMAX_K = (2, 3, 4, 5)  # sizes at which the softmax Jacobian at 0 is checked against the registry
_CITATION = re.compile(r"^(?:as [^:]+:\s*)?(?P<who>[^()]+?\s*\((?P<year>\d{4})\))")
_URL = re.compile(r"https?://\S+?(?=[;,]?\s|[;,]?$)")


def _softmax_jacobian_at_zero(k: int) -> np.ndarray:
    """The closed form (δ_ij − 1/K)/K of the softmax Jacobian at the zero vector."""
    return (np.eye(k) - 1.0 / k) / k


def _grad_at_zero(act):
    """(value, text, at_kink): φ′(0) from the registry, as a number and as table text."""
    if not act.elementwise:  # softmax: a Jacobian; verify the closed form against the registry
        for k in _SOFTMAX_K:
            got = act.grad(np.zeros(k))
            if not np.allclose(got, _softmax_jacobian_at_zero(k), rtol=1e-12, atol=1e-15):
                raise ValueError(f"cheat_sheet_rows: {act.name}'s Jacobian at 0 is not (δ_ij − 1/K)/K for K = {k}; got {got!r}.")
        return None, r"$\tfrac{1}{K}\bigl(\delta_{ij} - \tfrac{1}{K}\bigr)$", False
    value = float(act.grad(0.0))
    at_kink = any(k == 0.0 for k in act.kinks)
    text = _number(value) + ("*" if at_kink else "")
    return value, text, at_kink


def _number(v: float) -> str:
    """A short decimal: 0, 1, 0.25, 0.01, 1.051."""
    if v == 0:
        return "0"
    return f"{v:.4g}"


def _short_reference(reference: str) -> tuple[str, str | None]:
    """('[Authors (year)](url); Authors (year)', first URL or None) from a registry reference string."""
    cites = []
    for part in (p.strip() for p in reference.split(";")):
        m = _CITATION.match(part)
        if m:
            who = " ".join(m.group("who").split())
            url = _URL.search(part)
            cites.append(f"[{who}]({url.group(0)})" if url else who)
    first_url = _URL.search(reference)
    return "; ".join(cites), (first_url.group(0) if first_url else None)


def cheat_sheet_rows() -> list[dict]:
    """One dict per registry activation (every name in ``actlib.names()``, in the course's order), with the facts the cheat sheet shows.

    Keys: ``name``, ``description``, ``formula`` (LaTeX), ``output_range`` (lo, hi),
    ``output_range_latex``, ``grad_at_0`` (``act.grad(0.0)`` as a float; ``None`` for softmax,
    whose derivative is a Jacobian), ``grad_at_0_text``, ``at_kink`` (0 is a kink, so the value
    is a convention), ``kink_convention``, ``monotonic``, ``smooth``, ``zero_centered``, ``init``,
    ``keras`` (the identifier Keras accepts), ``keras_code``, ``keras_note``, ``reference``,
    ``reference_short`` ("Authors (year)", as a Markdown link where the paper has a URL) and
    ``reference_url`` (the first URL, or ``None``).
    """
    registered = names()
    rows = []
    for name in [n for n in ORDER if n in registered] + sorted(set(registered) - set(ORDER)):
        act = get(name)
        grad0, grad0_text, at_kink = _grad_at_zero(act)
        short, url = _short_reference(act.reference)
        rows.append(
            dict(
                name=act.name,
                description=act.description,
                formula=act.formula,
                output_range=tuple(act.output_range),
                output_range_latex=act.output_range_latex,
                grad_at_0=grad0,
                grad_at_0_text=grad0_text,
                at_kink=at_kink,
                kink_convention=act.kink_convention if at_kink else "",
                monotonic=act.monotonic,
                smooth=act.smooth,
                zero_centered=act.zero_centered,
                init=act.init,
                keras=act.keras,
                keras_code=act.keras_code,
                keras_note=act.keras_note,
                reference=act.reference,
                reference_short=short,
                reference_url=url,
            )
        )
    return rows


def _escape_cell(text: str) -> str:
    """Table-cell text: ``|`` outside math becomes ``\\|``; inside ``$...$`` it becomes ``\\vert``.

    GitHub splits table rows on every unescaped ``|``, even inside math, while Jupyter protects
    math before it parses the table (so ``\\|`` inside math would render as ‖ there). ``\\vert``
    is the same bar in LaTeX and contains no ``|``, so it renders the same in both.
    """
    pieces = text.split("$")
    for i, piece in enumerate(pieces):
        if i % 2:  # inside math
            pieces[i] = piece.replace(r"\|", r"\Vert ").replace("|", r"\vert ")
        else:
            pieces[i] = re.sub(r"(?<!\\)\|", r"\\|", piece)
    return "$".join(pieces).replace("\n", " ")


def _cell(row: dict, key: str) -> str:
    value = row[key]
    if key == "name":
        return f"**{value}**"
    if key in ("formula", "output_range_latex"):
        return f"${value}$"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "init":
        return f"`{value}`"
    if key == "keras":
        if value is None:
            return "—"
        if row["keras_code"].startswith("keras.layers."):  # a layer (PReLU), not an activation= string
            text = f"`{row['keras_code']}`"
            return text + (" †" if row["keras_note"] else "")
        plain = f"keras.activations.{value}(x)"
        text = f'`"{value}"`'
        if row["keras_code"] and row["keras_code"] != plain:
            text += f" · `{row['keras_code']}`"
        if row["keras_note"]:
            text += " †"
        return text
    if key == "reference_short":
        if not value:
            return "—"
        return value
    return str(value)


def cheat_sheet_table(rows: list[dict] | None = None) -> str:
    """The cheat sheet as one Markdown table (every row has the same number of cells)."""
    rows = cheat_sheet_rows() if rows is None else rows
    lines = ["| " + " | ".join(h for h, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(_escape_cell(_cell(row, key)) for _, key in COLUMNS) + " |")
    return "\n".join(lines)


_CONVENTION = re.compile(r"taken as (?P<value>[^,]+), (?P<whose>.+)$")


def _conventions(kinked: list[dict]) -> str:
    """'relu′(0) = 0, leaky_relu′(0) = α (TensorFlow's convention)' from the rows' kink_convention texts."""
    matches = [_CONVENTION.search(r["kink_convention"]) for r in kinked]
    if matches and all(matches) and len({m.group("whose") for m in matches}) == 1:
        values = ", ".join(f"{r['name']}′(0) = {m.group('value')}" for r, m in zip(kinked, matches, strict=True))
        return f"{values} ({matches[0].group('whose')})"
    return "; ".join(f"for {r['name']}, {r['kink_convention']}" for r in kinked)


def _notes(rows: list[dict]) -> list[str]:
    kinked = [r for r in rows if r["at_kink"]]
    lines = [
        "**Reading the table.**",
        "",
        "- *range*: the set of outputs; `[` includes the end point (the minimum of a dip below zero), `(` does not.",
        "- *φ′(0)*: computed by `actlib.get(name).grad(0.0)`. A `*` marks a kink at 0, where no derivative exists"
        " and the value is a convention: " + _conventions(kinked) + "."
        " For softmax, the entry (i, j) of the Jacobian ∂p_i/∂x_j at the zero vector of length K.",
        "- *monotone*: never decreases. *smooth*: continuously differentiable everywhere."
        " *zero-centred*: mean output within 0.05 of 0 for standard normal input.",
        "- *initializer*: the Keras `kernel_initializer` the activation is designed for.",
        "- *Keras*: the string for `activation=`, then, where it differs, the spelling with every parameter"
        " explicit (the defaults of Keras and of this course differ); PReLU is a layer. † marks a note below.",
    ]
    notes = [r for r in rows if r["keras_note"]]
    if notes:
        lines += ["", "**Keras notes (†).**", ""]
        lines += [f"- **{r['name']}**: {r['keras_note']}." for r in notes]
    return lines


def cheat_sheet_markdown(*, header: bool = True) -> str:
    """The whole cheat sheet as a Markdown document: table, how to read it, Keras notes, references.

    ``header=True`` starts with the title and a note that the file is generated (what
    ``CHEATSHEET.md`` holds); ``header=False`` leaves both out (for display in a notebook).
    """
    rows = cheat_sheet_rows()
    lines = []
    if header:
        lines += [
            "# Activation functions: cheat sheet",
            "",
            "<!-- Generated from actlib's registry by `" + REGENERATE + "`; do not edit by hand."
            " tests/test_cheatsheet.py fails when this file and the registry disagree. -->",
            "",
            f"Generated from the `actlib` registry (`actlib.cheatsheet.cheat_sheet_markdown()`); to regenerate, run `{REGENERATE}`."
            " Notebook [12 · Myths and choosing](notebooks/12_myths_and_choosing.ipynb) shows it next to a guide to choosing.",
            "",
        ]
    lines += [cheat_sheet_table(rows), ""]
    lines += _notes(rows)
    lines += ["", "**References.**", ""]
    lines += [f"- **{r['name']}**: {r['reference']}" for r in rows if r["reference"] and r["reference_short"]]
    return "\n".join(lines) + "\n"
