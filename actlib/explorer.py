"""The activation explorer: pick an activation, move its parameters, compare it with another.

>>> from actlib import explorer
>>> w = explorer.activation_explorer("leaky_relu", compare="relu", alpha=0.1)
>>> w.alpha.value = 0.3                      # what a student's slider does
>>> w.state.label, w.state.compare_label
('leaky_relu (α = 0.30)', 'relu')
>>> w.activation.value = "elu"; w.alpha.layout.display, w.beta.layout.display
(None, 'none')
>>> w.set(activation="swish", beta=2.0, compare="none").label   # several controls, one redraw
'swish (β = 2.00)'

The widget is wiring only. What is drawn comes from two plain functions that tests and Check
cells call without a frontend:

* ``explorer_data(name, params, compare, compare_params, xlim, n)`` evaluates f and f' (and the
  comparison's) on a grid and chooses the y-limits;
* ``render(fig_state, data)`` updates one matplotlib Figure in place (made once by
  ``new_explorer_figure``) and returns the PNG bytes that the widget shows.

For readers on GitHub, where widgets do not render, show ``explorer_figure(...)`` (the same
picture as a static Figure) before the widget.

The y-limits stay put while a parameter slider moves: they cover the curves over the slider's
whole range, so the eye sees the curve change rather than the axes. They change only when the
activation or the comparison changes.
"""

from __future__ import annotations

import functools
import html
import io
import math
import numbers
import struct
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .plotting import color
from .registry import Activation, get, names

__all__ = [
    "ActivationExplorer",
    "ExplorerData",
    "ExplorerFigure",
    "ExplorerState",
    "activation_explorer",
    "card_html",
    "curve_label",
    "explorer_data",
    "explorer_figure",
    "explorer_names",
    "new_explorer_figure",
    "param_range",
    "range_latex",
    "render",
]

# ---------------------------------------------------------------------------------------------
# What the explorer knows about parameters (the registry has no public ranges; see param_range)

#: Slider range and step for each (activation, parameter): chosen for teaching, not the full
#: mathematical domain (ELU needs α > 0; Swish's β = 0 is x/2; PReLU's learned α may be negative).
PARAM_RANGES: dict[tuple[str, str], tuple[float, float, float]] = {
    ("leaky_relu", "alpha"): (0.0, 1.0, 0.01),
    ("prelu", "alpha"): (-1.0, 1.0, 0.01),
    ("elu", "alpha"): (0.1, 3.0, 0.05),
    ("swish", "beta"): (0.0, 10.0, 0.05),
}

#: The choices of non-numeric parameters: (label, value) pairs, in the order shown.
PARAM_CHOICES: dict[tuple[str, str], tuple[tuple[str, Any], ...]] = {
    ("gelu", "approximate"): (("exact (erf)", False), ("tanh", "tanh"), ("sigmoid", "sigmoid")),
}

_SYMBOL = {"alpha": "α", "beta": "β"}
_FONT = 12  # points; at dpi 96 that is 16 px, readable on a projector


def _num(value, fmt) -> str:
    """A number formatted with a true minus sign (−), as matplotlib's tick labels have it."""
    return format(value, fmt).replace("-", "−")


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def param_range(name: str, param: str) -> tuple[float, float, float]:
    """(min, max, step) of the slider for ``param`` of activation ``name``.

    From ``PARAM_RANGES`` for the built-in activations; for a parameter of an activation added
    with ``actlib.register``, a range around its default (0 to 3 × default for a positive
    default, ±1 for a zero default), so that new registry entries get a slider too.
    """
    act = get(name)
    if (act.name, param) in PARAM_RANGES:
        return PARAM_RANGES[act.name, param]
    if param not in act.params:
        raise ValueError(f"param_range: {act.name} has {', '.join(act.params) or 'no parameters'}; got {param!r}.")
    d = float(act.params[param])
    if d > 0:
        lo, hi = 0.0, 3.0 * d
    elif d < 0:
        lo, hi = 3.0 * d, -d
    else:
        lo, hi = -1.0, 1.0
    return lo, hi, float(f"{(hi - lo) / 100:.1g}")


def explorer_names() -> list[str]:
    """The activations the explorer offers: every registry entry that is a curve (not softmax)."""
    return [n for n in names() if get(n).elementwise]


def _canonical(name, func: str) -> Activation:
    act = get(name)
    if not act.elementwise:
        raise ValueError(
            f"{func}: {act.name} is a vector function (each output depends on the whole input vector), so it has no curve "
            f"to draw; notebook 05 explores it. Choose one of: {', '.join(explorer_names())}."
        )
    return act


