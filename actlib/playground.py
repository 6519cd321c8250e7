"""The playground: train a small network on a 2-D data set and watch it learn, live.

A TensorFlow-Playground-like explorer built on ``actlib.nn.MLP`` (backpropagation on the
registry's derivatives). Pick a data set, an activation, the depth and width, an initializer, the
learning rate, the batch size and a regulariser; train, step or reset; see the decision boundary
over the data, the train and test loss, and a histogram of every hidden layer's activations.

>>> from actlib import playground
>>> pg = playground.Playground(dataset="xor", activation="tanh", depth=2, width=8, lr=0.1, seed=0)
>>> pg.data.X_train.shape, pg.data.X_test.shape
((100, 2), (100, 2))
>>> _ = pg.train(300)
>>> pg.steps, pg.evaluate()["test_accuracy"] > 0.9
(300, True)

Three layers, as everywhere in actlib:

1. plain NumPy: ``make_dataset`` (the five data sets, split into train and test) and the
   ``Playground`` session (``step``, ``train``, ``reset``, ``evaluate``, ``decision_grid``,
   ``hidden_activations``, ``keras_code``), which tests and Check cells drive headlessly;
2. drawing: ``PlaygroundFigure`` updates one matplotlib Figure in place and encodes it as JPEG
   (fast enough for live frames); ``playground_figure`` gives the same picture as a static Figure
   for readers on GitHub;
3. wiring: ``PlaygroundWidget`` (build it with ``playground()``), the controls and buttons.
   *train* runs steps in a background thread that pushes each new frame into an
   ``ipywidgets.Image`` (ipywidgets sends trait changes from any thread), so the notebook stays
   responsive; pressing it again pauses.

Regularisation penalises the weights (not the biases): L2 adds ``(λ/2)·Σw²`` to the loss, L1 adds
``λ·Σ|w|``. The loss curves show the data loss (binary cross-entropy) without the penalty.
"""

from __future__ import annotations

import html
import io
import math
import numbers
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from . import data as _data
from ._validation import _short, as_rng, check_real, unknown_name
from .nn import INITIALIZERS, MLP
from .registry import Activation, get

__all__ = [
    "DATASETS",
    "Dataset",
    "Playground",
    "PlaygroundFigure",
    "PlaygroundWidget",
    "Settings",
    "blobs",
    "make_dataset",
    "playground",
    "playground_figure",
    "plot_boundary",
]

#: The data sets, in the order the dropdown shows them.
DATASETS = ("xor", "circles", "moons", "spirals", "blobs")
#: The noise each data set starts with (the std of Gaussian noise on each coordinate).
DEFAULT_NOISE = {"xor": 0.25, "circles": 0.08, "moons": 0.1, "spirals": 0.03, "blobs": 0.35}
REGULARIZATIONS = ("none", "L1", "L2")
#: The learning rates and regularisation rates the controls offer (TensorFlow Playground's lists).
LEARNING_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCH_SIZES = (1, 5, 10, 20, 50, None)  # None: the whole training set
STEPS_PER_FRAME = (1, 2, 5, 10, 20, 50)
MAX_DEPTH, MAX_WIDTH = 6, 16

_CLASS_COLORS = ("#0072b2", "#d55e00")  # the course's class colours (actlib.widgets): 0 blue, 1 vermilion


# ---------------------------------------------------------------------------------------------
# Data


