"""The gradient explorer: how activations and gradients grow or fade through a deep stack.

Pick an activation, an initializer, a depth and a weight-scale multiplier; see the standard
deviation of the activations and of the back-propagated gradient at every layer (log scale),
and histograms of the activations at the first, middle and last layer.

>>> from actlib import gradient_explorer
>>> s = gradient_explorer.stack_stats("relu", "he_normal", depth=10, scale=2.0)
>>> 1.9 < s.factor < 2.1                   # He × 2: the ReLU gradient doubles at every layer
True
>>> w = gradient_explorer.gradient_explorer("sigmoid", depth=12)
>>> w.scale.value = 2.0                   # what a student's slider does
>>> w.state.scale, w.state.depth
(2.0, 12)

The widget is wiring only. What it draws comes from plain functions that tests and Check
cells call without a frontend:

* ``stack_stats(activation, init, depth, scale, ...)`` runs the forward and backward pass of a
  bias-free dense stack in NumPy and returns a ``GradientStats`` (per-layer stds, histograms);
* ``render(fig_state, stats)`` updates one matplotlib Figure in place (made once by
  ``new_gradient_figure``) and returns the PNG bytes the widget shows.

For readers on GitHub, where widgets do not render, show ``gradient_figure(...)`` (the same
picture as a static Figure) before the widget.

The stack is the one of ``actlib.simulate.deep_stack``: ``a_0 ~ N(0, input_std²)``
(``n_samples`` rows of ``width`` numbers), then for ``l = 1..depth``: ``z_l = a_{l−1} W_l``,
``a_l = φ(z_l)``, with ``W_l`` drawn by ``actlib.init.initialize`` and multiplied by ``scale``.
Back-propagation starts from unit Gaussian noise at the top, ``∂L/∂a_depth ~ N(0, 1)``, and runs
``δ_l = ∂L/∂a_l ⊙ φ'(z_l)``, ``∂L/∂a_{l−1} = δ_l W_lᵀ``; ``grad_std[l − 1]`` is the std of
``δ_l = ∂L/∂z_l``. The random numbers are drawn once and rescaled, so moving a control changes
the picture smoothly, not with new noise every time.
"""

from __future__ import annotations

import contextlib
import functools
import html
import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import init as _init
from ._validation import check_real
from .explorer import _png, explorer_names, report_error
from .plotting import color
from .registry import Activation, get

__all__ = [
    "INITIALIZERS",
    "ExplorerState",
    "GradientExplorer",
    "GradientFigure",
    "GradientStats",
    "gradient_explorer",
    "gradient_figure",
    "new_gradient_figure",
    "render",
    "stack_stats",
]

#: The initializers offered (``actlib.init.INITIALIZERS``): Keras' names, ``standard`` (U[±1/√fan_in]) and ``zeros``.
INITIALIZERS = _init.INITIALIZERS
_BINS = 40
_FONT = 11


@functools.lru_cache(maxsize=1)
def _blas_controller():
    try:  # comes with scikit-learn; optional
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    return ThreadpoolController()


def _one_blas_thread():
    """A context with BLAS on one thread: for these small matrices a second thread only waits,
    and on a busy machine its spinning costs several times the work."""
    controller = _blas_controller()
    return contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


def _check_int(value, name, lo, hi, func) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= value <= hi:
        raise ValueError(f"{func}: {name} must be an integer from {lo} to {hi}; got {value!r}.")
    return int(value)


def _check_init(init, func):
    """The canonical initializer name (or a float std), with actlib.init's error messages."""
    return _init._key(func, init)


# ---------------------------------------------------------------------------------------------
# Data: one forward and backward pass


class _Kernels:
    """The stack's kernels before scaling, drawn once per (initializer, layer) by
    ``actlib.init.initialize`` with a seed per layer, so that a deeper stack keeps the layers of a
    shallower one and the weight-scale slider only rescales them. Least recently used first out,
    at most ``limit`` bytes."""

    def __init__(self, limit=48 * 2**20):
        self.limit, self.size, self.store = limit, 0, OrderedDict()

    def get(self, key, width, seed, layer) -> np.ndarray:
        k = (key, width, seed, layer)
        if k in self.store:
            self.store.move_to_end(k)
            return self.store[k]
        w = _init.initialize(key, width, width, rng=np.random.default_rng([seed, layer]))
        w.flags.writeable = False
        self.store[k] = w
        self.size += w.nbytes
        while self.size > self.limit and len(self.store) > 1:
            self.size -= self.store.popitem(last=False)[1].nbytes
        return w