def _bind(name, params: Mapping | None, func: str) -> Activation:
    """``actlib.get(name, **params)`` with the caller's function name in the error message."""
    try:
        act = _canonical(name, func)
        return get(act.name, **dict(params or {})) if params else act
    except (TypeError, ValueError) as exc:
        text = str(exc)
        if not text.startswith(func):
            text = f"{func}: " + text.removeprefix("actlib.get: ")
        raise type(exc)(text) from None


def curve_label(act: Activation) -> str:
    """Legend label with every parameter shown, e.g. ``elu (α = 0.50)`` or ``gelu (tanh approx.)``."""
    parts = []
    for k, v in act.params.items():
        if k == "approximate":
            parts.append("exact" if v is False else f"{v} approx.")
        elif _is_number(v):
            parts.append(f"{_SYMBOL.get(k, k)} = {_num(v, '.2f')}")
        else:
            parts.append(f"{k} = {v}")
    return act.name + (f" ({', '.join(parts)})" if parts else "")


def range_latex(act: Activation) -> str:
    """The output range as a LaTeX interval, e.g. ``[0, \\infty)``; ``"(-1, 1)"`` for tanh."""
    return act.output_range_latex


# ---------------------------------------------------------------------------------------------
# Data: pure functions of the parameters


@dataclass(frozen=True)
class ExplorerData:
    """What one frame of the explorer shows. ``g``/``dg`` are None without a comparison."""

    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    act: Activation
    label: str
    color: str
    g: np.ndarray | None = None
    dg: np.ndarray | None = None
    compare_act: Activation | None = None
    compare_label: str = ""
    compare_color: str = ""
    ylim_f: tuple[float, float] = (-1.0, 1.0)
    ylim_df: tuple[float, float] = (-0.1, 1.1)

    @property
    def max_grad(self) -> tuple[float, float]:
        """(x, f'(x)) where the activation's derivative is largest on the grid."""
        i = int(np.nanargmax(self.df))
        return float(self.x[i]), float(self.df[i])


def _limits(arrays, *, include=(0.0,), pad=(0.06, 0.06), min_span=0.1):
    """(lo, hi) covering the arrays and ``include``, with ``pad`` (below, above) as fractions of the span."""
    lo = min([*include, *(float(np.nanmin(a)) for a in arrays)])
    hi = max([*include, *(float(np.nanmax(a)) for a in arrays)])
    if hi - lo < min_span:  # a constant curve
        hi = lo + min_span
    span = hi - lo
    return lo - pad[0] * span, hi + pad[1] * span


_PAD_F = (0.06, 0.06)
_PAD_DF = (0.06, 0.2)  # room at the top of the derivative panel for the "max f'" note


def _varied(name, param, value) -> bool:
    """Whether the explorer has a control for this parameter (a slider or a set of choices)."""
    return _is_number(value) or (name, param) in PARAM_CHOICES


def _sweep(act: Activation, n_values=5):
    """The activation at its defaults and with each parameter moved across its control's range."""
    yield act
    for k, v in act.params.items():
        if _is_number(v):
            lo, hi, _ = param_range(act.name, k)
            values = [float(value) for value in np.linspace(lo, hi, n_values)]
        elif (act.name, k) in PARAM_CHOICES:
            values = [value for _, value in PARAM_CHOICES[act.name, k]]
        else:
            continue
        for value in values:
            try:
                yield act.with_params(**{k: value})
            except (TypeError, ValueError):  # a range end the activation refuses (α = 0 for ELU)
                continue


def _frozen(params: Mapping) -> tuple:
    return tuple(sorted((k, (type(v).__name__, v)) for k, v in params.items()))


@functools.lru_cache(maxsize=256)
def _stable_limits(name, frozen_fixed, compare, frozen_compare, xlim, n, _functions=None):
    """y-limits that hold while the main activation's controls move over their whole ranges.

    Depends only on the parameters that have no control (``frozen_fixed``), so moving a slider
    never changes the limits (unless the curve leaves them; see ``explorer_data``).
    ``_functions`` (the records' ``fn``) is part of the cache key only: an activation registered
    again under the same name gets fresh limits.
    """
    x = np.linspace(xlim[0], xlim[1], n)
    fs, dfs = [], []
    for a in _sweep(get(name, **{k: v for k, (_, v) in frozen_fixed})):
        fs.append(a(x))
        dfs.append(a.grad(x))
    if compare is not None:
        b = get(compare, **{k: v for k, (_, v) in frozen_compare})
        fs.append(b(x))
        dfs.append(b.grad(x))
    return _limits(fs, pad=_PAD_F), _limits(dfs, pad=_PAD_DF)


