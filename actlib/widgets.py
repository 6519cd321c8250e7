"""Explorer widgets: ipywidgets wiring around plain functions that tests can call headlessly.

Each explorer has three layers:

1. a *state* function (NumPy only) that computes everything the picture shows;
2. a *drawing* function that turns a state into a matplotlib Figure (used for the static
   figure a notebook shows before the widget, and by the widget itself);
3. the *wiring*: sliders whose changes recompute the state and redraw the figure.

ipywidgets is imported only when an explorer is built, so ``import actlib`` stays light.

>>> import numpy as np
>>> from actlib import data, widgets
>>> X, y = data.xor()
>>> W1, b1 = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])
>>> w2, b2 = np.array([1.0, -2.0]), 0.0
>>> s = widgets.two_layer_state(W1, b1, w2, b2, X, y, activation="relu")
>>> s.outputs, s.accuracy
(array([0., 1., 1., 0.]), 1.0)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .registry import get

__all__ = ["HiddenUnitExplorer", "TwoLayerState", "hidden_unit_explorer", "plot_two_layer_state", "two_layer_state"]

_CLASS_COLORS = ("#0072b2", "#d55e00")  # class 0 blue, class 1 vermilion (colour-blind safe)
_UNIT_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1)))


@dataclass(frozen=True, eq=False)
class TwoLayerState:
    """Everything the 2-k-1 explorer draws, for one setting of the weights.

    The network is ``out(x) = w2 · φ(W1 x + b1) + b2`` for inputs x in the plane; a point is
    classified as 1 where ``out(x) > threshold``.

    Fields:
        W1 (k, 2), b1 (k,), w2 (k,), b2: the weights (copies).
        activation: the registry name of φ. threshold: the decision threshold.
        X (n, 2), y (n,): the data. hidden (n, k): φ(W1 x + b1) for each data point.
        outputs (n,): the network's outputs. predictions (n,): 0/1 decisions.
        accuracy: share of correct decisions. mse: mean squared error of outputs vs y.
        grid_x (m,), grid_y (m,): the plotting grid's axes. grid_out (m, m): out(x) on that grid,
            row i belonging to grid_y[i].
    """

    W1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    activation: str
    threshold: float
    X: np.ndarray
    y: np.ndarray
    hidden: np.ndarray
    outputs: np.ndarray
    predictions: np.ndarray
    accuracy: float
    mse: float
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_out: np.ndarray

    @property
    def summary(self) -> str:
        """One line: accuracy, number of correct points and MSE."""
        n = len(self.y)
        return f"accuracy {self.accuracy:.0%} ({round(self.accuracy * n)}/{n} points), MSE {self.mse:.3f}"


def _weights(W1, b1, w2, b2):
    W1 = np.array(W1, dtype=np.float64, ndmin=2)
    if W1.ndim != 2 or W1.shape[1] != 2:
        raise ValueError(
            f"two_layer_state: W1 must have shape (k, 2) (one row per hidden unit, inputs in the plane); got shape {W1.shape}."
        )
    k = W1.shape[0]
    b1 = np.array(b1, dtype=np.float64).reshape(-1)
    w2 = np.array(w2, dtype=np.float64).reshape(-1)
    if b1.shape != (k,) or w2.shape != (k,):
        raise ValueError(f"two_layer_state: b1 and w2 must have one entry per hidden unit ({k}); got shapes {b1.shape} and {w2.shape}.")
    b2 = float(np.asarray(b2, dtype=np.float64).reshape(()))
    for name, arr in (("W1", W1), ("b1", b1), ("w2", w2), ("b2", np.array(b2))):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"two_layer_state: {name} must be finite; got {arr!r}.")
    return W1, b1, w2, b2


def two_layer_state(
    W1, b1, w2, b2, X, y, *, activation="relu", threshold=0.5, xlim=(-0.5, 1.5), ylim=None, resolution=101
) -> TwoLayerState:
    """Evaluate the network ``w2 · φ(W1 x + b1) + b2`` on the data and on a grid of the plane.

    Args:
        W1: hidden weights, shape (k, 2), row j is unit j's weight vector. b1: shape (k,).
        w2: output weights, shape (k,). b2: output bias (a number).
        X: inputs, shape (n, 2). y: targets in {0, 1}, shape (n,).
        activation: a registry name (``"relu"``, ``"sigmoid"``, ``"linear"``, ...) or record.
        threshold: the output above which a point counts as class 1 (0.5 for 0/1 targets).
        xlim, ylim: the plotted square (ylim defaults to xlim). resolution: grid points per axis.

    Returns:
        A :class:`TwoLayerState`.
    """
    W1, b1, w2, b2 = _weights(W1, b1, w2, b2)
    act = get(activation)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"two_layer_state: X must have shape (n, 2) and y shape (n,); got {X.shape} and {y.shape}.")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"two_layer_state: resolution must be an int >= 2; got {resolution!r}.")
    ylim = xlim if ylim is None else ylim
    hidden = act(X @ W1.T + b1)
    outputs = hidden @ w2 + b2
    predictions = (outputs > threshold).astype(np.int64)
    gx = np.linspace(xlim[0], xlim[1], int(resolution))
    gy = np.linspace(ylim[0], ylim[1], int(resolution))
    # out on the grid, computed unit by unit (k small): z_j = W1[j,0]·x + W1[j,1]·y + b1[j]
    grid_out = np.full((len(gy), len(gx)), b2)
    for j in range(W1.shape[0]):
        z = W1[j, 0] * gx[None, :] + W1[j, 1] * gy[:, None] + b1[j]
        grid_out += w2[j] * act(z)
    return TwoLayerState(
        W1=W1,
        b1=b1,
        w2=w2,
        b2=b2,
        activation=act.name,
        threshold=float(threshold),
        X=X,
        y=y,
        hidden=hidden,
        outputs=outputs,
        predictions=predictions,
        accuracy=float(np.mean(predictions == (y > threshold))),
        mse=float(np.mean((outputs - y) ** 2)),
        grid_x=gx,
        grid_y=gy,
        grid_out=grid_out,
    )


# ---------------------------------------------------------------------------------------------
# Drawing
def _line_through_box(w, b, xlim, ylim, level=0.0):
    """End points of {p : w·p + b = level} clipped to the box, or (nan, nan) arrays when it misses."""
    (x0, x1), (y0, y1) = xlim, ylim
    pts = []
    if abs(w[1]) > 1e-12:
        for x in (x0, x1):
            yv = (level - b - w[0] * x) / w[1]
            if y0 - 1e-9 <= yv <= y1 + 1e-9:
                pts.append((x, yv))
    if abs(w[0]) > 1e-12:
        for yv in (y0, y1):
            x = (level - b - w[1] * yv) / w[0]
            if x0 - 1e-9 <= x <= x1 + 1e-9:
                pts.append((x, yv))
    if len(pts) < 2:
        return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])
    pts = np.array(pts)
    # the two points farthest apart (corner hits can appear twice)
    d = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    return pts[[i, j], 0], pts[[i, j], 1]


def _half_box(w, b, xlim, ylim, sign=1.0):
    """Corners of the part of the box where sign·(w·p + b) >= 0 (a convex polygon, maybe empty)."""
    (x0, x1), (y0, y1) = xlim, ylim
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    f = sign * (box @ np.asarray(w, dtype=float) + b)
    out = []
    for i in range(4):
        j = (i + 1) % 4
        if f[i] >= 0:
            out.append(box[i])
        if f[i] * f[j] < 0:  # the line crosses this edge
            out.append(box[i] + f[i] / (f[i] - f[j]) * (box[j] - box[i]))
    return np.array(out).reshape(-1, 2)


class _Drawing:
    """The artists of one explorer figure, updated in place from a state (fast redraws)."""

    def __init__(self, state: TwoLayerState, unit: int | None = None, axes=None, legend: bool = True):
        from matplotlib.colors import LinearSegmentedColormap, TwoSlopeNorm

        from .plotting import color, new_figure

        self.unit = unit
        self.animated = False
        self.activation = state.activation
        k = state.W1.shape[0]
        self.show_hidden = k == 2
        if axes is None:
            ncols = 2 if self.show_hidden else 1
            fig, grid = new_figure(ncols, 1, size=(4.2, 3.8))
            axes = list(grid[0])
        else:
            axes = list(np.atleast_1d(axes))
            fig = axes[0].figure
        self.figure = fig
        self.ax_in = axes[0]
        self.ax_hid = axes[1] if self.show_hidden and len(axes) > 1 else None
        t = state.threshold
        self.norm = TwoSlopeNorm(vcenter=t, vmin=t - 1.0, vmax=t + 1.0)
        self.cmap = LinearSegmentedColormap.from_list("class01", [_CLASS_COLORS[0], "white", _CLASS_COLORS[1]])
        gx, gy = state.grid_x, state.grid_y
        self.xlim, self.ylim = (gx[0], gx[-1]), (gy[0], gy[-1])
        ax = self.ax_in
        self.image = ax.imshow(
            state.grid_out,
            origin="lower",
            extent=(gx[0], gx[-1], gy[0], gy[-1]),
            cmap=self.cmap,
            norm=self.norm,
            alpha=0.5,
            interpolation="nearest",
            aspect="auto",
        )
        self.boundary = None
        unit_color = color(state.activation)
        self.unit_lines = []
        for j in range(k):
            highlighted = j == unit
            (line,) = ax.plot(
                [],
                [],
                color=unit_color if highlighted else "0.25",
                lw=2.4 if highlighted else 1.2,
                ls=_UNIT_STYLES[j % len(_UNIT_STYLES)],
                label=f"unit {j + 1}: $w_{{{j + 1}}}\\cdot x + b_{{{j + 1}}} = 0$",
            )
            self.unit_lines.append(line)
        point_colors = [_CLASS_COLORS[int(v > t)] for v in state.y]
        self.points = ax.scatter(state.X[:, 0], state.X[:, 1], s=90, c=point_colors, edgecolors="k", linewidths=1.0, zorder=3)
        self.wrong = ax.scatter([], [], s=260, facecolors="none", edgecolors="k", linewidths=2.0, zorder=4, label="misclassified")
        for cls in (0, 1):
            ax.scatter([], [], s=60, c=_CLASS_COLORS[cls], edgecolors="k", label=f"class {cls}")
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal", adjustable="box")
        self.title = ax.set_title("")
        if legend:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize="small", ncol=2, frameon=False)
        if self.ax_hid is not None:
            ah = self.ax_hid
            self.hid_points = ah.scatter(state.hidden[:, 0], state.hidden[:, 1], s=90, c=point_colors, edgecolors="k", zorder=3)
            self.hid_labels = []
            if len(state.X) <= 8:  # name each point by its input, e.g. (0, 1)
                for x in state.X:
                    label = ah.annotate(
                        f"({x[0]:g}, {x[1]:g})", (0, 0), xytext=(7, 5), textcoords="offset points", fontsize="small", zorder=4
                    )
                    self.hid_labels.append(label)
            # the output layer is linear in h: shade the two sides of its decision line
            self.hid_sides = [ah.fill([0, 1, 1], [0, 0, 1], color=_CLASS_COLORS[cls], alpha=0.18, lw=0, zorder=0)[0] for cls in (0, 1)]
            (self.hid_line,) = ah.plot([], [], color="k", lw=1.8, label=f"output = {t:g}")
            ah.set_xlabel("$h_1$ (unit 1)")
            ah.set_ylabel("$h_2$ (unit 2)")
            ah.set_title("hidden space: $h = \\varphi(Wx + b)$")
            ah.grid(True, alpha=0.3)
            if legend:
                ah.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize="small", frameon=False)
        self.update(state)

    # -- in-place updates ----------------------------------------------------------------------
    def dynamic_artists(self):
        """The artists that change with the weights (drawn on top of a cached background)."""
        arts = [self.image, self.boundary, *self.unit_lines, self.points, self.wrong]
        if not self.animated:
            arts.append(self.title)
        if self.ax_hid is not None:
            arts += [*self.hid_sides, self.hid_points, self.hid_line, *self.hid_labels]
        return [a for a in arts if a is not None]

    def update(self, state: TwoLayerState) -> bool:
        """Move the artists to a new state; returns True if the hidden-space axes limits changed
        (then the static background must be redrawn too)."""
        self.image.set_data(state.grid_out)
        if self.boundary is not None:
            self.boundary.remove()
        levels = [state.threshold]
        if np.ptp(state.grid_out) < 1e-9:  # a flat output has no boundary (contour would trace round-off)
            levels = [state.grid_out.max() + 1.0]
        self.boundary = self.ax_in.contour(state.grid_x, state.grid_y, state.grid_out, levels=levels, colors="k", linewidths=2.0)
        self.boundary.set_animated(self.animated)
        for j, line in enumerate(self.unit_lines):
            line.set_data(*_line_through_box(state.W1[j], state.b1[j], self.xlim, self.ylim))
        wrong = state.predictions != (state.y > state.threshold)
        self.wrong.set_offsets(state.X[wrong] if wrong.any() else np.empty((0, 2)))
        if not self.animated:  # the explorer shows the accuracy next to its sliders instead
            self.title.set_text(f"input space: {state.accuracy:.0%} correct ({state.activation})")
        changed = False
        if self.ax_hid is not None:
            H = state.hidden
            self.hid_points.set_offsets(H)
            # sticky limits: keep the axes (and the cached background) while the points fit and fill
            # at least a third of them; otherwise snap to whole units around the points
            hx, hy = self.ax_hid.get_xlim(), self.ax_hid.get_ylim()
            lo, hi = np.minimum(H.min(axis=0), 0.0), np.maximum(H.max(axis=0), 1.0)
            current = np.array([hx, hy])  # rows: axis; columns: low, high
            fits = np.all(lo >= current[:, 0] + 0.1) and np.all(hi <= current[:, 1] - 0.1)
            fills = np.all(hi - lo >= (current[:, 1] - current[:, 0]) / 3)
            if not (fits and fills):
                hx = (float(np.floor(lo[0])) - 0.25, float(np.ceil(hi[0])) + 0.25)
                hy = (float(np.floor(lo[1])) - 0.25, float(np.ceil(hi[1])) + 0.25)
                self.ax_hid.set_xlim(*hx)
                self.ax_hid.set_ylim(*hy)
                changed = True
            # points that land on the same spot share one label, e.g. "(0, 1) (1, 0)"
            mid = 0.5 * (hx[0] + hx[1])
            for i, label in enumerate(self.hid_labels):
                same = [j for j in range(len(H)) if np.allclose(H[j], H[i], atol=1e-9)]
                label.xy = tuple(H[i])
                right = H[i, 0] > mid  # labels point inwards, so they stay inside the axes
                label.set_horizontalalignment("right" if right else "left")
                label.set_position((-7 if right else 7, 5))
                label.set_text(" ".join(f"({state.X[j, 0]:g}, {state.X[j, 1]:g})" for j in same) if same[0] == i else "")
            self.hid_line.set_data(*_line_through_box(state.w2, state.b2, hx, hy, level=state.threshold))
            for sign, side in zip((-1.0, 1.0), self.hid_sides, strict=True):
                corners = _half_box(state.w2, state.b2 - state.threshold, hx, hy, sign)
                side.set_visible(len(corners) >= 3)
                if len(corners) >= 3:
                    side.set_xy(corners)
        return changed

    def start_blitting(self, dpi):
        """Switch to fast redraws: freeze the layout, cache everything static as a background,
        and from then on draw only the dynamic artists on top of it (see ``render``)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure.set_dpi(dpi)
        self.title.set_text(f"input space ({self.activation})")  # static from now on
        self.canvas = FigureCanvasAgg(self.figure)
        self.canvas.draw()  # constrained layout runs once here
        self.figure.set_layout_engine("none")
        self.animated = True
        for a in self.dynamic_artists():
            a.set_animated(True)
        self._background = None

    def render(self, full=False) -> bytes:
        """The figure as JPEG bytes, redrawing only what changed unless ``full``.

        JPEG (quality 92, no chroma subsampling) encodes in about a millisecond, PNG in over ten:
        the difference decides whether a slider feels live."""
        import PIL.Image

        if full or self._background is None:
            self.canvas.draw()  # animated artists are skipped
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for a in self.dynamic_artists():
            self.figure.draw_artist(a)
        width, height = self.canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="jpeg", quality=92, subsampling=0)
        return buf.getvalue()