_KERNELS = _Kernels()


@functools.lru_cache(maxsize=8)
def _inputs(width: int, n_samples: int, seed: int):
    """Unit normal inputs and unit normal top gradients, drawn once per (width, n_samples, seed)."""
    rng = np.random.default_rng([seed, 2**32])
    x, top = rng.standard_normal((n_samples, width)), rng.standard_normal((n_samples, width))
    x.flags.writeable = top.flags.writeable = False
    return x, top


@dataclass(frozen=True, eq=False)
class GradientStats:
    """What the gradient explorer shows for one setting of the controls.

    Fields:
        activation: the registry name; init: the initializer (a name or a float std);
        depth, width, n_samples; scale: the multiplier on the initializer's weights;
        weight_std: the weights' std after it; sigma_w2: ``width · weight_std²``, the weight
        variance in the units of the mean-field formulas (1 for Glorot and LeCun, 2 for He).
        act_mean, act_std (depth,): mean and std of a_l, layer by layer (index 0 is layer 1).
        grad_std (depth,): std of ∂L/∂z_l, the gradient with respect to layer l's pre-activations
            (as ``actlib.simulate.deep_stack``'s ``grad_std``); the weight gradient of layer l is
            a_{l−1}ᵀ ∂L/∂z_l.
        predicted_factor (depth,): √(σ_w² · E[φ'(z_l)²]), the mean-field prediction of
            grad_std[l − 1] / grad_std[l] (going down one layer, into layer l).
        hist_layers: the (1-based) layers with histograms; hists: for each, (fractions, bin edges).
    """

    activation: str
    init: str | float
    depth: int
    width: int
    n_samples: int
    scale: float
    weight_std: float
    sigma_w2: float
    act_mean: np.ndarray
    act_std: np.ndarray
    grad_std: np.ndarray
    predicted_factor: np.ndarray
    hist_layers: tuple
    hists: tuple = field(repr=False)

    @property
    def factor(self) -> float:
        """The measured gradient factor per layer, going down: the geometric mean of
        grad_std[l − 1] / grad_std[l], i.e. (grad_std[0] / grad_std[−1]) ** (1 / (depth − 1));
        0 when no gradient reaches layer 1, NaN for depth 1 or non-finite gradients."""
        first, last = float(self.grad_std[0]), float(self.grad_std[-1])
        if self.depth < 2 or not (math.isfinite(first) and math.isfinite(last)) or last == 0:
            return math.nan
        if first == 0:
            return 0.0
        return math.exp((math.log(first) - math.log(last)) / (self.depth - 1))

    @property
    def first_over_last(self) -> float:
        """grad_std at layer 1 divided by grad_std at the top layer (NaN if the top one is 0)."""
        with np.errstate(all="ignore"):
            return float(self.grad_std[0] / self.grad_std[-1]) if self.grad_std[-1] else math.nan

    @property
    def summary(self) -> str:
        """One line for the figure and the widget: the factor per layer and layer 1 vs the top."""
        f, r = self.factor, self.first_over_last
        if self.depth < 2:
            return "one layer: nothing to compare"
        if f == 0.0:
            return "no gradient reaches layer 1 (exactly 0)"
        if not math.isfinite(f):
            return "no gradient: every weight is 0" if self.sigma_w2 == 0 else "the gradient overflowed (inf or nan)"
        trend = "grows" if f > 1.02 else "shrinks" if f < 0.98 else "keeps its size"
        return f"going down, the gradient {trend}: ×{_fmt(f, '.3g')} per layer; layer 1 / top layer = {_fmt(r, '.2g')}"


def _fmt(value, spec) -> str:
    return format(value, spec).replace("-", "−")