def _count(func: str, name: str, value, minimum: int) -> int:
    """An int count >= minimum (bools and floats are refused, even 4.0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an int; got {_short(value)} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be >= {minimum}; got {value}.")
    return int(value)


def blobs(n: int = 200, *, noise: float = 0.35, shuffle: bool = True, rng=0):
    """Two Gaussian blobs: class 0 around (−0.5, −0.5), class 1 around (0.5, 0.5).

    ``noise`` is the standard deviation of each blob along each axis (> 0 makes them overlap
    more). n // 2 points go to class 0 and the rest to class 1. Returns ``(X, y)`` like the
    generators in ``actlib.data`` (which has no blobs).

    >>> X, y = blobs(4, noise=0.0, shuffle=False)
    >>> X, y
    (array([[-0.5, -0.5],
           [-0.5, -0.5],
           [ 0.5,  0.5],
           [ 0.5,  0.5]]), array([0, 0, 1, 1]))
    """
    func = "blobs"
    n = _count(func, "n", n, minimum=2)
    noise = check_real(func, "noise", noise, low=0.0)
    gen = as_rng(rng, func)
    n0 = n // 2
    y = np.repeat([0, 1], [n0, n - n0])
    centres = np.where(y[:, None] == 1, 0.5, -0.5) * np.ones((n, 2))
    X = centres + noise * gen.standard_normal((n, 2))
    if shuffle:
        order = gen.permutation(n)
        X, y = X[order], y[order]
    return X, y.astype(np.int64)


def _error_html(text):
    """The widgets' shared red warning line (explorer is imported lazily: it loads ipywidgets)."""
    from .explorer import error_html

    return error_html(text)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A 2-D data set split into a training and a test part.

    Fields: name, noise, seed; X_train (n_train, 2), y_train (n_train,) with labels 0/1; X_test,
    y_test; extent: the half-width L of the square [−L, L]² the plots show.
    """

    name: str
    noise: float
    seed: int
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    extent: float

    @property
    def X(self) -> np.ndarray:
        """All points (training first)."""
        return np.vstack([self.X_train, self.X_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])


def _seed(func, seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"{func}: seed must be a non-negative int; got {_short(seed)}.")
    return int(seed)


def make_dataset(name: str = "xor", n: int = 200, *, noise: float | None = None, train_fraction: float = 0.5, seed: int = 0) -> Dataset:
    """One of the playground's data sets, centred on the origin and split at random into train and test.

    Args:
        name: ``"xor"`` (four clouds at (±1, ±1), label 1 where the signs differ), ``"circles"``
            (a ring of radius 1 around a disc of radius 0.5), ``"moons"`` (two interleaved half
            circles), ``"spirals"`` (two arms winding 1.5 times) or ``"blobs"`` (two Gaussian clouds).
        n: number of points in all (train + test).
        noise: std of the Gaussian noise on each coordinate; None: the set's default
            (``DEFAULT_NOISE``).
        train_fraction: share of the points used for training (the rest is the test set).
        seed: the same seed gives the same points and the same split.

    >>> d = make_dataset("circles", 10, train_fraction=0.6, seed=1)
    >>> d.X_train.shape, d.X_test.shape, sorted(set(d.y.tolist()))
    ((6, 2), (4, 2), [0, 1])
    """
    func = "make_dataset"
    if not isinstance(name, str) or name.strip().lower() not in DATASETS:
        raise unknown_name(func, "data set", name, DATASETS)
    name = name.strip().lower()
    n = _count(func, "n", n, minimum=4)
    noise = DEFAULT_NOISE[name] if noise is None else check_real(func, "noise", noise, low=0.0)
    train_fraction = check_real(func, "train_fraction", train_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    seed = _seed(func, seed)
    gen = np.random.default_rng(seed)
    if name == "xor":
        X, y = _data.xor(-(-n // 4), noise=noise, centered=True, shuffle=True, rng=gen)
        X, y = X[:n], y[:n]
    elif name == "circles":
        X, y = _data.circles(n, noise=noise, factor=0.5, rng=gen)
    elif name == "moons":
        X, y = _data.moons(n, noise=noise, rng=gen)
        X = X - np.array([0.5, 0.25])  # centre the pair of moons on the origin
    elif name == "spirals":
        X, y = _data.spirals(n, noise=noise, turns=1.5, rng=gen)
    else:
        X, y = blobs(n, noise=noise, rng=gen)
    n_train = min(n - 1, max(1, round(train_fraction * n)))
    order = gen.permutation(n)
    train, test = order[:n_train], order[n_train:]
    extent = max(1.5, math.ceil(1.05 * float(np.abs(X).max()) * 4.0) / 4.0)
    return Dataset(name, float(noise), seed, X[train], y[train], X[test], y[test], extent)


# ---------------------------------------------------------------------------------------------
# Settings and the training session (NumPy only)


@dataclass(frozen=True)
class Settings:
    """Everything that defines a playground run. ``replace(settings, lr=0.1)`` changes one field.

    Fields that rebuild the network when they change: dataset, noise, n_points, train_fraction,
    activation, params, depth, width, init, seed. Fields that apply at the next step: lr,
    batch_size, regularization, reg_rate.
    """

    dataset: str = "xor"
    noise: float | None = None  # None: the data set's own (DEFAULT_NOISE)
    n_points: int = 200
    train_fraction: float = 0.5
    activation: str = "tanh"
    params: Mapping[str, Any] = field(default_factory=dict)
    depth: int = 2
    width: int = 8
    init: Any = "auto"  # "auto": the activation's recommended initializer (its card's ``init``)
    lr: float = 0.03
    batch_size: int | None = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    seed: int = 0


#: The settings that only change how the next steps are taken (the network is kept).
LIVE_SETTINGS = frozenset({"lr", "batch_size", "regularization", "reg_rate"})


def _positive_int(func, name, value, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1 or (high is not None and value > high):
        limit = f" between 1 and {high}" if high is not None else ""
        raise ValueError(f"{func}: {name} must be a positive int{limit}; got {_short(value)}.")
    return int(value)


def _checked(settings: Settings, func: str) -> Settings:
    """Validate every field; return the settings with canonical names and plain types."""
    s = settings
    if not isinstance(s.dataset, str) or s.dataset.strip().lower() not in DATASETS:
        raise unknown_name(func, "data set", s.dataset, DATASETS)
    noise = DEFAULT_NOISE[s.dataset.strip().lower()] if s.noise is None else check_real(func, "noise", s.noise, low=0.0)
    if not isinstance(s.params, Mapping):
        raise TypeError(f"{func}: params must be a dict of activation parameters such as {{'alpha': 0.1}}; got {_short(s.params)}.")
    if not isinstance(s.activation, (str, Activation)):
        raise TypeError(f"{func}: activation must be a registry name such as 'relu'; got {_short(s.activation)}.")
    params = {**(s.activation.params if isinstance(s.activation, Activation) else {}), **s.params}
    try:
        act = get(s.activation, **params)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{func}: " + str(exc).removeprefix("actlib.get: ")) from None
    if not act.elementwise:
        raise ValueError(f"{func}: the hidden activation must act element by element; got {act.name!r} (the output is already a sigmoid).")
    init = s.init
    if isinstance(init, str):
        init = init.strip().lower()
        if init != "auto" and init not in INITIALIZERS:
            raise unknown_name(func, "initializer", s.init, ("auto", *INITIALIZERS))
    elif isinstance(init, bool) or not isinstance(init, numbers.Real):
        raise TypeError(f"{func}: init must be 'auto', a Keras initializer name such as 'he_normal', or a float std; got {_short(init)}.")
    else:
        init = check_real(func, "init (a standard deviation)", init, low=0.0)
    batch = s.batch_size
    if batch is not None:
        batch = _positive_int(func, "batch_size (or None for the whole training set)", batch)
    if not isinstance(s.regularization, str) or s.regularization.strip().upper() not in ("NONE", "L1", "L2"):
        raise unknown_name(func, "regularization", s.regularization, REGULARIZATIONS)
    reg = s.regularization.strip().upper()
    return Settings(
        dataset=s.dataset.strip().lower(),
        noise=noise,
        n_points=_count(func, "n_points", s.n_points, minimum=4),
        train_fraction=check_real(func, "train_fraction", s.train_fraction, low=0.0, high=1.0, low_open=True, high_open=True),
        activation=act.name,
        params=dict(act.params),
        depth=_positive_int(func, "depth (hidden layers)", s.depth, MAX_DEPTH),
        width=_positive_int(func, "width (units per hidden layer)", s.width, MAX_WIDTH),
        init=init,
        lr=check_real(func, "lr", s.lr, low=0.0, low_open=True),
        batch_size=batch,
        regularization="none" if reg == "NONE" else reg,
        reg_rate=check_real(func, "reg_rate", s.reg_rate, low=0.0),
        seed=_seed(func, s.seed),
    )


def _bce(p, y) -> float:
    """Mean binary cross-entropy of probabilities p (n, 1) for labels y (n,)."""
    p = np.clip(p[:, 0], 1e-15, 1.0 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


class Playground:
    """One training run: a data set, a network and its history; no widgets.

    Build it from a ``Settings`` or keyword arguments (the fields of ``Settings``):

    >>> pg = Playground(dataset="circles", activation="relu", depth=1, width=4)
    >>> pg.model.sizes, pg.model.init
    ((2, 4, 1), 'he_normal')

    Attributes:
        settings: the validated ``Settings``. data: the ``Dataset``. model: the ``MLP`` (sigmoid
            output, binary cross-entropy). activation: the hidden ``Activation``.
        steps: gradient steps taken since the last reset.
        history: lists ``step``, ``train_loss``, ``test_loss``, ``train_accuracy``,
            ``test_accuracy``, recorded before the first step and after each step.
        diverged: "" or the reason training stopped (the weights overflowed); ``step`` then
            refuses to go on until ``reset``.
    """

    def __init__(self, settings: Settings | None = None, **changes):
        func = "Playground"
        if settings is not None and not isinstance(settings, Settings):
            raise TypeError(f"{func}: settings must be a playground.Settings (or pass keyword arguments); got {_short(settings)}.")
        self.settings = _checked(self._merge(settings or Settings(), changes, func), func)
        self._build()

    @staticmethod
    def _merge(settings, changes, func):
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"{func}: unknown setting(s) {', '.join(unknown)}; the settings are {', '.join(sorted(known))}.")
        if "activation" in changes and "params" not in changes:
            changes = {**changes, "params": {}}  # a new activation starts at its own defaults
        if "dataset" in changes and "noise" not in changes:
            changes = {**changes, "noise": None}  # and a new data set at its own noise
        return replace(settings, **changes)

    # -- building -------------------------------------------------------------------------------
    def _build(self):
        s = self.settings
        self.data = make_dataset(s.dataset, s.n_points, noise=s.noise, train_fraction=s.train_fraction, seed=s.seed)
        self.activation = get(s.activation, **s.params)
        init = self.activation.init if s.init == "auto" else s.init
        sizes = [2] + [s.width] * s.depth + [1]
        self.model = MLP(sizes, activation=self.activation, init=init, output="sigmoid", rng=s.seed)
        self._order_rng = np.random.default_rng([s.seed, 1])
        self._order = np.empty(0, dtype=np.int64)
        self._pos = 0
        self.steps = 0
        self.diverged = ""
        self.history = {"step": [], "train_loss": [], "test_loss": [], "train_accuracy": [], "test_accuracy": []}
        self._record()

    def configure(self, **changes) -> bool:
        """Change settings; returns True if the network was rebuilt (data, architecture, seed...).

        ``lr``, ``batch_size``, ``regularization`` and ``reg_rate`` apply from the next step on and
        keep the trained weights; any other change starts a fresh network.
        """
        func = "Playground.configure"
        new = _checked(self._merge(self.settings, changes, func), func)
        rebuild = any(getattr(new, f.name) != getattr(self.settings, f.name) for f in fields(Settings) if f.name not in LIVE_SETTINGS)
        self.settings = new
        if rebuild:
            self._build()
        return rebuild

    def reset(self, seed: int | None = None):
        """A fresh network (new weights from ``seed``, by default the current one) and an empty history."""
        if seed is not None:
            self.settings = replace(self.settings, seed=_seed("Playground.reset", seed))
        self._build()
        return self

    # -- training -------------------------------------------------------------------------------
    def _batch(self):
        n = len(self.data.y_train)
        size = n if self.settings.batch_size is None else min(self.settings.batch_size, n)
        if size == n:
            return self.data.X_train, self.data.y_train
        if self._pos + size > len(self._order):
            self._order = self._order_rng.permutation(n)  # a new epoch in a new order
            self._pos = 0
        idx = self._order[self._pos : self._pos + size]
        self._pos += size
        return self.data.X_train[idx], self.data.y_train[idx]

    def penalty(self) -> float:
        """The regularisation term added to the loss: (λ/2)·Σw² for L2, λ·Σ|w| for L1, else 0."""
        s = self.settings
        if s.regularization == "L2":
            return 0.5 * s.reg_rate * self.weight_norm() ** 2 if s.reg_rate else 0.0
        if s.regularization == "L1":
            return s.reg_rate * sum(float(np.sum(np.abs(w))) for w in self.model.W)
        return 0.0

    def gradients(self, X, y):
        """(loss + penalty, gradients) on (X, y): the data loss's gradient (``MLP.loss_and_grads``)
        plus the penalty's, λ·w for L2 or λ·sign(w) for L1, on the weights only."""
        loss, grads = self.model.loss_and_grads(X, y)
        s = self.settings
        if s.regularization != "none" and s.reg_rate > 0:
            if s.regularization == "L2":
                grads["W"] = [g + s.reg_rate * w for g, w in zip(grads["W"], self.model.W, strict=True)]
            else:
                grads["W"] = [g + s.reg_rate * np.sign(w) for g, w in zip(grads["W"], self.model.W, strict=True)]
        return loss + self.penalty(), grads

    def step(self, n: int = 1, *, record: bool = True) -> float:
        """Take ``n`` gradient steps (one mini-batch each); returns the training loss after them.

        A step that would make the loss or the weights overflow is not taken: ``diverged``
        explains, and no further step is taken until ``reset``.
        """
        n = _positive_int("Playground.step", "n", n)
        lr = self.settings.lr
        for _ in range(n):
            if self.diverged:
                break
            X, y = self._batch()
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    _, grads = self.gradients(X, y)
                    W = [w - lr * g for w, g in zip(self.model.W, grads["W"], strict=True)]
                    b = [v - lr * g for v, g in zip(self.model.b, grads["b"], strict=True)]
                if not all(np.isfinite(p).all() for p in W + b):
                    raise FloatingPointError("the updated weights overflowed")
            except FloatingPointError:
                self.diverged = (
                    f"diverged at step {self.steps + 1}: the weights blew up to inf/NaN with learning rate {lr:g}. "
                    "Lower the learning rate and press reset."
                )
                break
            self.model.W, self.model.b = W, b
            self.steps += 1
            if record:
                self._record()
        return self.history["train_loss"][-1]

    def train(self, steps: int, *, record_every: int = 1) -> dict:
        """Take ``steps`` steps, recording the losses every ``record_every`` steps; returns ``evaluate()``."""
        steps = _positive_int("Playground.train", "steps", steps)
        record_every = _positive_int("Playground.train", "record_every", record_every)
        for i in range(1, steps + 1):
            self.step(record=i % record_every == 0 or i == steps)
            if self.diverged:
                break
        return self.evaluate()

    def _record(self):
        e = self._evaluate()
        h = self.history
        h["step"].append(self.steps)
        for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            h[key].append(e[key])

    def _evaluate(self):
        d, out = self.data, {}
        with np.errstate(over="ignore", invalid="ignore"):
            for part, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
                p, _ = self.model._forward(X)
                out[f"{part}_loss"] = _bce(p, y) if np.isfinite(p).all() else math.inf
                out[f"{part}_accuracy"] = float(np.mean((p[:, 0] > 0.5) == (y == 1)))
        return out

    def evaluate(self) -> dict:
        """Losses (binary cross-entropy, without the penalty) and accuracies on the train and test sets."""
        return {"step": self.steps, **self._evaluate(), "penalty": self.penalty()}

    # -- looking inside -------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """P(class 1 | x) for the rows of X, shape (n,)."""
        out, _ = self.model.forward(X)
        return out[:, 0]

    def decision_grid(self, resolution: int = 60):
        """(xs, ys, P): the model's P(class 1) on a ``resolution`` × ``resolution`` grid over the
        plotted square; ``P[i, j]`` belongs to the point (xs[j], ys[i])."""
        resolution = _positive_int("Playground.decision_grid", "resolution", resolution)
        L = self.data.extent
        xs = np.linspace(-L, L, resolution)
        key = (L, resolution)
        if getattr(self, "_grid_key", None) != key:
            gx, gy = np.meshgrid(xs, xs)
            self._grid_points, self._grid_key = np.column_stack([gx.ravel(), gy.ravel()]), key
        with np.errstate(over="ignore", invalid="ignore"):
            out, _ = self.model._forward(self._grid_points)
        return xs, xs, out[:, 0].reshape(resolution, resolution)

    def hidden_activations(self, X=None) -> list[np.ndarray]:
        """Each hidden layer's activations φ(z) on X (default: the training set), one array per layer."""
        X = self.data.X_train if X is None else self.model._check_X(X, "Playground.hidden_activations")
        with np.errstate(over="ignore", invalid="ignore"):
            _, cache = self.model._forward(X)
        return cache["a"][1:-1]

    def boundary_length(self, resolution: int = 200) -> float:
        """Length of the decision boundary (P = 0.5) inside the plotted square, in data units.

        Measured on a grid: the number of neighbouring cells on opposite sides of the boundary,
        times the cell size, times π/4 (the average factor for a curve crossing a square grid at
        random angles). A wiggly boundary is long; a smooth one is short.
        """
        xs, _, P = self.decision_grid(resolution)
        side = P > 0.5
        flips = np.count_nonzero(side[:, 1:] != side[:, :-1]) + np.count_nonzero(side[1:, :] != side[:-1, :])
        return float(flips * (xs[1] - xs[0]) * math.pi / 4)

    def weight_norm(self) -> float:
        """√(Σ w²) over every weight (not the biases); scaled first, so huge weights give no overflow."""
        top = max(float(np.max(np.abs(w))) for w in self.model.W)
        if top == 0.0 or not math.isfinite(top):
            return top
        return top * math.sqrt(sum(float(np.sum((w / top) ** 2)) for w in self.model.W))

    def keras_code(self) -> str:
        """Python code that builds the same network in Keras, with the learned weights loaded.

        The code gets Keras through ``actlib.keras()`` (plain ``import keras`` works as well),
        uses ``keras.Input`` and named ``Dense`` layers, passes the activation's parameters
        explicitly (from the registry's ``keras_code``), and sets each layer's weights exactly
        (every float written with all its digits). Executed, it leaves the model in ``model``.
        """
        act, s = self.activation, self.settings
        header = [
            f"# The playground's network in Keras: {act.label} activation, {s.depth} hidden layer(s) of {s.width} units,",
            f"# a sigmoid output, after {self.steps} training steps on {s.dataset!r}. Weights are float64, Keras keeps float32.",
            "import numpy as np",
            "",
            "import actlib",
            "",
            "keras = actlib.keras()  # Keras 3 through actlib's quiet loader; plain `import keras` works too",
            "",
        ]
        layers, extra_layer = [], None
        if act.keras_code and act.keras_code == f"keras.activations.{act.keras}(x)":
            activation_arg = repr(act.keras)
        elif act.keras_code.startswith("keras.layers."):
            activation_arg, extra_layer = None, act.keras_code  # a layer (PReLU): Dense, then the layer
        elif act.keras_code:
            header += [f"def phi(x):  # {act.label}, parameters passed explicitly", f"    return {act.keras_code}", "", ""]
            activation_arg = "phi"
        elif act.keras_fn is not None:
            header += [f"phi = actlib.get({act.name!r}, **{dict(act.params)!r}).keras_function()", ""]
            activation_arg = "phi"
        else:
            raise ValueError(f"Playground.keras_code: {act.name} has no Keras equivalent in the registry (no keras_code); register one to export.")
        names = []
        for i in range(s.depth):
            name = f"hidden_{i + 1}"
            names.append(name)
            if extra_layer is None:
                layers.append(f"        keras.layers.Dense({s.width}, activation={activation_arg}, name={name!r}),")
            else:
                layers.append(f"        keras.layers.Dense({s.width}, name={name!r}),")
                layers.append(f"        {extra_layer[:-1]}, name={name + '_' + act.name!r}),")
        names.append("output")
        layers.append("        keras.layers.Dense(1, activation='sigmoid', name='output'),")
        body = [
            "model = keras.Sequential(",
            "    [",
            "        keras.Input(shape=(2,), name='x'),",
            *layers,
            "    ],",
            "    name='playground',",
            ")",
            "weights = {  # layer name: [kernel (inputs × units), bias]",
        ]
        for name, W, b in zip(names, self.model.W, self.model.b, strict=True):
            body.append(f"    {name!r}: [")
            body.append("        np.array([")
            body += [f"            [{', '.join(repr(float(v)) for v in row)}]," for row in W]
            body.append("        ]),")
            body.append(f"        np.array([{', '.join(repr(float(v)) for v in b)}]),")
            body.append("    ],")
        body += [
            "}",
            "for name, (kernel, bias) in weights.items():",
            "    model.get_layer(name).set_weights([kernel, bias])",
        ]
        return "\n".join(header + body) + "\n"