def plot_two_layer_state(state: TwoLayerState, *, unit: int | None = None, axes=None, legend: bool = True):
    """Draw a state: the decision regions and each hidden unit's line in the input plane, and
    (for two hidden units) where the data land in hidden space with the output's decision line.

    Background colour is the network's output (blue below the threshold, orange above); the black
    curve is the decision boundary; circled points are misclassified; ``unit`` (0-based) is drawn
    highlighted. With ``axes``, draws into them: one axes gives the input panel only, two give
    both panels. Returns the Figure.
    """
    return _Drawing(state, unit=unit, axes=axes, legend=legend).figure


# ---------------------------------------------------------------------------------------------
# Wiring
class HiddenUnitExplorer:
    """Sliders for one hidden unit's weights (w₁, w₂, b) of a 2-k-1 network, and the picture.

    Attributes:
        sliders: ``{"w1": FloatSlider, "w2": FloatSlider, "b": FloatSlider}``.
        reset: a Button that restores the starting weights.
        image: the ipywidgets Image showing the figure (JPEG bytes in ``image.value``).
        summary: an HTML widget with the accuracy and MSE.
        state: the current :class:`TwoLayerState`. figure: the matplotlib Figure.
        widget: the whole layout (a VBox); displaying the explorer displays it.
    """

    def __init__(
        self,
        W1,
        b1,
        w2,
        b2,
        X,
        y,
        *,
        unit=0,
        activation="relu",
        threshold=0.5,
        xlim=(-0.5, 1.5),
        limit=3.0,
        step=0.05,
        resolution=101,
        dpi=72,
    ):
        import ipywidgets as w

        W1, b1, w2, b2 = _weights(W1, b1, w2, b2)
        k = W1.shape[0]
        if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < k:
            raise ValueError(f"hidden_unit_explorer: unit must be an int in 0..{k - 1} (the network has {k} hidden units); got {unit!r}.")
        self.unit = int(unit)
        self._start = (W1.copy(), b1.copy())
        self._fixed = dict(w2=w2, b2=b2, X=X, y=y, activation=activation, threshold=threshold, xlim=xlim, resolution=resolution)
        self._quiet = False
        self.W1, self.b1 = W1.copy(), b1.copy()
        self.state = two_layer_state(self.W1, self.b1, **self._fixed)
        self._drawing = _Drawing(self.state, unit=self.unit)
        self._drawing.start_blitting(dpi)
        self.figure = self._drawing.figure
        n = self.unit + 1
        start = {"w1": W1[self.unit, 0], "w2": W1[self.unit, 1], "b": b1[self.unit]}
        labels = {"w1": f"w{n},1 (x₁)", "w2": f"w{n},2 (x₂)", "b": f"b{n}"}
        limit = max(float(limit), *(abs(float(v)) for v in start.values()))  # never clip the starting weights
        style = {"description_width": "70px"}
        self.sliders = {
            key: w.FloatSlider(
                value=float(start[key]),
                min=-limit,
                max=limit,
                step=step,
                description=labels[key],
                readout_format=".2f",
                continuous_update=True,
                style=style,
                layout=w.Layout(width="330px"),
            )
            for key in ("w1", "w2", "b")
        }
        self.reset = w.Button(description="reset", tooltip="back to the starting weights", layout=w.Layout(width="80px"))
        self.summary = w.HTML()
        self.image = w.Image(format="jpeg")
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self.reset.on_click(self._on_reset)
        controls = w.HBox([w.VBox(list(self.sliders.values())), w.VBox([self.reset, self.summary], layout=w.Layout(margin="0 0 0 16px"))])
        self.widget = w.VBox([controls, self.image])
        self._render()

    # -- state --------------------------------------------------------------------------------
    def set(self, **values) -> TwoLayerState:
        """Move sliders from code, e.g. ``explorer.set(b=-0.5)``; returns the new state."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(f"HiddenUnitExplorer.set: unknown slider(s) {sorted(unknown)}; known: w1, w2, b.")
        for key, value in values.items():
            self.sliders[key].value = value
        return self.state

    def _on_change(self, change=None):
        if self._quiet:
            return
        j = self.unit
        self.W1[j, 0] = self.sliders["w1"].value
        self.W1[j, 1] = self.sliders["w2"].value
        self.b1[j] = self.sliders["b"].value
        self.state = two_layer_state(self.W1, self.b1, **self._fixed)
        self._render(full=self._drawing.update(self.state))

    def _on_reset(self, _button=None):
        W1, b1 = self._start
        self._quiet = True  # three slider moves, one redraw
        try:
            for key, value in (("w1", W1[self.unit, 0]), ("w2", W1[self.unit, 1]), ("b", b1[self.unit])):
                self.sliders[key].value = float(value)
        finally:
            self._quiet = False
        self._on_change()

    def _render(self, full=False):
        self.image.value = self._drawing.render(full=full)
        self.summary.value = f"<b>{self.state.summary}</b>"

    # -- display ------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def hidden_unit_explorer(W1, b1, w2, b2, X, y, *, unit=0, activation="relu", **options) -> HiddenUnitExplorer:
    """Build a :class:`HiddenUnitExplorer` for hidden unit ``unit`` (0-based) of a 2-k-1 network.

    Options: ``threshold`` (0.5), ``xlim`` ((-0.5, 1.5)), ``limit`` (slider range ±3), ``step`` (0.05),
    ``resolution`` (grid points per axis, 101), ``dpi`` (72).
    """
    return HiddenUnitExplorer(W1, b1, w2, b2, X, y, unit=unit, activation=activation, **options)