def _histogram(a: np.ndarray, act: Activation):
    """(fractions, edges): _BINS bins over the middle 99.6% of the values, rounded outwards to a
    1-2-5 grid (a bounded activation gets its whole output range); values outside land in the
    end bins."""
    lo, hi = (float(v) for v in np.quantile(a, [0.002, 0.998]))  # a few outliers would squeeze the rest into one bin
    r_lo, r_hi = act.output_range
    if math.isfinite(r_lo) and math.isfinite(r_hi):  # sigmoid, tanh: the whole range, so saturation shows at the ends
        lo, hi = r_lo, r_hi
    else:
        lo, hi = _nice_range(lo, hi)
        if math.isfinite(r_lo):
            lo = max(lo, r_lo)
    edges = np.linspace(lo, hi, _BINS + 1)
    counts, _ = np.histogram(np.clip(a, lo, hi), bins=edges)
    return counts / a.size, edges


def _nice_up(x: float) -> float:
    """The smallest number of the form 1, 2 or 5 × 10^k that is >= x > 0 (x itself beyond 1e308)."""
    step = 10.0 ** math.floor(math.log10(x))
    top = next(m * step for m in (1, 2, 5, 10) if x <= m * step * (1 + 1e-12))
    return top if math.isfinite(top) else x


def _nice_range(lo: float, hi: float) -> tuple[float, float]:
    """A range covering [lo, hi] and 0, each end rounded outwards to a 1-2-5 grid (so that
    small changes keep the axes)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo == hi == 0:
        return -1.0, 1.0
    lo_n = -_nice_up(-lo) if lo < 0 else 0.0
    hi_n = _nice_up(hi) if hi > 0 else 0.0
    return lo_n, hi_n


def stack_stats(activation="sigmoid", init="glorot_uniform", depth=20, scale=1.0, *, width=64, n_samples=128, rng=0,
                input_std=1.0, hist_layers=None) -> GradientStats:
    """Forward and backward pass through a bias-free dense stack; per-layer statistics.

    The stack is ``actlib.simulate.deep_stack``'s (z_l = a_{l−1} W_l, a_l = φ(z_l), inputs
    N(0, input_std²), ∂L/∂a at the top unit Gaussian noise), with every kernel multiplied by
    ``scale``, and built for speed: small by default, random numbers drawn once and rescaled,
    the forward pass kept, so that moving a control redraws in a few milliseconds.

    Args:
        activation: a registry name (or record) of an element-wise activation.
        init: an initializer name from ``INITIALIZERS``, or a float (a normal with that std).
        depth: the number of layers (1 to 200).
        scale: a multiplier on every weight (1 = the initializer as it is; 2 doubles the std).
        width: units per layer; n_samples: inputs in the batch.
        rng: an int seed. input_std: the std of the inputs.
        hist_layers: 1-based layers to histogram; default first, middle and last.

    Returns:
        A ``GradientStats``. Overflow in an exploding stack shows up as inf or NaN in the
        arrays, not as warnings.

    >>> s = stack_stats("tanh", "glorot_normal", depth=8)
    >>> s.grad_std.shape, s.hist_layers, s.sigma_w2
    ((8,), (1, 4, 8), 1.0)
    """
    func = "stack_stats"
    act = activation if isinstance(activation, Activation) else get(activation)
    if not act.elementwise:
        raise ValueError(f"{func}: {act.name} is a vector function; choose an element-wise activation: {', '.join(explorer_names())}.")
    key = _check_init(init, func)
    depth = _check_int(depth, "depth", 1, 200, func)
    width = _check_int(width, "width", 1, 4096, func)
    n_samples = _check_int(n_samples, "n_samples", 2, 10**6, func)
    seed = _check_int(rng, "rng", 0, 2**63 - 1, func)
    scale = check_real(func, "scale", scale, low=0.0, low_open=True)
    input_std = check_real(func, "input_std", input_std, low=0.0, low_open=True)
    if hist_layers is None:
        hist_layers = tuple(dict.fromkeys((1, (depth + 1) // 2, depth)))
    hist_layers = tuple(_check_int(h, "a histogram layer", 1, depth, func) for h in hist_layers)

    std = scale * _init.std_of(key, width, width)
    _, top = _inputs(width, n_samples, seed)
    grad_std = np.empty(depth)
    with np.errstate(all="ignore"), _one_blas_thread():  # an exploding stack may overflow: that is what it should show
        layers = _forward(act, key, scale, width, n_samples, seed, input_std, depth)
        g = top  # ∂L/∂a at the top
        for layer in reversed(range(depth)):
            delta = g * layers[layer].slope  # ∂L/∂z_l
            grad_std[layer] = delta.std()
            if layer:
                g = delta @ (scale * _KERNELS.get(key, width, seed, layer)).T
        hists = []
        for h in hist_layers:
            a = layers[h - 1].a
            finite = a[np.isfinite(a)]
            hists.append(_histogram(finite if finite.size else np.zeros(1), act))
    return GradientStats(
        activation=act.name, init=key, depth=depth, width=width, n_samples=n_samples, scale=scale, weight_std=std,
        sigma_w2=width * std**2, act_mean=np.array([layer.mean for layer in layers[:depth]]),
        act_std=np.array([layer.std for layer in layers[:depth]]), grad_std=grad_std,
        predicted_factor=np.array([layer.predicted for layer in layers[:depth]]),
        hist_layers=hist_layers, hists=tuple(hists),
    )


@dataclass(frozen=True, eq=False)
class _Layer:
    a: np.ndarray  # the activations
    slope: np.ndarray  # φ'(z)
    mean: float
    std: float
    predicted: float  # √(σ_w² E[φ'(z)²])


_FORWARD: OrderedDict = OrderedDict()  # recent forward passes, so that moving the depth slider costs only the backward pass
_FORWARD_KEEP = 6


def _forward(act, key, scale, width, n_samples, seed, input_std, depth) -> list:
    """The forward pass to ``depth`` layers (a deeper stack shares the first layers of a shallower
    one, so passes are kept and extended)."""
    cache_key = (act.name, tuple(sorted((k, repr(v)) for k, v in act.params.items())), act.fn, act.grad_fn,
                 key, scale, width, n_samples, seed, input_std)
    layers = _FORWARD.pop(cache_key, None) or []
    if n_samples * width <= 65536:  # small stacks only: about 1 MB a layer at most
        _FORWARD[cache_key] = layers
        while len(_FORWARD) > _FORWARD_KEEP:
            _FORWARD.popitem(last=False)
    x, _ = _inputs(width, n_samples, seed)
    a = layers[-1].a if layers else input_std * x
    sigma_w2 = width * (scale * _init.std_of(key, width, width)) ** 2
    for layer in range(len(layers), depth):
        z = a @ (scale * _KERNELS.get(key, width, seed, layer))
        a = act(z)
        slope = act.grad(z)
        layers.append(_Layer(a, slope, float(a.mean()), float(a.std()), math.sqrt(sigma_w2 * float(np.mean(slope * slope)))))
    return layers


# ---------------------------------------------------------------------------------------------
# Drawing: one Figure, updated in place


@dataclass
class GradientFigure:
    """The Figure and the artists ``render`` updates (made once by ``new_gradient_figure``).

    With ``blit=True`` the lines, histograms and their labels are animated artists, drawn on top
    of a cached background in every frame. Text is what costs most to draw, so the background
    is cached in two layers: ``base`` holds everything that never changes (axis labels, legend,
    the histogram frames, which have no ticks) and is drawn once; the left panel's grid and tick
    labels are drawn on top of it once per set of its limits (``backgrounds``).
    """

    fig: Figure
    ax_std: Any
    ax_hist: list
    grad_line: Any
    act_line: Any
    steps: list
    zero_lines: list
    hist_labels: list
    title: Any
    note: Any
    legend: Any
    dpi: float
    blit: bool = True
    base: Any = field(default=None, repr=False)
    backgrounds: OrderedDict = field(default_factory=OrderedDict, repr=False)
    max_backgrounds: int = 24  # about 1.2 MB each
    full_draws: int = 0

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the rendered image in pixels."""
        return self.fig.canvas.get_width_height()

    @property
    def dynamic(self) -> list:
        """The artists that change from frame to frame, in drawing order."""
        return [*self.zero_lines, *self.steps, self.act_line, self.grad_line, *self.hist_labels, self.title, self.note]