def _check_xlim(xlim, func):
    try:
        lo, hi = (float(v) for v in xlim)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: xlim must be a pair of numbers (lo, hi); got {xlim!r}.") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{func}: xlim must be two finite numbers with lo < hi; got {xlim!r}.")
    return lo, hi


def _check_n(n, func):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"{func}: n must be an integer >= 2 (grid points); got {n!r}.")
    return int(n)


def explorer_data(name="relu", params=None, compare=None, compare_params=None, xlim=(-5.0, 5.0), n=801, *, ylim="stable") -> ExplorerData:
    """Evaluate an activation (and a comparison) for one frame of the explorer.

    Args:
        name: a registry name or alias, or an ``Activation`` record.
        params: its parameters, e.g. ``{"alpha": 0.3}`` (defaults for the rest).
        compare: a second activation drawn dashed, or None / ``"none"``.
        compare_params: the comparison's parameters.
        xlim: the x-range; n: the number of grid points.
        ylim: ``"stable"`` (limits that cover every value of the parameter sliders, so they
            stay put while a slider moves) or ``"auto"`` (fit the curves drawn).

    Returns:
        An ``ExplorerData`` with the grid ``x``, ``f = act(x)``, ``df = act.grad(x)``, the same
        for the comparison (``g``, ``dg``), labels, colours and y-limits for both panels.

    >>> d = explorer_data("elu", {"alpha": 0.5}, compare="relu", n=5)
    >>> d.x
    array([-5. , -2.5,  0. ,  2.5,  5. ])
    >>> d.label, d.compare_label
    ('elu (α = 0.50)', 'relu')
    >>> bool((d.f == get("elu", alpha=0.5)(d.x)).all() and (d.dg == get("relu").grad(d.x)).all())
    True
    """
    func = "explorer_data"
    if ylim not in ("stable", "auto"):
        raise ValueError(f"{func}: ylim must be 'stable' or 'auto'; got {ylim!r}.")
    n = _check_n(n, func)
    xlim = _check_xlim(xlim, func)
    act = _bind(name, params, func)
    cmp_act = None if compare is None or compare == "none" else _bind(compare, compare_params, func)
    x = np.linspace(xlim[0], xlim[1], int(n))
    f, df = act(x), act.grad(x)
    g = dg = None
    if cmp_act is not None:
        g, dg = cmp_act(x), cmp_act.grad(x)
    values = [f] if g is None else [f, g]
    slopes = [df] if dg is None else [df, dg]
    if ylim == "stable":
        fixed = {k: v for k, v in act.params.items() if not _varied(act.name, k, v)}
        ylim_f, ylim_df = _stable_limits(
            act.name, _frozen(fixed), cmp_act and cmp_act.name, _frozen(cmp_act.params) if cmp_act else (), xlim, int(n),
            (act.fn, cmp_act and cmp_act.fn),
        )
        # the current curves are always inside (parameters given in code may leave the slider range)
        ylim_f = _limits(values, include=ylim_f, pad=(0.0, 0.0))
        ylim_df = _limits(slopes, include=ylim_df, pad=(0.0, 0.0))
    else:
        ylim_f, ylim_df = _limits(values, pad=_PAD_F), _limits(slopes, pad=_PAD_DF)
    return ExplorerData(
        x=x, f=f, df=df, act=act, label=curve_label(act), color=color(act.name),
        g=g, dg=dg, compare_act=cmp_act, compare_label=curve_label(cmp_act) if cmp_act else "",
        compare_color=color(cmp_act.name) if cmp_act else "", ylim_f=ylim_f, ylim_df=ylim_df,
    )


# ---------------------------------------------------------------------------------------------
# Drawing: one Figure, updated in place