# ---------------------------------------------------------------------------------------------
# Drawing: one Figure, updated in place


def _lighter(hex_color, amount):
    rgb = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return tuple(rgb + (1.0 - rgb) * amount)


def _histogram_range(act: Activation) -> tuple[float, float]:
    """The x-range of the activation histograms: the output range, clipped to [−3, 3]."""
    lo, hi = act.output_range
    lo, hi = max(lo, -3.0), min(hi, 3.0)
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def _nice_top(value) -> float:
    """The smallest of 1, 2, 5, 10, 20, ... that is ≥ value (the loss axis grows in steps)."""
    for top in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0):
        if value <= top:
            return top
    return 10.0 ** math.ceil(math.log10(value))


@dataclass
class PlaygroundFigure:
    """The Figure (decision boundary | loss curves | activation histograms) and its artists.

    ``update(pg)`` moves every artist to the session's current state; ``render()`` returns the
    frame as JPEG bytes. With ``blit=True`` (live frames) the axes, ticks and labels are drawn once
    per set of limits and kept as a background; each frame pastes it back and draws only what
    changes on top. Build it with ``new_playground_figure``.
    """

    fig: Any
    ax_b: Any
    ax_l: Any
    ax_h: Any
    image: Any
    train_points: list  # one Line2D of markers per class: Agg stamps a cached marker, far cheaper than a scatter
    test_points: list
    train_line: Any
    test_line: Any
    status: Any
    loss_text: Any
    blit: bool = True
    resolution: int = 50
    polygons: list = field(default_factory=list)
    contour: Any = None
    key: tuple = ()
    backgrounds: OrderedDict = field(default_factory=OrderedDict, repr=False)
    full_draws: int = 0
    jpeg_quality: int = 90

    @property
    def size_px(self) -> tuple[int, int]:
        return self.fig.canvas.get_width_height()

    @property
    def dynamic(self) -> list:
        texts = [] if self.blit else [self.status, self.loss_text]  # live frames leave numbers to the widget's status line:
        return [self.image, *([self.contour] if self.contour is not None else []), *self.train_points, *self.test_points,  # drawing
                self.train_line, self.test_line, *self.polygons, *texts]  # a changing text costs more than all the rest

    def update(self, pg: Playground):
        """Put the session's current state into the artists (nothing is drawn yet)."""
        from matplotlib.patches import Polygon

        d, h = pg.data, pg.history
        L = d.extent
        xs, _, P = pg.decision_grid(self.resolution)
        self.image.set_data(P)
        self.image.set_extent((-L, L, -L, L))
        self.ax_b.set_xlim(-L, L)
        self.ax_b.set_ylim(-L, L)
        if getattr(self, "_data_id", None) is not d:
            for cls in (0, 1):
                self.train_points[cls].set_data(*d.X_train[d.y_train == cls].T)
                self.test_points[cls].set_data(*d.X_test[d.y_test == cls].T)
            self._data_id = d
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        if not self.blit and np.ptp(P) > 1e-9 and P.min() < 0.5 < P.max():
            self.contour = self.ax_b.contour(xs, xs, P, levels=[0.5], colors="k", linewidths=1.6)
        if not self.blit:
            e = pg.evaluate()
            self.status.set_text(f"step {pg.steps:,} · test accuracy {e['test_accuracy']:.0%}" + (" · DIVERGED" if pg.diverged else ""))

        steps = np.asarray(h["step"], dtype=float)
        train, test = np.asarray(h["train_loss"]), np.asarray(h["test_loss"])
        self.train_line.set_data(steps, train)
        self.test_line.set_data(steps, test)
        x_top = 50.0
        while x_top < steps[-1]:
            x_top *= 2
        finite = np.concatenate([train[np.isfinite(train)], test[np.isfinite(test)]])
        y_top = _nice_top(min(float(finite.max()) * 1.05, 100.0)) if finite.size else 1.0
        self.ax_l.set_xlim(0, x_top)
        self.ax_l.set_ylim(0, y_top)
        if not self.blit:
            self.loss_text.set_text(f"train {train[-1]:.3f}   test {test[-1]:.3f}")

        lo, hi = _histogram_range(pg.activation)
        layers = pg.hidden_activations() if not pg.diverged else []
        if len(self.polygons) != pg.settings.depth:
            for poly in self.polygons:
                poly.remove()
            self.polygons = [Polygon(np.zeros((2, 2)), closed=True, animated=self.blit, lw=1.0) for _ in range(pg.settings.depth)]
            for poly in self.polygons:
                self.ax_h.add_patch(poly)
        colour = _act_color(pg.activation)
        edges = np.linspace(lo, hi, 31)
        for i, poly in enumerate(self.polygons):
            if i < len(layers):
                values = layers[i].ravel()
                counts, _ = np.histogram(np.clip(values[~np.isnan(values)], lo, hi), bins=edges)
                heights = 0.85 * counts / max(1, counts.max())
            else:
                heights = np.zeros(len(edges) - 1)
            xy = np.empty((2 * len(heights) + 2, 2))
            xy[1:-1:2, 0], xy[2:-1:2, 0] = edges[:-1], edges[1:]
            xy[1:-1, 1] = np.repeat(heights, 2) + i
            xy[0] = (edges[0], i)
            xy[-1] = (edges[-1], i)
            poly.set_xy(xy)
            poly.set_facecolor((*_rgb(colour), 0.55))
            poly.set_edgecolor(colour)
        depth = pg.settings.depth
        key = ((-L, L), (0, x_top), (0, y_top), (lo, hi), depth, pg.activation.name, self.size_px)
        if key != self.key:  # ticks and titles only change with the limits (new tick objects are costly)
            self.ax_h.set_xlim(lo, hi)
            self.ax_h.set_ylim(-0.1, max(depth, 1) + 0.05)
            self.ax_h.set_yticks(np.arange(depth) + 0.35, [f"layer {i + 1}" for i in range(depth)])
            self.ax_h.set_title(f"activations per hidden layer ({pg.activation.name}, train data)", fontsize=11)
            self.key = key

    def render(self) -> bytes:
        """The current frame as JPEG bytes (call ``update`` first)."""
        import PIL.Image

        canvas = self.fig.canvas
        if not self.blit:
            canvas.draw()
        elif self.key in self.backgrounds:
            self.backgrounds.move_to_end(self.key)
            canvas.restore_region(self.backgrounds[self.key])
        else:
            canvas.draw()  # everything but the animated artists
            self.backgrounds[self.key] = canvas.copy_from_bbox(self.fig.bbox)
            self.full_draws += 1
            while len(self.backgrounds) > 8:
                self.backgrounds.popitem(last=False)
        if self.blit:
            renderer = canvas.get_renderer()
            for artist in self.dynamic:
                artist.draw(renderer)
        width, height = canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="jpeg", quality=self.jpeg_quality, subsampling=0)
        return buf.getvalue()