def _decade(value, _pos=None) -> str:
    """Tick label for a log axis in plain text (1e−05, 0.01, 1, 100, 1e+06): mathtext would
    cost more than everything else in a frame."""
    if value <= 0:
        return ""
    e = round(math.log10(value))
    if abs(math.log10(value) - e) > 1e-6:
        return ""
    text = f"{value:g}" if -2 <= e <= 3 else f"1e{e}"
    return text.replace("-", "−")


def new_gradient_figure(size=(9.6, 4.6), dpi=80, *, n_hist=3, blit=True, titles=None) -> GradientFigure:
    """The explorer's Figure: per-layer stds (log scale) on the left, ``n_hist`` histograms on the right.

    Fixed margins, no constrained layout (it would cost more than the drawing on every update).
    ``titles`` (default: ``not blit``) writes the settings and the summary above the panels; the
    widget shows them as HTML instead, because text is the most expensive thing to draw.
    """
    titles = (not blit) if titles is None else titles
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    top = 0.8 if titles else 0.9
    left, bottom = 0.1, 0.12
    grid = fig.add_gridspec(n_hist, 2, width_ratios=(1.55, 1), left=left, right=0.985, top=top, bottom=bottom, wspace=0.1, hspace=0.45)
    ax = fig.add_subplot(grid[:, 0])
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=7))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_decade))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.grid(True, which="major", alpha=0.35)
    ax.axhline(1.0, color="0.55", lw=0.9, zorder=0)
    ax.tick_params(labelsize=_FONT - 1)
    # labels and legend belong to the figure, not to the axes: they never change, so they are
    # drawn once into the base layer, and a change of limits redraws only the axes
    box = ax.get_position()
    fig.text(box.x0 + box.width / 2, 0.02, "layer $l$  (1 = next to the input)", fontsize=_FONT, ha="center", va="bottom")
    fig.text(0.012, box.y0 + box.height / 2, "standard deviation (log scale)", fontsize=_FONT, rotation=90, ha="left", va="center")
    nan = [np.nan]
    (grad_line,) = ax.plot(nan, nan, "o-", lw=2.4, ms=3.5, zorder=3)
    (act_line,) = ax.plot(nan, nan, "s--", lw=1.6, ms=3.0, color="0.35", zorder=2)
    # the legend is in the base layer, so its handles are neutral: the gradient line takes the
    # activation's colour, the activation line is always grey
    handles = [Line2D([], [], marker="o", ls="-", lw=2.4, ms=3.5, color="0.1"), Line2D([], [], marker="s", ls="--", lw=1.6, ms=3.0, color="0.35")]
    legend = fig.legend(handles, ["gradient std, ∂L/∂z_l", "activation std, a_l"], loc="lower left", bbox_to_anchor=(box.x0, box.y1),
                        ncols=2, fontsize=_FONT - 1, frameon=False, borderaxespad=0.2)
    hist_axes, steps, zeros, labels = [], [], [], []
    for i in range(n_hist):
        h = fig.add_subplot(grid[i, 1])
        h.set_xticks([])
        h.set_yticks([])
        step = h.stairs(np.zeros(_BINS), np.linspace(0, 1, _BINS + 1), fill=True, alpha=0.85)
        zeros.append(h.axvline(0.0, color="0.3", lw=0.9, ls=":"))
        labels.append(h.text(0.0, 1.03, "", transform=h.transAxes, fontsize=_FONT - 1, ha="left", va="bottom"))
        hist_axes.append(h)
        steps.append(step)
    hbox = hist_axes[-1].get_position()
    fig.text(hbox.x0 + hbox.width / 2, 0.02, "activation values (histograms)", fontsize=_FONT - 1, ha="center", va="bottom")
    title = fig.text(0.01, 0.975, "", fontsize=_FONT + 1, ha="left", va="top", weight="bold", visible=titles)
    note = fig.text(0.01, 0.92, "", fontsize=_FONT, ha="left", va="top", visible=titles)
    fs = GradientFigure(fig, ax, hist_axes, grad_line, act_line, steps, zeros, labels, title, note, legend, dpi, blit=blit)
    for artist in fs.dynamic:
        artist.set_animated(blit)
    return fs


