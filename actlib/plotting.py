"""Plots shared across the course: one colour per activation everywhere.

Functions take an optional ``ax``/``axes``, return the Figure, and never call ``plt.show()``.
Figures are created with ``matplotlib.figure.Figure`` (not pyplot), so a notebook shows each
figure exactly once (as the cell's value) and widgets can redraw without leaking figures.
"""

from __future__ import annotations

import zlib

import numpy as np
from matplotlib.figure import Figure

from .registry import Activation, get

__all__ = ["COLORS", "color", "new_figure", "plot_activations", "style_axis"]

#: The course's colour for each activation (colour-blind-friendly, families share a hue).
COLORS = {
    "linear": "#7f7f7f",
    "sigmoid": "#0072b2",
    "tanh": "#56b4e9",
    "relu": "#d55e00",
    "leaky_relu": "#e69f00",
    "prelu": "#cc79a7",
    "elu": "#009e73",
    "selu": "#1b5e20",
    "softplus": "#8c564b",
    "swish": "#9467bd",
    "gelu": "#bcbd22",
    "mish": "#e7298a",
    "softmax": "#17becf",
}


def _register_notebook_display():
    """Show a returned Figure as a PNG in IPython even if pyplot never created a figure.

    matplotlib resolves its backend lazily, so the inline backend (which registers the PNG
    formatter for Figures) is not loaded until pyplot makes a figure. Register it here.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # pragma: no cover - IPython is always there in the course
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    if Figure not in shell.display_formatter.formatters["image/png"].type_printers:
        select_figure_formats(shell, {"png"}, bbox_inches="tight")


_register_notebook_display()
_EXTRA = ["#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354"]
_DASHES = ["-", "--", "-.", ":"]


def color(name) -> str:
    """The course's colour for an activation (name, alias or record); stable for custom ones."""
    if isinstance(name, Activation):
        name = name.name
    try:
        key = get(name).name
    except (ValueError, TypeError):
        key = str(name)
    if key in COLORS:
        return COLORS[key]
    return _EXTRA[zlib.crc32(key.encode()) % len(_EXTRA)]


def new_figure(ncols=1, nrows=1, *, size=(5.0, 3.4), **kwargs):
    """A Figure with a grid of axes (constrained layout), not registered with pyplot."""
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def style_axis(ax, *, xlabel="$x$", ylabel=None, title=None, zero_lines=True):
    """Labels, a light grid and the x = 0 / y = 0 lines that make kinks and ranges readable."""
    if zero_lines:
        ax.axhline(0, color="0.6", lw=0.8, zorder=0)
        ax.axvline(0, color="0.6", lw=0.8, zorder=0)
    ax.grid(True, alpha=0.3)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_activations(activations, *, x=None, xlim=(-5.0, 5.0), derivative=True, axes=None, legend=True, title=None):
    """Plot activations (names or records) and, next to them, their derivatives.

    Args:
        activations: a name, a record, or a list of them (``["relu", actlib.get("elu", alpha=0.5)]``).
        x: the inputs to evaluate on (default: 801 points over ``xlim``).
        derivative: also draw f'(x) in a second panel.
        axes: existing axes to draw on (one, or two when ``derivative``); a new figure otherwise.

    Returns:
        The matplotlib Figure.
    """
    if isinstance(activations, (str, Activation)):
        activations = [activations]
    acts = [get(a) for a in activations]
    if not acts:
        raise ValueError("plot_activations: expected at least one activation; got an empty list.")
    for a in acts:
        if not a.elementwise:
            raise ValueError(f"plot_activations: {a.name} is a vector function, not a curve; plot it with a bar chart of softmax(x) instead.")
    if x is None:
        x = np.linspace(xlim[0], xlim[1], 801)
    x = np.asarray(x, dtype=float)
    npanel = 2 if derivative else 1
    if axes is None:
        fig, grid = new_figure(npanel)
        axes = list(grid[0])
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != npanel:
            raise ValueError(f"plot_activations: expected {npanel} axes (derivative={derivative}); got {len(axes)}.")
        fig = axes[0].figure
    seen: dict[str, int] = {}
    for a in acts:
        n = seen.get(a.name, 0)
        seen[a.name] = n + 1
        style = dict(color=color(a.name), linestyle=_DASHES[n % len(_DASHES)], lw=2)
        axes[0].plot(x, a(x), label=a.label, **style)
        if derivative:
            axes[1].plot(*_break_at_jumps(x, a.grad(x), a.kinks), label=a.label + "′", **style)
    style_axis(axes[0], ylabel=r"$\varphi(x)$", title=title or "activation")
    if derivative:
        style_axis(axes[1], ylabel=r"$\varphi'(x)$", title="derivative")
    if legend:
        for ax in axes:
            ax.legend(fontsize="small", loc="best")
    return fig


