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
            axes[1].plot(x, a.grad(x), label=a.label + "′", **style)
    style_axis(axes[0], ylabel=r"$\varphi(x)$", title=title or "activation")
    if derivative:
        style_axis(axes[1], ylabel=r"$\varphi'(x)$", title="derivative")
    if legend:
        for ax in axes:
            ax.legend(fontsize="small", loc="best")
    return fig