@dataclass
class ExplorerFigure:
    """The Figure and the artists that ``render`` updates (made once by ``new_explorer_figure``).

    With ``blit=True`` the curves, markers, texts and legend are *animated* artists: ``render``
    draws the axes, ticks and grid once per set of limits, keeps that background, and per
    frame only pastes it back and draws the animated artists on top. A frame then costs the
    curves and the PNG encoding, not the tick labels.
    """

    fig: Figure
    ax_f: Any
    ax_df: Any
    f_line: Line2D
    df_line: Line2D
    g_line: Line2D
    dg_line: Line2D
    bound_lines: list
    min_marker: Line2D
    max_text: Any
    dpi: float
    blit: bool = True
    legend: Any = None
    png_kwargs: dict = field(default_factory=lambda: {"compress_level": 1})
    backgrounds: OrderedDict = field(default_factory=OrderedDict, repr=False)  # limits -> pixels of the axes
    max_backgrounds: int = 12  # about 1.4 MB each at the default size
    full_draws: int = 0

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the rendered image in pixels."""
        return self.fig.canvas.get_width_height()

    @property
    def dynamic(self) -> list:
        """The artists that change from frame to frame, in drawing order."""
        return [*self.bound_lines, self.dg_line, self.df_line, self.g_line, self.f_line, self.min_marker, self.max_text,
                *([self.legend] if self.legend is not None else [])]


def _break_at_kinks(x, y, act):
    """Insert NaN at each kink inside the grid, so the plot shows a jump of f' as a gap.

    The grid point at the kink itself stays on the side whose value the derivative takes there
    (the registry's kink convention), e.g. f'(0) = 0 joins ReLU's left branch.
    """
    if not act.kinks:
        return x, y
    xs, ys = x, y
    for k in sorted(act.kinks, reverse=True):
        if not xs[0] < k < xs[-1]:
            continue
        i = int(np.searchsorted(xs, k))  # xs[i-1] < k <= xs[i]
        if xs[i] == k and i + 1 < len(xs):
            at, left, right = ys[i], ys[i - 1], ys[i + 1]
            i = i + 1 if abs(at - left) <= abs(at - right) else i
        xs, ys = np.insert(xs, i, np.nan), np.insert(ys, i, np.nan)
    return xs, ys


def new_explorer_figure(size=(6.5, 5.5), dpi=96, *, blit=True) -> ExplorerFigure:
    """The explorer's Figure: f(x) above, f'(x) below, sharing x; not registered with pyplot.

    Fixed margins instead of constrained layout: solving the layout would cost more than the
    drawing on every update. ``blit=False`` gives an ordinary Figure (for ``savefig`` and
    notebook display); ``blit=True`` is for ``render``'s PNGs (see ``ExplorerFigure``).
    """
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.11, hspace=0.12)
    ax_f, ax_df = fig.subplots(2, 1, sharex=True)
    for ax, ylabel in ((ax_f, "$f(x)$"), (ax_df, "$f\\,'(x)$")):
        ax.axhline(0, color="0.55", lw=0.9, zorder=0)
        ax.axvline(0, color="0.55", lw=0.9, zorder=0)
        ax.grid(True, alpha=0.3)
        ax.set_ylabel(ylabel, fontsize=_FONT + 2)
        ax.tick_params(labelsize=_FONT - 1)
    ax_df.set_xlabel("$x$", fontsize=_FONT + 2)
    # fixed label positions: matplotlib otherwise measures every tick label to place them (~10% of a full draw)
    for ax in (ax_f, ax_df):
        ax.yaxis.set_label_coords(-0.105, 0.5)
    ax_df.xaxis.set_label_coords(0.5, -0.14)
    nan = [np.nan]
    f_line, = ax_f.plot(nan, nan, lw=2.8, zorder=3)
    g_line, = ax_f.plot(nan, nan, lw=2.4, ls="--", zorder=2)
    df_line, = ax_df.plot(nan, nan, lw=2.8, zorder=3)
    dg_line, = ax_df.plot(nan, nan, lw=2.4, ls="--", zorder=2)
    bound_lines = [ax_f.axhline(0, lw=1.3, ls=":", visible=False, zorder=1) for _ in range(2)]
    min_marker, = ax_f.plot(nan, nan, "o", ms=7, mec="white", mew=1.2, zorder=4)
    max_text = ax_df.text(0.015, 0.96, "", transform=ax_df.transAxes, va="top", ha="left", fontsize=_FONT - 1, zorder=5)
    fs = ExplorerFigure(fig, ax_f, ax_df, f_line, df_line, g_line, dg_line, bound_lines, min_marker, max_text, dpi, blit=blit)
    for artist in fs.dynamic:
        artist.set_animated(blit)
    return fs


def render(fig_state: ExplorerFigure, data: ExplorerData, *, png=True) -> bytes | None:
    """Draw ``data`` on the explorer's Figure in place and return the PNG (None if ``png=False``).

    Only artists' data, colours, limits and texts change; the Figure is never rebuilt. With
    ``fig_state.blit``, the axes are redrawn only when the limits change (see ``ExplorerFigure``).
    """
    fs, d = fig_state, data
    fs.f_line.set_data(d.x, d.f)
    fs.f_line.set_color(d.color)
    fs.df_line.set_data(*_break_at_kinks(d.x, d.df, d.act))
    fs.df_line.set_color(d.color)
    has_cmp = d.compare_act is not None
    for line, y, grad in ((fs.g_line, d.g, False), (fs.dg_line, d.dg, True)):
        line.set_visible(has_cmp)
        if has_cmp:
            line.set_data(*(_break_at_kinks(d.x, y, d.compare_act) if grad else (d.x, y)))
            line.set_color(d.compare_color)
    xlim = (float(d.x[0]), float(d.x[-1]))
    fs.ax_f.set_xlim(*xlim)
    fs.ax_f.set_ylim(*d.ylim_f)
    fs.ax_df.set_ylim(*d.ylim_df)

    # the output range's finite ends, dotted, and the minimum of a dip
    lo, hi = d.act.output_range
    for line, bound in zip(fs.bound_lines, (lo, hi), strict=True):
        shown = math.isfinite(bound) and bound != 0 and d.ylim_f[0] <= bound <= d.ylim_f[1]
        line.set_visible(shown)
        if shown:
            line.set_ydata([bound, bound])
            line.set_color(d.color)
    m = d.act.minimum
    shown = m is not None and d.x[0] <= m[0] <= d.x[-1]
    fs.min_marker.set_visible(shown)
    if shown:
        fs.min_marker.set_data([m[0]], [m[1]])
        fs.min_marker.set_color(d.color)
    x_max, g_max = d.max_grad
    plateau = np.count_nonzero(d.df >= g_max - 1e-12 * max(1.0, abs(g_max))) > 2  # ReLU: f' = 1 for all x > 0
    fs.max_text.set_text(f"max f′ = {_num(g_max, '.3f')}" + ("" if plateau else f" at x = {_num(x_max, '.2f')}"))

    if fs.legend is not None:
        fs.legend.remove()
    handles = [fs.f_line] + ([fs.g_line] if has_cmp else [])
    labels = [d.label] + ([d.compare_label] if has_cmp else [])
    fs.legend = fs.fig.legend(handles, labels, loc="upper center", ncols=len(handles), frameon=False,
                              fontsize=_FONT + 1, handlelength=2.4, bbox_to_anchor=(0.54, 1.0))
    fs.legend.set_animated(fs.blit)
    if not png:
        return None
    if not fs.blit:
        buf = io.BytesIO()
        fs.fig.savefig(buf, format="png", dpi=fs.dpi, pil_kwargs=fs.png_kwargs)
        return buf.getvalue()

    canvas = fs.fig.canvas
    key = (xlim, tuple(d.ylim_f), tuple(d.ylim_df), fs.size_px)
    if key in fs.backgrounds:  # limits seen before: paste the axes back
        fs.backgrounds.move_to_end(key)
        canvas.restore_region(fs.backgrounds[key])
    else:
        canvas.draw()  # everything but the animated artists
        fs.backgrounds[key] = canvas.copy_from_bbox(fs.fig.bbox)
        fs.full_draws += 1
        while len(fs.backgrounds) > fs.max_backgrounds:
            fs.backgrounds.popitem(last=False)
    renderer = canvas.get_renderer()
    for artist in fs.dynamic:
        if artist.get_visible():
            artist.draw(renderer)
    return _png(canvas, fs.png_kwargs)


def _png(canvas, png_kwargs) -> bytes:
    """Encode the Agg canvas as it stands (no redraw) as PNG: RGBA rows, no filter, zlib.

    About three times faster than Pillow's encoder with its per-row filters, and the file is
    about as small: a plot is mostly flat colour, which zlib compresses well unfiltered.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    h, w, _ = rgba.shape
    raw = np.zeros((h, 1 + 4 * w), dtype=np.uint8)  # each row: filter byte 0 ("none"), then its pixels
    raw[:, 1:] = rgba.reshape(h, 4 * w)
    level = png_kwargs.get("compress_level", 1)
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)),  # 8-bit RGBA, not interlaced
        _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
        _chunk(b"IEND", b""),
    ])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def explorer_figure(name="relu", compare=None, xlim=(-5.0, 5.0), *, compare_params=None, **params) -> Figure:
    """The explorer's picture as a static Figure: show it before the widget for readers on GitHub.

    Same arguments as ``activation_explorer``; the y-limits fit the curves drawn.
    """
    fs = new_explorer_figure(blit=False)
    render(fs, explorer_data(name, params, compare, compare_params, xlim, ylim="auto"), png=False)
    return fs.fig