def _log_limits(values, current=None) -> tuple[float, float]:
    """y-limits in whole decades around the positive finite values (and 1), at least four decades tall.

    With ``current`` (the widget's limits now), the limits stay while the values fit inside and
    fill a fair part of them; when they must change, a decade of room is added on each side. So a
    slider drag redraws the axes only now and then, and the eye sees the curves move, not the axes.
    """
    v = np.concatenate([np.asarray(values, float).ravel(), [1.0]])
    v = np.log10(v[np.isfinite(v) & (v > 0)])
    lo_v, hi_v = float(v.min()), float(v.max())
    if current is not None:
        c_lo, c_hi = (math.log10(c) for c in current)
        if c_lo + 0.1 <= lo_v and hi_v <= c_hi - 0.1 and c_hi - c_lo <= max(6.0, hi_v - lo_v + 5.0):
            return current
    margin = 0 if current is None else 1
    lo, hi = math.floor(lo_v - 0.15) - margin, math.ceil(hi_v + 0.15) + margin
    while hi - lo < 4:
        lo -= 1
        if hi - lo < 4:
            hi += 1
    return 10.0**lo, 10.0**hi


def _positive(a):
    a = np.asarray(a, float).copy()
    a[~(a > 0) | ~np.isfinite(a)] = np.nan  # log scale: zeros and overflow are not drawn
    return a