def _break_at_jumps(x, y, kinks):
    """Insert a gap (NaN) at each kink, so a jump in f' is not drawn as a vertical line."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    for k in kinks:
        y = np.where(x == k, np.nan, y)  # the value at the kink is a convention, not part of either branch
        i = int(np.searchsorted(x, k))
        if 0 < i < x.size:
            x = np.insert(x, i, k)
            y = np.insert(y, i, np.nan)
    return x, y


def draw_neuron(ax=None, *, inputs=("x_1", "x_2", "x_3"), weights=("w_1", "w_2", "w_3"), activation=r"\varphi"):
    """Draw the artificial neuron: inputs, weighted sum z = w·x + b, activation, output a.

    Returns the Figure.
    """
    if ax is None:
        fig, grid = new_figure(1, size=(7.0, 3.6))
        ax = grid[0, 0]
    fig = ax.figure
    n = len(inputs)
    if len(weights) != n:
        raise ValueError(f"draw_neuron: expected one weight per input ({n}); got {len(weights)}.")
    ys = np.linspace(0.85, 0.15, n) if n > 1 else np.array([0.5])
    body, r = (1.0, 0.5), 0.13
    for y, xi, wi in zip(ys, inputs, weights, strict=True):
        ax.add_patch(_circle((0.15, y), 0.065, "#ddeeff"))
        ax.text(0.15, y, f"${xi}$", ha="center", va="center", fontsize=13)
        ax.annotate("", xy=(body[0] - r, body[1]), xytext=(0.22, y), arrowprops=dict(arrowstyle="->", color="0.3", lw=1.4))
        tx, ty = 0.22 + 0.3 * (body[0] - r - 0.22), y + 0.3 * (body[1] - y)
        ax.text(tx, ty + 0.045, f"${wi}$", ha="center", va="bottom", fontsize=12, color="#0072b2")
    ax.add_patch(_circle(body, r, "#fff3d6"))
    ax.plot([body[0], body[0]], [body[1] - r, body[1] + r], color="0.3", lw=1)
    ax.text(body[0] - r / 2, body[1], r"$\Sigma$", ha="center", va="center", fontsize=15)
    ax.text(body[0] + r / 2, body[1], f"${activation}$", ha="center", va="center", fontsize=15)
    ax.annotate("", xy=(body[0], body[1] - r), xytext=(body[0], body[1] - r - 0.17), arrowprops=dict(arrowstyle="->", color="#d55e00", lw=1.4))
    ax.text(body[0], body[1] - r - 0.2, "$b$ (bias)", ha="center", va="top", fontsize=12, color="#d55e00")
    ax.annotate("", xy=(1.55, body[1]), xytext=(body[0] + r, body[1]), arrowprops=dict(arrowstyle="->", color="0.3", lw=1.4))
    ax.text(1.58, body[1], "$a$", ha="left", va="center", fontsize=15)
    ax.text(1.0, 0.93, r"$z = \mathbf{w}^\top\mathbf{x} + b \qquad a = " + activation + "(z)$", ha="center", va="center", fontsize=13)
    ax.set_xlim(0.0, 1.75)
    ax.set_ylim(0.0, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _circle(center, radius, face):
    from matplotlib.patches import Circle

    return Circle(center, radius, facecolor=face, edgecolor="0.3", lw=1.2)