# ---------------------------------------------------------------------------------------------
# The property card


def _card_rows(act: Activation) -> list[tuple[str, str]]:
    """(property, HTML) rows from the record's public fields; LaTeX stays in $...$ for MathJax."""
    esc = html.escape
    math_ = lambda tex: f"${esc(tex)}$"
    yes = lambda flag: "yes" if flag else "no"
    rows = [
        ("f(x)", math_(act.formula)),
        ("f′(x)", math_(act.derivative)),
        ("output range", math_(range_latex(act))),
        ("monotonic", yes(act.monotonic)),
        ("smooth (C¹)", yes(act.smooth)),
        ("zero-centred", yes(act.zero_centered)),
        ("kinks", esc(", ".join(f"x = {k:g}" for k in act.kinks) + f" ({act.kink_convention})") if act.kinks else "none"),
    ]
    if act.minimum is not None:
        rows.append(("minimum", f"f({_num(act.minimum[0], '.4f')}) = {_num(act.minimum[1], '.4f')}"))
    rows.append(("initializer", f"<code>{esc(act.init)}</code>"))
    keras = f"<code>{esc(act.keras_code)}</code>" if act.keras_code else "—"
    if act.keras_note:
        keras += f" <small>({esc(act.keras_note)})</small>"
    rows.append(("Keras", keras))
    rows.append(("paper", f"<small>{esc(act.reference)}</small>" if act.reference else "—"))
    return rows