_DEPTH_ENDS = (5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200)


def _nice_depth(depth: int, current: int | None = None) -> int:
    """The x-axis end for a stack of ``depth`` layers: the next of 5, 10, 15, 20, 30, 40, 60, ...

    With ``current`` (the widget's end now), it stays while the stack fills more than half of it,
    so that a depth drag reuses the cached axes.
    """
    if current is not None and current / 2 < depth <= current:
        return current
    return next((end for end in _DEPTH_ENDS if depth <= end), depth)


def _hist_ylim(fractions) -> float:
    top = float(np.max(fractions)) if len(fractions) else 0.0
    for m in (0.05, 0.1, 0.2, 0.5, 1.0):
        if top <= 0.95 * m:
            return m
    return 1.05


def render(fig_state: GradientFigure, stats: GradientStats, *, png=True) -> bytes | None:
    """Draw ``stats`` on the explorer's Figure in place and return the PNG (None if ``png=False``).

    Only artists' data, colours, limits and texts change; the Figure is never rebuilt.
    """
    fs, s = fig_state, stats
    c = color(s.activation)
    layers = np.arange(1, s.depth + 1)
    grad, acts = _positive(s.grad_std), _positive(s.act_std)
    fs.grad_line.set_data(layers, grad)
    fs.grad_line.set_color(c)
    fs.act_line.set_data(layers, acts)
    sticky = fs.blit and fs.full_draws > 0  # the widget keeps its axes while the curves fit; a static figure fits them
    end = _nice_depth(s.depth, round(fs.ax_std.get_xlim()[1] - 0.5) if sticky else None) if fs.blit else s.depth
    fs.ax_std.set_xlim(0.5, end + 0.5)
    fs.ax_std.set_ylim(*_log_limits(np.concatenate([grad, acts]), fs.ax_std.get_ylim() if sticky else None))
    fs.title.set_text(f"{s.activation}, {s.init} × {s.scale:.3g}, depth {s.depth}   (width {s.width}, σ_w² = {s.sigma_w2:.3g})")
    fs.note.set_text(s.summary)
    for i, (ax, step) in enumerate(zip(fs.ax_hist, fs.steps, strict=True)):
        shown = i < len(s.hist_layers)
        for artist in (step, fs.zero_lines[i], fs.hist_labels[i]):
            artist.set_visible(shown)
        if not shown:
            continue
        fractions, edges = s.hists[i]
        layer = s.hist_layers[i]
        lo, hi = float(edges[0]), float(edges[-1])
        step.set_data(fractions, edges)
        step.set_facecolor(c)
        ax.set_xlim(lo, hi)
        ax.set_ylim(0.0, _hist_ylim(fractions))
        fs.zero_lines[i].set_visible(lo < 0 < hi)
        fs.hist_labels[i].set_text(f"layer {layer}: values from {_fmt(lo, '.3g')} to {_fmt(hi, '.3g')}")
    if not png:
        return None
    canvas = fs.fig.canvas
    if not fs.blit:
        canvas.draw()
        return _png(canvas, {"compress_level": 1})
    key = (fs.ax_std.get_xlim(), fs.ax_std.get_ylim(), fs.size_px)
    if key in fs.backgrounds:
        fs.backgrounds.move_to_end(key)
        canvas.restore_region(fs.backgrounds[key])
    else:
        if fs.base is None or fs.base[0] != fs.size_px:  # once: everything that never changes
            fs.ax_std.set_visible(False)
            try:
                canvas.draw()  # skips the animated artists
            finally:
                fs.ax_std.set_visible(True)
            fs.base = (fs.size_px, canvas.copy_from_bbox(fs.fig.bbox))
            fs.backgrounds.clear()
        else:
            canvas.restore_region(fs.base[1])
        fs.ax_std.draw(canvas.get_renderer())  # grid, ticks and tick labels for these limits
        fs.backgrounds[key] = canvas.copy_from_bbox(fs.fig.bbox)
        fs.full_draws += 1
        while len(fs.backgrounds) > fs.max_backgrounds:
            fs.backgrounds.popitem(last=False)
    renderer = canvas.get_renderer()
    for artist in fs.dynamic:
        if artist.get_visible():
            artist.draw(renderer)
    return _png(canvas, {"compress_level": 1})