def _act_color(act):
    from .plotting import color

    return color(act.name)


def _rgb(hex_color):
    return tuple(int(hex_color[i : i + 2], 16) / 255.0 for i in (1, 3, 5))


def new_playground_figure(size=(12.0, 4.0), dpi=80, *, blit=True, resolution=50) -> PlaygroundFigure:
    """The playground's Figure with fixed margins (no layout engine: frames must be cheap)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    w, h = size
    side = 0.76 * h / w  # a square boundary panel
    ax_b = fig.add_axes((0.045, 0.13, side, 0.76))
    ax_l = fig.add_axes((0.045 + side + 0.07, 0.13, 0.25, 0.76))
    ax_h = fig.add_axes((0.045 + side + 0.07 + 0.25 + 0.085, 0.13, 0.985 - (0.045 + side + 0.07 + 0.25 + 0.085), 0.76))
    cmap = LinearSegmentedColormap.from_list("playground", [_lighter(_CLASS_COLORS[0], 0.35), (1, 1, 1), _lighter(_CLASS_COLORS[1], 0.35)])
    image = ax_b.imshow(np.full((2, 2), 0.5), origin="lower", extent=(-1, 1, -1, 1), cmap=cmap, vmin=0.0, vmax=1.0,
                        interpolation="bilinear", aspect="equal", zorder=0)
    train_points = [ax_b.plot([], [], "o", ms=5, mfc=c, mec="white", mew=0.7, zorder=3)[0] for c in _CLASS_COLORS]
    test_points = [ax_b.plot([], [], "o", ms=5, mfc="none", mec=c, mew=1.3, zorder=3)[0] for c in _CLASS_COLORS]
    ax_b.set_xlabel("$x_1$", labelpad=1)
    ax_b.set_ylabel("$x_2$", labelpad=1)
    ax_b.tick_params(labelsize=9)
    status = ax_b.text(0.0, 1.025, "decision boundary" if blit else "", transform=ax_b.transAxes, fontsize=11, ha="left", va="bottom")
    (train_line,) = ax_l.plot([], [], color="0.15", lw=2.0, label="train loss")
    (test_line,) = ax_l.plot([], [], color=_CLASS_COLORS[1], lw=1.8, ls="--", label="test loss")
    ax_l.axhline(math.log(2), color="0.55", lw=1.0, ls=":", zorder=0)
    ax_l.text(0.99, math.log(2), "chance (log 2)", transform=ax_l.get_yaxis_transform(), ha="right", va="bottom", fontsize=9, color="0.4")
    ax_l.set_xlabel("training step", labelpad=1)
    ax_l.set_ylabel("binary cross-entropy", labelpad=2)
    ax_l.grid(True, alpha=0.3)
    ax_l.tick_params(labelsize=9)
    loss_text = ax_l.text(0.98, 0.96, "", transform=ax_l.transAxes, ha="right", va="top", fontsize=10)
    handles = [Line2D([], [], color="0.15", lw=2.0), Line2D([], [], color=_CLASS_COLORS[1], lw=1.8, ls="--"),
               Line2D([], [], marker="o", ls="", color="0.4", mec="white"), Line2D([], [], marker="o", ls="", mfc="none", color="0.4")]
    ax_l.legend(handles, ["train loss", "test loss", "train points", "test points"], loc="lower center", bbox_to_anchor=(0.5, 1.0),
                ncols=2, fontsize=9, frameon=False, borderaxespad=0.1, handlelength=2.2, columnspacing=1.2)
    ax_h.set_xlabel("activation value φ(z)", labelpad=1)
    ax_h.grid(True, axis="x", alpha=0.3)
    ax_h.tick_params(labelsize=9)
    fs = PlaygroundFigure(fig, ax_b, ax_l, ax_h, image, train_points, test_points, train_line, test_line, status, loss_text,
                          blit=blit, resolution=resolution)
    for artist in fs.dynamic:
        artist.set_animated(blit)
    return fs


def plot_boundary(pg: Playground, ax=None, *, resolution: int = 120, title: str | None = None):
    """Draw a session's decision boundary (P = 0.5, black), its P(class 1) as background colour and
    the data (training points filled, test points hollow) on ``ax``; returns the Figure.

    The title defaults to the activation, the network's shape and the test accuracy.
    """
    from matplotlib.colors import LinearSegmentedColormap

    from .plotting import new_figure

    if ax is None:
        ax = new_figure(1, 1, size=(3.6, 3.6))[1][0, 0]
    d, s = pg.data, pg.settings
    xs, _, P = pg.decision_grid(resolution)
    L = d.extent
    cmap = LinearSegmentedColormap.from_list("playground", [_lighter(_CLASS_COLORS[0], 0.35), (1, 1, 1), _lighter(_CLASS_COLORS[1], 0.35)])
    ax.imshow(P, origin="lower", extent=(-L, L, -L, L), cmap=cmap, vmin=0, vmax=1, interpolation="bilinear", zorder=0)
    if np.ptp(P) > 1e-9 and P.min() < 0.5 < P.max():
        ax.contour(xs, xs, P, levels=[0.5], colors="k", linewidths=1.5)
    colors = np.array(_CLASS_COLORS)
    ax.scatter(*d.X_train.T, s=16, c=colors[d.y_train], edgecolors="white", linewidths=0.5, zorder=3)
    ax.scatter(*d.X_test.T, s=16, facecolors="none", edgecolors=colors[d.y_test], linewidths=1.0, zorder=3)
    ax.set_xlim(-L, L)
    ax.set_ylim(-L, L)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is None:
        title = f"{pg.activation.label}, {s.depth}×{s.width}: test {pg.evaluate()['test_accuracy']:.0%}"
    ax.set_title(title, fontsize=10)
    return ax.figure


def playground_figure(pg: Playground, *, resolution: int = 120):
    """The playground's picture of a session as a static Figure (with the P = 0.5 boundary drawn):
    show it for readers on GitHub, where widgets do not run."""
    fs = new_playground_figure(blit=False, resolution=resolution, dpi=96)
    fs.update(pg)
    return fs.fig


# ---------------------------------------------------------------------------------------------
# The widget: wiring only


def _fmt_rate(v) -> str:
    return "0" if v == 0 else f"{v:g}"


class PlaygroundWidget:
    """The live playground; build it with ``playground()``.

    Controls (set ``.value`` from code as a student would with the mouse; each change redraws):
        dataset, noise, train_fraction, activation, the activation's parameters (``param_controls``:
        sliders, or a dropdown for GELU's approximation), depth, width, init, lr, batch_size,
        regularization, reg_rate, seed, speed (steps per frame while training).
    Buttons:
        train_button: a ToggleButton: pressed, a background thread trains and redraws (about 30
            frames per second at most) until it is pressed again, training diverges or
            ``max_steps`` is reached. step_button: one frame's worth of steps. reset_button: a fresh
            network. export_button: shows the Keras code of the network (``code``; also
            ``exported_code``).
    Output:
        image (ipywidgets.Image, JPEG), status (HTML), message (HTML: errors, divergence),
        session (the ``Playground``), frames (frames drawn), figure (the matplotlib Figure).
    Methods: ``run(frames)`` draws frames synchronously (what the thread does), ``start()`` /
    ``stop()`` control the thread, ``benchmark(frames)`` measures frames per second.
    """

    frame_interval = 1.0 / 30  # seconds; the thread never sends frames faster than this
    max_steps = 50_000  # the thread stops here, so a forgotten playground does not keep a core busy

    def __init__(self, settings: Settings | None = None, **changes):
        import ipywidgets as W

        from .explorer import PARAM_CHOICES, explorer_names

        self._W = W
        self._param_choices = PARAM_CHOICES
        self.session = Playground(settings, **changes)
        s = self.session.settings
        self._lock = threading.RLock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._quiet = 0
        self.frames = 0
        self.exported_code = ""
        self._memory: dict[str, dict] = {s.activation: dict(s.params)}

        wide = {"description_width": "92px"}
        lay = lambda width="250px": W.Layout(width=width)
        self.dataset = W.Dropdown(options=list(DATASETS), value=s.dataset, description="data set", style=wide, layout=lay())
        self.noise = W.FloatSlider(value=self.session.data.noise, min=0.0, max=max(0.5, s.noise), step=0.01, description="noise", readout_format=".2f",
                                   continuous_update=False, style=wide, layout=lay())
        self.train_fraction = W.FloatSlider(value=s.train_fraction, min=min(0.1, s.train_fraction), max=max(0.9, s.train_fraction), step=0.05, description="train share",
                                            readout_format=".0%", continuous_update=False, style=wide, layout=lay())
        self.seed = W.BoundedIntText(value=s.seed, min=0, max=99_999, description="seed", style=wide, layout=lay("180px"))
        self.activation = W.Dropdown(options=explorer_names(), value=s.activation, description="activation", style=wide, layout=lay())
        self.param_controls: dict[str, Any] = {}
        self._param_box = W.VBox([])
        self.depth = W.IntSlider(value=s.depth, min=1, max=MAX_DEPTH, description="hidden layers", continuous_update=False, style=wide, layout=lay())
        self.width = W.IntSlider(value=s.width, min=1, max=MAX_WIDTH, description="units / layer", continuous_update=False, style=wide, layout=lay())
        self.init = W.Dropdown(options=self._init_options(s.activation, s.init), value=s.init, description="initializer", style=wide, layout=lay("310px"))
        self.lr = W.Dropdown(options=[(f"{v:g}", v) for v in _with(LEARNING_RATES, s.lr)], value=s.lr, description="learning rate",
                             style=wide, layout=lay("200px"))
        self.batch_size = W.Dropdown(options=[("all" if v is None else str(v), v) for v in _with(BATCH_SIZES, s.batch_size)],
                                     value=s.batch_size, description="batch size", style=wide, layout=lay("200px"))
        self.regularization = W.Dropdown(options=list(REGULARIZATIONS), value=s.regularization, description="regularisation",
                                         style=wide, layout=lay("200px"))
        self.reg_rate = W.Dropdown(options=[(_fmt_rate(v), v) for v in _with(REG_RATES, s.reg_rate)], value=s.reg_rate,
                                   description="reg. rate λ", style=wide, layout=lay("200px"))
        self.speed = W.Dropdown(options=[(f"{v} per frame", v) for v in STEPS_PER_FRAME], value=1, description="steps",
                                style=wide, layout=lay("200px"))
        self.train_button = W.ToggleButton(value=False, description="train", icon="play", tooltip="train continuously; press again to pause",
                                           button_style="success", layout=W.Layout(width="96px"))
        self.step_button = W.Button(description="step", tooltip="one frame's worth of steps (see 'steps')", layout=W.Layout(width="70px"))
        self.reset_button = W.Button(description="reset", tooltip="a fresh network (the seed sets its weights)", layout=W.Layout(width="70px"))
        self.export_button = W.Button(description="export to Keras", tooltip="show the same network as Keras code with the learned weights",
                                      layout=W.Layout(width="130px"))
        self.status = W.HTML()
        self.message = W.HTML()
        self.code = W.HTML(layout=W.Layout(max_width="1000px"))
        self._figure = new_playground_figure()
        width, height = self._figure.size_px
        self.image = W.Image(format="jpeg", width=width, height=height, layout=W.Layout(width=f"{width}px", height=f"{height}px"))

        for control in (self.dataset, self.noise, self.train_fraction, self.seed, self.activation, self.depth, self.width, self.init):
            control.observe(self._on_structure, "value")
        for control in (self.lr, self.batch_size, self.regularization, self.reg_rate):
            control.observe(self._on_live, "value")
        self.train_button.observe(self._on_train, "value")
        self.step_button.on_click(self._on_step)
        self.reset_button.on_click(self._on_reset)
        self.export_button.on_click(self._on_export)

        title = lambda text: W.HTML(f"<b>{html.escape(text)}</b>")
        column = lambda *children: W.VBox(list(children), layout=W.Layout(margin="0 18px 0 0"))
        controls = W.HBox([
            column(title("Data"), self.dataset, self.noise, self.train_fraction, self.seed),
            column(title("Network"), self.activation, self._param_box, self.depth, self.width, self.init),
            column(title("Training"), self.lr, self.batch_size, self.regularization, self.reg_rate, self.speed),
        ], layout=W.Layout(flex_flow="row wrap"))
        buttons = W.HBox([self.train_button, self.step_button, self.reset_button, self.export_button, self.status],
                         layout=W.Layout(align_items="center"))
        self.widget = W.VBox([controls, buttons, self.message, self.image, self.code])
        self._configure_params(s.activation)
        self._draw()

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _init_options(activation, extra=None):
        options = [(f"recommended ({get(activation).init})", "auto"), *((name, name) for name in INITIALIZERS)]
        if isinstance(extra, float):  # a standard deviation given in code
            options.append((f"normal, std {extra:g}", extra))
        return options

    @property
    def figure(self):
        return self._figure.fig

    @property
    def running(self) -> bool:
        """Whether the training thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:
            s = self.session.settings
            bundle["text/plain"] = (f"[playground: {s.dataset}, {self.session.activation.label}, {s.depth} × {s.width} hidden units; "
                                    "run the notebook to use its controls]")
        return bundle

    def _configure_params(self, name):
        """Show a control for each parameter of the activation (sliders; a dropdown for choices)."""
        from .explorer import _is_number, param_range

        W = self._W
        params = self._memory.setdefault(name, dict(get(name).params))
        shown = []
        self._quiet += 1
        try:
            for param, value in params.items():
                key = (name, param)
                control = self.param_controls.get(param)
                if key in self._param_choices:
                    options = list(self._param_choices[key])
                    if not isinstance(control, W.Dropdown):
                        control = W.Dropdown(options=options, description=param, style={"description_width": "92px"}, layout=W.Layout(width="250px"))
                        control.observe(self._on_param, "value")
                        self.param_controls[param] = control
                    control.options = options
                    control.value = value
                elif _is_number(value):
                    lo, hi, step = param_range(name, param)
                    if not isinstance(control, W.FloatSlider):
                        control = W.FloatSlider(description={"alpha": "α (alpha)", "beta": "β (beta)"}.get(param, param), readout_format=".2f",
                                                continuous_update=False, style={"description_width": "92px"}, layout=W.Layout(width="250px"))
                        control.observe(self._on_param, "value")
                        self.param_controls[param] = control
                    with control.hold_trait_notifications():
                        control.min, control.max, control.step = min(lo, value), max(hi, value), step
                        control.value = value
                else:
                    continue
                shown.append(control)
            self._param_box.children = shown
        finally:
            self._quiet -= 1

    # -- actions ------------------------------------------------------------------------------------
    def _guard(self, action, *args):
        """Run an action; show an error in ``message`` instead of losing it in JupyterLab's log."""
        try:
            action(*args)
        except Exception as exc:
            self.message.value = _error_html(f"{type(exc).__name__}: {exc}")
            return False
        return True

    def _settings_from_controls(self) -> dict:
        name = self.activation.value
        return dict(
            dataset=self.dataset.value, noise=self.noise.value, train_fraction=self.train_fraction.value, seed=self.seed.value,
            activation=name, params=dict(self._memory.get(name, {})), depth=self.depth.value, width=self.width.value,
            init=self.init.value, lr=self.lr.value, batch_size=self.batch_size.value, regularization=self.regularization.value,
            reg_rate=self.reg_rate.value,
        )

    def _apply(self):
        with self._lock:
            self.message.value = ""
            if self.session.configure(**self._settings_from_controls()):
                self.code.value = ""  # the exported code was for another network
            self._draw()

    def _on_structure(self, change):
        if self._quiet:
            return
        owner = change["owner"]
        self._quiet += 1
        try:
            if owner is self.dataset:  # a new data set starts at its own noise level
                self.noise.value = DEFAULT_NOISE[change["new"]]
            if owner is self.activation:
                chosen = self.init.value
                self.init.options = self._init_options(change["new"], chosen)
                self.init.value = chosen
                self._configure_params(change["new"])
        finally:
            self._quiet -= 1
        self._guard(self._apply)

    def _on_param(self, change):
        if self._quiet:
            return
        name = self.activation.value
        for param, control in self.param_controls.items():
            if control is change["owner"] and param in self._memory[name]:
                self._memory[name][param] = change["new"]
        self._guard(self._apply)

    def _on_live(self, change):
        if self._quiet:
            return
        self._guard(self._apply)

    def _on_step(self, _button=None):
        self._guard(self.run, 1)

    def _on_reset(self, _button=None):
        def reset():
            with self._lock:
                self.message.value = ""
                self.code.value = ""
                self.session.reset()
                self._draw()

        self._guard(reset)

    def _on_export(self, _button=None):
        def export():
            with self._lock:
                self.exported_code = self.session.keras_code()
            self.code.value = (
                "<details open><summary><b>Keras code for this network</b> (copy it into a cell and run it; the model is in "
                "<code>model</code>)</summary>"
                f'<pre style="font-size:12px; line-height:1.3; max-height:320px; overflow:auto; background:#f6f6f6; padding:6px;">'
                f"{html.escape(self.exported_code)}</pre></details>"
            )

        self._guard(export)

    def _on_train(self, change):
        self._show_running(change["new"])
        if change["new"]:
            self.start()
        else:
            self.stop()

    def _show_running(self, running):
        """The train button's look: "pause" (amber) while training, "train" (green) otherwise."""
        b = self.train_button
        b.description, b.icon, b.button_style = ("pause", "pause", "warning") if running else ("train", "play", "success")

    # -- frames -------------------------------------------------------------------------------------
    def _draw(self):
        pg = self.session
        self._figure.update(pg)
        self.image.value = self._figure.render()
        e = pg.evaluate()
        self.status.value = (f"&nbsp;step <b>{pg.steps:,}</b> · train loss {e['train_loss']:.3f} · test loss {e['test_loss']:.3f} · "
                             f"test accuracy <b>{e['test_accuracy']:.0%}</b>")
        if pg.diverged:
            self.message.value = _error_html(pg.diverged)
        self.frames += 1

    def run(self, frames: int = 1) -> dict:
        """Draw ``frames`` frames now, each after ``speed`` training steps (what the thread does);
        returns ``session.evaluate()``."""
        frames = _positive_int("PlaygroundWidget.run", "frames", frames)
        for _ in range(frames):
            with self._lock:
                if self.session.diverged:
                    break
                self.session.step(self.speed.value)
                self._draw()
        return self.session.evaluate()

    def _loop(self):
        try:
            while not self._stop_event.is_set():
                start = time.perf_counter()
                with self._lock:
                    if self.session.diverged or self.session.steps >= self.max_steps:
                        break
                    self.session.step(self.speed.value)
                    self._draw()
                rest = self.frame_interval - (time.perf_counter() - start)
                if rest > 0:
                    self._stop_event.wait(rest)
        except Exception as exc:  # shown, not lost in a thread
            self.message.value = _error_html(f"training stopped: {type(exc).__name__}: {exc}")
        finally:
            if not self._stop_event.is_set():  # stopped by itself: release the button
                self._stop_event.set()
                self.train_button.value = False

    def start(self):
        """Start training in a background thread (what pressing *train* does)."""
        if self.running:
            return
        self._stop_event.clear()
        self._thread = threading.Thread(target=self._loop, name="actlib-playground", daemon=True)
        self._thread.start()
        if not self.train_button.value:
            self._quiet_toggle(True)

    def stop(self, timeout: float = 5.0):
        """Stop the training thread and wait for it (what pressing *pause* does)."""
        self._stop_event.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self.train_button.value:
            self._quiet_toggle(False)

    def _quiet_toggle(self, value):
        self.train_button.unobserve(self._on_train, "value")
        try:
            self.train_button.value = value
            self._show_running(value)
        finally:
            self.train_button.observe(self._on_train, "value")

    def benchmark(self, frames: int = 60) -> dict:
        """Frames per second of train step + redraw + image update (one step per frame), measured now.

        Returns ``{"fps", "ms_per_frame", "ms_step", "ms_draw", "frames"}`` (medians per frame).
        """
        frames = _positive_int("PlaygroundWidget.benchmark", "frames", frames)
        step_ms, draw_ms, total_ms = [], [], []
        with self._lock:
            for _ in range(frames):
                t0 = time.perf_counter()
                self.session.step(1)
                t1 = time.perf_counter()
                self._draw()
                t2 = time.perf_counter()
                step_ms.append(1e3 * (t1 - t0))
                draw_ms.append(1e3 * (t2 - t1))
                total_ms.append(1e3 * (t2 - t0))
        total = float(np.median(total_ms))
        return {"fps": 1e3 / total, "ms_per_frame": total, "ms_step": float(np.median(step_ms)),
                "ms_draw": float(np.median(draw_ms)), "frames": frames}

    def set(self, **values):
        """Move several controls from code with one redraw, e.g. ``w.set(activation="relu", depth=3)``."""
        controls = {"dataset", "noise", "train_fraction", "seed", "activation", "depth", "width", "init", "lr", "batch_size",
                    "regularization", "reg_rate", "speed"}
        target = values.get("activation", self.activation.value)
        params = dict(get(target).params)
        unknown = sorted(set(values) - controls - set(params))
        if unknown:
            raise TypeError(f"PlaygroundWidget.set: unknown control(s) {', '.join(unknown)}; the controls are {', '.join(sorted(controls))}"
                            f" and the parameters of {get(target).name} ({', '.join(params) or 'none'}).")
        self._quiet += 1
        try:
            for key in ("dataset", "activation"):
                if key in values:
                    getattr(self, key).value = values.pop(key)
                    if key == "dataset" and "noise" not in values:
                        self.noise.value = DEFAULT_NOISE[self.dataset.value]
                    if key == "activation":
                        chosen = self.init.value
                        self.init.options = self._init_options(self.activation.value, chosen)
                        self.init.value = chosen
                        self._configure_params(self.activation.value)
            for key, value in values.items():
                if key in self.param_controls:
                    self._memory[self.activation.value][key] = value
                    self._configure_params(self.activation.value)
                    continue
                control = getattr(self, key)
                if isinstance(control, (self._W.FloatSlider, self._W.IntSlider)):  # a value beyond the slider widens it
                    with control.hold_trait_notifications():
                        control.min, control.max = min(control.min, value), max(control.max, value)
                if isinstance(control, self._W.Dropdown) and key in ("lr", "reg_rate", "batch_size"):
                    options = [v for _, v in control.options]
                    if value not in options:
                        label = (lambda v: "all" if v is None else str(v)) if key == "batch_size" else (lambda v: _fmt_rate(v))
                        control.options = [(label(v), v) for v in _with(tuple(options), value)]
                control.value = value
        finally:
            self._quiet -= 1
        self._guard(self._apply)
        return self.session.settings


def _with(options: tuple, value) -> list:
    """The options with ``value`` added (sorted, None last) if it is not among them."""
    if value in options:
        return list(options)
    numbers_ = sorted([v for v in (*options, value) if v is not None])
    return numbers_ + ([None] if None in options else [])


def playground(settings: Settings | None = None, **changes) -> PlaygroundWidget:
    """The live playground widget, starting from ``settings`` or keyword arguments (see ``Settings``).

    >>> w = playground(dataset="circles", activation="relu", depth=1, width=4, lr=0.1)
    >>> before = w.image.value
    >>> w.step_button.click()                  # what a student's click does
    >>> w.session.steps, w.image.value != before
    (1, True)
    >>> w.dataset.value = "moons"              # a new data set: a fresh network
    >>> w.session.steps, w.session.data.name
    (0, 'moons')
    """
    return PlaygroundWidget(settings, **changes)