def card_html(act: Activation, compare: Activation | None = None) -> str:
    """The property card as an HTML table (for ``ipywidgets.HTMLMath``), with a column per activation."""
    acts = [act] + ([compare] if compare is not None else [])
    rows = [_card_rows(a) for a in acts]
    td = 'style="text-align:left; vertical-align:top; padding:2px 8px;"'
    head = "".join(
        f'<th {td}><span style="color:{color(a.name)}">{"━━" if i == 0 else "╍╍"}</span> {html.escape(curve_label(a))}'
        f'<br><small style="font-weight:normal">{html.escape(a.description)}</small></th>'
        for i, a in enumerate(acts)
    )
    keys = dict.fromkeys(k for r in rows for k, _ in r)  # e.g. "minimum" when only one of them has a dip
    body = "".join(
        f"<tr><th {td}>{html.escape(key)}</th>" + "".join(f"<td {td}>{_lookup(r, key)}</td>" for r in rows) + "</tr>"
        for key in keys
    )
    return (
        '<div style="font-size:14px; line-height:1.35; overflow-x:auto;">'
        f'<table style="border-collapse:collapse;"><thead><tr><th {td}></th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _lookup(rows, key):
    return next((v for k, v in rows if k == key), "—")


# ---------------------------------------------------------------------------------------------
# The widget: wiring only


def error_html(text: str) -> str:
    """The red warning line the widgets show instead of raising in a callback."""
    return f'<span style="color:#b00020">⚠ {html.escape(text)}</span>'


def report_error(widget, exc: Exception) -> str:
    """Show ``exc`` in ``widget.message`` and record it in ``widget.state`` (a frozen dataclass with
    an ``error`` field, or None); the widget keeps its last good frame. Returns the error text.

    Errors raised in ipywidgets callbacks would otherwise vanish into JupyterLab's log console.
    """
    error = f"{type(exc).__name__}: {exc}"
    widget.message.value = error_html(error)
    if widget.state is not None:
        widget.state = replace(widget.state, error=error)
    return error


@dataclass(frozen=True)
class ExplorerState:
    """What the explorer draws now (a fresh snapshot after every update)."""

    name: str
    params: dict
    compare: str | None
    compare_params: dict
    label: str
    compare_label: str
    xlim: tuple[float, float]
    ylim_f: tuple[float, float]
    ylim_df: tuple[float, float]
    card: str
    error: str = ""


class ActivationExplorer(W.VBox):
    """The explorer widget; build it with ``activation_explorer``.

    Controls (set their ``.value`` from code as a student would with the mouse):
        activation: Dropdown over ``explorer_names()``.
        compare: Dropdown with ``"none"`` and every activation.
        alpha, beta: FloatSliders; approximate: ToggleButtons (GELU). A control is shown only
            when the chosen activation has that parameter (``layout.display`` is ``"none"``
            otherwise); ``controls`` maps every parameter name to its control, including
            sliders made for parameters of activations added with ``actlib.register``.
    ``set(activation=..., compare=..., alpha=...)`` moves several controls with one redraw.

    Output:
        figure_widget: ipywidgets.Image with the PNG; figure: the matplotlib Figure behind it;
        card: HTMLMath with the property card(s); message: HTML for errors;
        state: an ``ExplorerState``; data: the last ``ExplorerData``; n_updates: redraw count.
    """

    def __init__(self, name="relu", compare=None, xlim=(-5.0, 5.0), *, n=801, compare_params=None, **params):
        func = "activation_explorer"
        self._xlim = _check_xlim(xlim, func)
        self._n = _check_n(n, func)
        act = _bind(name, params, func)
        cmp_act = None if compare is None or compare == "none" else _bind(compare, compare_params, func)
        self._busy = False  # True while the controls are being reconfigured for another activation
        self._hold = 0  # > 0 inside set(): several controls move, one redraw
        self._memory: dict[str, dict] = {act.name: dict(act.params)}  # parameters per activation, kept across switches
        self._compare_params = dict(cmp_act.params) if cmp_act else {}
        self.n_updates = 0
        self.data: ExplorerData | None = None
        self.state: ExplorerState | None = None

        options = explorer_names()
        wide = {"description_width": "initial"}
        self.activation = W.Dropdown(options=options, value=act.name, description="activation", style=wide,
                                     layout=W.Layout(width="240px"))
        self.compare = W.Dropdown(options=["none", *options], value=cmp_act.name if cmp_act else "none",
                                  description="compare with", style=wide, layout=W.Layout(width="260px"))
        slider = dict(continuous_update=True, readout_format=".2f", style=wide)  # one Layout each: a shared one would hide both
        self.alpha = W.FloatSlider(description="α (alpha)", layout=W.Layout(width="300px"), **slider)
        self.beta = W.FloatSlider(description="β (beta)", layout=W.Layout(width="300px"), **slider)
        self.approximate = W.ToggleButtons(options=list(PARAM_CHOICES["gelu", "approximate"]), description="approximation",
                                           style={**wide, "button_width": "90px"})
        self.controls: dict[str, W.Widget] = {"alpha": self.alpha, "beta": self.beta, "approximate": self.approximate}
        self.no_params = W.HTML("<i>no parameters</i>")
        self._param_box = W.HBox([], layout=W.Layout(flex_flow="row wrap", min_height="36px"))

        self._fig = new_explorer_figure()
        width, height = self._fig.size_px
        self.figure_widget = W.Image(format="png", width=width, height=height,
                                     layout=W.Layout(width=f"{width}px", height=f"{height}px", flex="0 0 auto"))
        self.card = W.HTMLMath(layout=W.Layout(flex="1 1 360px", min_width="320px", max_width="760px"))
        self.message = W.HTML()

        self.activation.observe(self._on_activation, "value")
        self.compare.observe(self._on_compare, "value")
        for control in self.controls.values():
            control.observe(self._on_param, "value")

        super().__init__([
            W.HBox([self.activation, self.compare], layout=W.Layout(flex_flow="row wrap")),
            self._param_box,
            W.HBox([self.figure_widget, self.card], layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
            self.message,
        ])
        self._configure_controls(act.name)
        self.update(raise_errors=True)  # a first frame that fails is an error of the call, not of a slider

    # -- public helpers --------------------------------------------------------------------------
    def set(self, activation=None, compare=None, **params) -> ExplorerState:
        """Move controls from code with one redraw, e.g. ``w.set(activation="elu", alpha=0.5)``.

        ``compare`` takes a name or ``"none"``; ``params`` belong to the (new) activation.
        Returns the new state.
        """
        func = "ActivationExplorer.set"
        name = self.activation.value if activation is None else _canonical(activation, func).name
        if compare is not None and compare != "none":
            compare = _canonical(compare, func).name
        current = self._memory.get(name, dict(get(name).params))
        unknown = sorted(k for k in params if k not in current or not _varied(name, k, current[k]))
        if unknown:
            raise TypeError(f"{func}: {name} has {', '.join(current) or 'no parameters'}; got {', '.join(unknown)}.")
        _bind(name, {**current, **params}, func)  # refuse bad values before any control moves
        self._hold += 1
        try:
            self.activation.value = name
            if compare is not None:
                self.compare.value = compare
            for param, value in params.items():
                _put(self.controls[param], value)
        finally:
            self._hold -= 1
        self.update()
        return self.state

    def _repr_mimebundle_(self, **kwargs):
        """The widget, with a readable text fallback (what GitHub shows, as it cannot run widgets)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None and self.state is not None:
            shown = self.state.label + (f" vs {self.state.compare_label}" if self.state.compare else "")
            bundle["text/plain"] = f"[activation explorer: {shown}; run the notebook to use its controls]"
        return bundle

    @property
    def widget(self):
        """The explorer itself (it is the container), for symmetry with ``actlib.widgets``' explorers."""
        return self

    @property
    def figure(self) -> Figure:
        """The matplotlib Figure the image is rendered from (updated in place)."""
        return self._fig.fig

    @property
    def params(self) -> dict:
        """The chosen activation's current parameters."""
        return dict(self._memory[self.activation.value])

    @property
    def figure_state(self) -> ExplorerFigure:
        return self._fig

    # -- wiring ----------------------------------------------------------------------------------
    def _control_for(self, name, param, value):
        """The control of ``param``, made on first use for parameters of registered activations."""
        if param not in self.controls:
            if not _is_number(value):
                return None  # a parameter the explorer cannot vary: it stays at its value
            control = W.FloatSlider(description=param, continuous_update=True, readout_format=".3g",
                                    style={"description_width": "initial"}, layout=W.Layout(width="300px"))
            control.observe(self._on_param, "value")
            self.controls[param] = control
        return self.controls[param]

    def _configure_controls(self, name):
        """Show the chosen activation's controls with its ranges and remembered values."""
        params = self._memory.setdefault(name, dict(get(name).params))
        shown = []
        self._busy = True
        try:
            for param, value in params.items():
                control = self._control_for(name, param, value)
                if control is None:
                    continue
                if isinstance(control, W.FloatSlider):
                    lo, hi, step = param_range(name, param)
                    with control.hold_trait_notifications():  # min, max and value checked together at the end
                        control.min, control.max, control.step = lo, hi, step
                        _put(control, value)
                else:
                    control.value = value
                shown.append(control)
            for control in self.controls.values():
                control.layout.display = None if control in shown else "none"
            self._param_box.children = shown or [self.no_params]
        finally:
            self._busy = False

    def _on_activation(self, change):
        self._configure_controls(change["new"])
        self.update()

    def _on_compare(self, change):
        self._compare_params = {}
        self.update()

    def _on_param(self, change):
        if self._busy:
            return
        name = self.activation.value
        for param, control in self.controls.items():
            if control is change["owner"] and param in self._memory[name]:
                self._memory[name][param] = change["new"]
        self.update()

    def update(self, *, raise_errors=False):
        """Recompute the frame from the controls and redraw the image and the card.

        An error is shown in ``message`` (and ``state.error``) and the last good frame stays:
        exceptions in widget callbacks would otherwise vanish into JupyterLab's log console.
        """
        if self._hold:
            return
        name = self.activation.value
        compare = None if self.compare.value == "none" else self.compare.value
        try:
            data = explorer_data(name, self._memory[name], compare, self._compare_params, self._xlim, self._n)
            png = render(self._fig, data)
        except Exception as exc:
            if raise_errors:
                raise
            report_error(self, exc)
            return
        self.message.value = ""
        self.data = data
        self.figure_widget.value = png
        card = card_html(data.act, data.compare_act)
        if card != self.card.value:  # the browser typesets the card's LaTeX again on every change
            self.card.value = card
        self.state = ExplorerState(
            name=data.act.name, params=dict(data.act.params),
            compare=data.compare_act.name if data.compare_act else None,
            compare_params=dict(data.compare_act.params) if data.compare_act else {},
            label=data.label, compare_label=data.compare_label, xlim=self._xlim,
            ylim_f=data.ylim_f, ylim_df=data.ylim_df,
            card=data.act.card() + ("\n\n" + data.compare_act.card() if data.compare_act else ""),
        )
        self.n_updates += 1


def _put(control, value):
    """Set a control's value; a slider value beyond the range widens the range instead of being clamped."""
    if isinstance(control, W.FloatSlider):
        with control.hold_trait_notifications():
            control.min, control.max = min(control.min, value), max(control.max, value)
            control.value = value
    else:
        control.value = value


def activation_explorer(name="relu", compare=None, xlim=(-5, 5), **params) -> ActivationExplorer:
    """An explorer widget: an activation and its derivative, its parameters on sliders, a comparison.

    Args:
        name: the activation shown first (registry name, alias or record); softmax is not a curve
            and raises ``ValueError``.
        compare: a second activation drawn dashed (name or record), or None.
        xlim: the x-range drawn.
        **params: the first activation's parameters (``alpha=0.1``, ``beta=2.0``,
            ``approximate="tanh"``); ``compare_params={...}`` sets the comparison's.

    Returns:
        An ``ActivationExplorer`` (an ``ipywidgets.VBox``); see its docstring for the controls.

    >>> w = activation_explorer("gelu", compare="gelu", approximate="tanh")
    >>> w.state.label, w.state.compare_label
    ('gelu (tanh approx.)', 'gelu (exact)')
    """
    if isinstance(name, Activation):
        params = {**name.params, **params}
    compare_params = params.pop("compare_params", None)
    if isinstance(compare, Activation):
        compare_params = {**compare.params, **(compare_params or {})}
    return ActivationExplorer(name, compare, xlim, compare_params=compare_params, **params)