def gradient_figure(activation="sigmoid", init="glorot_uniform", depth=20, scale=1.0, **options) -> Figure:
    """The explorer's picture as a static Figure (for readers on GitHub); same arguments as ``stack_stats``."""
    fs = new_gradient_figure(blit=False, dpi=100)
    render(fs, stack_stats(activation, init, depth, scale, **options), png=False)
    return fs.fig


# ---------------------------------------------------------------------------------------------
# The widget: wiring only


@dataclass(frozen=True)
class ExplorerState:
    """What the gradient explorer shows now (a fresh snapshot after every update)."""

    activation: str
    init: str
    depth: int
    scale: float
    factor: float
    first_over_last: float
    summary: str
    error: str = ""


def _dropdown_init(init, func) -> str:
    key = _check_init(init, func)
    if not isinstance(key, str):
        raise TypeError(f"{func}: init must be one of the initializer names {', '.join(INITIALIZERS)}; got the number {init!r} (the weight-scale slider multiplies it).")
    return key


class GradientExplorer(W.VBox):
    """The gradient explorer widget; build it with ``gradient_explorer``.

    Controls (set their ``.value`` from code as a student would with the mouse):
        activation: Dropdown over the element-wise registry entries.
        init: Dropdown over ``INITIALIZERS``.
        depth: IntSlider (2 to ``max_depth``).
        scale: FloatLogSlider, the multiplier on the initializer's weights (0.1 to 10).
    ``set(activation=..., init=..., depth=..., scale=...)`` moves several controls with one redraw.

    Output:
        image: ipywidgets.Image with the PNG; figure: the matplotlib Figure behind it;
        summary: HTML with the factor per layer; message: HTML for errors;
        stats: the last ``GradientStats``; state: an ``ExplorerState``; n_updates: redraw count.
    """

    def __init__(self, activation="sigmoid", init=None, depth=20, scale=1.0, *, width=64, n_samples=128, rng=0, max_depth=60):
        func = "gradient_explorer"
        act = get(activation) if not isinstance(activation, Activation) else activation
        if not act.elementwise:
            raise ValueError(f"{func}: {act.name} is a vector function; choose one of: {', '.join(explorer_names())}.")
        init = _dropdown_init(act.init if init is None else init, func)
        max_depth = _check_int(max_depth, "max_depth", 2, 200, func)
        depth = _check_int(depth, "depth", 2, max_depth, func)
        scale = check_real(func, "scale", scale, low=0.1, high=10.0)
        self._options = dict(width=width, n_samples=n_samples, rng=rng)
        stack_stats(act.name, init, 2, 1.0, **self._options)  # refuse bad options before building anything
        self._hold = 0
        self.n_updates = 0
        self.stats: GradientStats | None = None
        self.state: ExplorerState | None = None
        wide = {"description_width": "initial"}
        self.activation = W.Dropdown(options=explorer_names(), value=act.name, description="activation", style=wide,
                                     layout=W.Layout(width="210px"))
        self.init = W.Dropdown(options=list(INITIALIZERS), value=init, description="initializer", style=wide,
                               layout=W.Layout(width="230px"))
        self.depth = W.IntSlider(value=depth, min=2, max=max_depth, step=1, description="depth", continuous_update=True,
                                 style=wide, layout=W.Layout(width="300px"))
        self.scale = W.FloatLogSlider(value=scale, base=10, min=-1, max=1, step=0.02, description="weight scale ×",
                                      readout_format=".2f", continuous_update=True, style=wide, layout=W.Layout(width="330px"))
        self._fig = new_gradient_figure()
        width_px, height_px = self._fig.size_px
        self.image = W.Image(format="png", width=width_px, height=height_px,
                             layout=W.Layout(width=f"{width_px}px", height=f"{height_px}px", flex="0 0 auto"))
        self.summary = W.HTML()
        self.message = W.HTML()
        for control in (self.activation, self.init, self.depth, self.scale):
            control.observe(self._on_change, "value")
        super().__init__([
            W.HBox([self.activation, self.init], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.depth, self.scale], layout=W.Layout(flex_flow="row wrap")),
            self.image, self.summary, self.message,
        ])
        self.update(raise_errors=True)

    def set(self, activation=None, init=None, depth=None, scale=None) -> ExplorerState:
        """Move controls from code with one redraw, e.g. ``w.set(activation="relu", init="he_normal")``."""
        func = "GradientExplorer.set"
        if activation is not None:
            act = get(activation)
            if act.name not in self.activation.options:
                raise ValueError(f"{func}: {act.name} is a vector function; choose one of: {', '.join(self.activation.options)}.")
            activation = act.name
        if init is not None:
            init = _dropdown_init(init, func)
        if depth is not None:
            depth = _check_int(depth, "depth", self.depth.min, self.depth.max, func)
        if scale is not None:
            scale = check_real(func, "scale", scale, low=0.1, high=10.0)
        self._hold += 1
        try:
            for control, value in ((self.activation, activation), (self.init, init), (self.depth, depth), (self.scale, scale)):
                if value is not None:
                    control.value = value
        finally:
            self._hold -= 1
        self.update()
        return self.state

    def _on_change(self, change=None):
        self.update()

    def update(self, *, raise_errors=False):
        """Recompute from the controls and redraw; an error shows in ``message`` and the last frame stays."""
        if self._hold:
            return
        try:
            stats = stack_stats(self.activation.value, self.init.value, self.depth.value, float(self.scale.value), **self._options)
            png = render(self._fig, stats)
        except Exception as exc:
            if raise_errors:
                raise
            report_error(self, exc)
            return
        self.message.value = ""
        self.stats = stats
        self.image.value = png
        settings = f"{stats.activation}, {stats.init} × {stats.scale:.3g}, depth {stats.depth} (width {stats.width}, σ_w² = {stats.sigma_w2:.3g})"
        self.summary.value = f"{html.escape(settings)}: <b>{html.escape(stats.summary)}</b>"
        self.state = ExplorerState(
            activation=stats.activation, init=stats.init, depth=stats.depth, scale=stats.scale,
            factor=stats.factor, first_over_last=stats.first_over_last, summary=stats.summary,
        )
        self.n_updates += 1

    @property
    def figure(self) -> Figure:
        return self._fig.fig

    @property
    def figure_state(self) -> GradientFigure:
        return self._fig

    @property
    def widget(self):
        return self

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None and self.state is not None:
            s = self.state
            bundle["text/plain"] = f"[gradient explorer: {s.activation}, {s.init} × {s.scale:.3g}, depth {s.depth}; run the notebook to use its controls]"
        return bundle


def gradient_explorer(activation="sigmoid", init=None, depth=20, scale=1.0, **options) -> GradientExplorer:
    """The gradient explorer widget.

    Args:
        activation: the activation shown first (element-wise registry name or record).
        init: the initializer shown first; default the activation's recommended one (``act.init``).
        depth: layers (2 to ``max_depth``, default 60); scale: the weight multiplier (0.1 to 10).
        **options: ``width`` (64), ``n_samples`` (128), ``rng`` (0), ``max_depth`` (60): small
            stacks keep an update under about 50 ms.

    Returns:
        A ``GradientExplorer`` (an ``ipywidgets.VBox``); see its docstring for the controls.
    """
    return GradientExplorer(activation, init, depth, scale, **options)
