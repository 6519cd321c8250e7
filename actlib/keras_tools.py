"""Keras experiments in a few lines: data, a model builder, a seeded grid runner, and callbacks.

Nothing here imports TensorFlow until a function needs it, so ``from actlib import keras_tools``
is instant. Everything is seeded: the same call gives the same table twice on one machine.

>>> from actlib import keras_tools as kt
>>> sorted(kt.DATASETS)[:3]
['circles', 'digits', 'fashion_mnist']

The pieces:

- ``load_data(name)``: ``"digits"`` (ships with scikit-learn, the default), the synthetic 2-D sets
  ``"moons"``, ``"circles"``, ``"spirals"``, ``"xor"``, and, only when asked for,
  ``"mnist"``/``"fashion_mnist"`` through ``keras.datasets`` (a download; offline it says so and
  falls back to digits).
- ``build_mlp(...)``: a plain Keras model: depth × Dense(width) with an activation from the registry
  (its parameters passed explicitly), an initializer, BatchNorm before or after the activation, and
  ordinary or alpha dropout.
- ``run_grid(configs, seeds)``: trains every configuration with every seed and returns a tidy table
  (config, seed, epoch, loss, val_loss, val_accuracy, seconds). Runs that share an architecture are
  trained *side by side* in one Keras model that holds independent copies of the network (see
  ``run_grid``); ``ensemble=False`` trains one ordinary model per run instead.
- ``ActivationStats``: a callback recording, per hidden layer and epoch, the activations' mean and
  std, the saturated fraction (bounded activations), the dead fraction (units whose derivative is
  0 on every probe example) and the gradient norm of each layer's weights.
- ``epoch_time``: seconds per training epoch of one ordinary model, after a warm-up epoch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_real, suggest, unknown_name
from .registry import get as _get_activation

__all__ = [
    "DATASETS",
    "INITIALIZERS",
    "ActivationStats",
    "Data",
    "Results",
    "activation_statistics",
    "build_mlp",
    "custom_objects",
    "epoch_time",
    "load_data",
    "load_model",
    "plot_curves",
    "run_grid",
]

DATASETS = ("digits", "moons", "circles", "spirals", "xor", "mnist", "fashion_mnist")
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "orthogonal",
)
_BUILD_KEYS = ("depth", "width", "activation", "activation_params", "init", "batchnorm", "batchnorm_momentum", "dropout", "dropout_rate")


def _keras():
    from .keras_loader import keras

    return keras()


# -- data ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Data:
    """A classification data set split into training and validation parts (float32 inputs, int labels)."""

    name: str
    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_val: np.ndarray = field(repr=False)
    y_val: np.ndarray = field(repr=False)
    n_classes: int
    note: str = ""

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])

    def __repr__(self):
        return (
            f"Data({self.name!r}: {len(self.x_train)} training and {len(self.x_val)} validation examples, "
            f"{self.input_dim} features, {self.n_classes} classes)"
        )


def _split(name, X, y, seed, val_fraction, note=""):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    n_val = max(1, round(val_fraction * len(X)))
    val, train = order[:n_val], order[n_val:]
    mean = X[train].mean(axis=0)
    std = X[train].std(axis=0)
    std = np.where(std > 1e-8, std, 1.0)  # constant pixels (digits' borders) stay 0 after centring
    Xs = ((X - mean) / std).astype(np.float32)
    y = np.asarray(y, dtype=np.int64)
    return Data(name, Xs[train], y[train], Xs[val], y[val], int(y.max()) + 1, note)


def load_data(name: str = "digits", *, seed: int = 0, val_fraction: float = 0.25, n: int | None = None, noise: float | None = None) -> Data:
    """Load a data set, shuffle it with ``seed``, split off ``val_fraction`` and standardise the inputs.

    Inputs are standardised with the training part's mean and std (per feature). ``n`` limits the
    number of examples (synthetic sets: how many to generate, default 600). ``noise`` sets the
    synthetic sets' noise. MNIST and Fashion-MNIST are downloaded by ``keras.datasets`` the first time
    (about 11 and 30 MB); without a network the function prints why and returns digits instead.
    """
    func = "actlib.keras_tools.load_data"
    if not isinstance(name, str) or name not in DATASETS:
        raise unknown_name(func, "data set", name, DATASETS)
    val_fraction = check_real(func, "val_fraction", val_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 10):
        raise ValueError(f"{func}: n must be an int >= 10 or None; got {n!r}.")
    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        if n is not None:
            X, y = X[:n], y[:n]
        return _split(name, X.astype(np.float64), y, seed, val_fraction)
    if name in ("mnist", "fashion_mnist"):
        keras = _keras()
        try:
            loader = getattr(keras.datasets, name)
            (xa, ya), (xb, yb) = loader.load_data()
        except Exception as exc:  # no network, a proxy, a broken cache: say so and go on offline
            print(
                f"{func}: could not load {name} ({type(exc).__name__}: {str(exc)[:120]}). "
                "It needs a download the first time; using the offline 'digits' data set instead."
            )
            return load_data("digits", seed=seed, val_fraction=val_fraction, n=n)
        X = np.concatenate([xa, xb]).reshape(-1, 28 * 28).astype(np.float64) / 255.0
        y = np.concatenate([ya, yb])
        if n is not None:
            X, y = X[:n], y[:n]
        return _split(name, X, y, seed, val_fraction)
    from . import data as _data

    count = 600 if n is None else n
    kwargs = {} if noise is None else {"noise": noise}
    if name == "xor":
        X, y = _data.xor(max(1, count // 4), noise=0.25 if noise is None else noise, centered=True, shuffle=True, rng=seed)
    else:
        X, y = getattr(_data, name)(count, rng=seed, **kwargs)
    return _split(name, X, y, seed, val_fraction)


# -- the model builder ---------------------------------------------------------------------------------
def _check_config(func, depth, width, activation, activation_params, init, batchnorm, dropout, dropout_rate):
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"{func}: depth must be an int >= 1 (the number of hidden layers); got {depth!r}.")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"{func}: width must be an int >= 1; got {width!r}.")
    if activation_params is not None and not isinstance(activation_params, dict):
        raise TypeError(f"{func}: activation_params must be a dict such as {{'alpha': 0.1}}; got {activation_params!r}.")
    act = _get_activation(activation, **(activation_params or {}))
    if act.name == "softmax":
        raise ValueError(f"{func}: softmax is an output activation; hidden layers need an elementwise one.")
    if init is None:
        init = act.init
    if isinstance(init, str):
        if init not in INITIALIZERS:
            raise unknown_name(func, "initializer", init, INITIALIZERS)
    elif isinstance(init, bool) or not isinstance(init, (int, float)) or not init > 0:
        raise ValueError(f"{func}: init must be a Keras initializer name or a positive float (the weights' std); got {init!r}.")
    if batchnorm not in (None, "before", "after"):
        raise ValueError(f"{func}: batchnorm must be None, 'before' or 'after' (the activation); got {batchnorm!r}.")
    if dropout not in (None, "dropout", "alpha"):
        raise ValueError(f"{func}: dropout must be None, 'dropout' or 'alpha' (AlphaDropout, for SELU); got {dropout!r}.")
    dropout_rate = check_real(func, "dropout_rate", dropout_rate, low=0.0, high=1.0, high_open=True)
    return act, init, dropout_rate


_INIT_CLASSES = {
    "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform",
    "orthogonal": "Orthogonal",
}


def _initializer(keras, init, seed):
    """A seeded Keras initializer: every call returns the same values (Keras 3, int seed)."""
    if isinstance(init, str):
        return getattr(keras.initializers, _INIT_CLASSES[init])(seed=seed)
    return keras.initializers.RandomNormal(mean=0.0, stddev=float(init), seed=seed)


def _layer_seed(seed, layer):
    return int(seed) * 1009 + int(layer)


_PLAIN = ("linear", "sigmoid", "tanh", "relu", "selu", "softplus", "mish")


def _activation_layer(keras, act, name):
    """Keras' own layer where one computes exactly this activation (so models save anywhere), else ours."""
    p = act.params
    if act.name == "prelu":
        return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(p["alpha"]), name=name)
    if act.name == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=p["alpha"], name=name)
    if (
        act.name in _PLAIN
        or (act.name == "elu" and p["alpha"] == 1.0)
        or (act.name == "swish" and p["beta"] == 1.0)
        or (act.name == "gelu" and p["approximate"] is False)
    ):
        return keras.layers.Activation(act.keras, name=name)
    return _registry_layer_class()(activation=act.name, params=dict(p), name=name)


def _registry_layer_class():
    """``RegistryActivation``: a serialisable Keras layer computing any registry activation (lazy)."""
    if "RegistryActivation" in _CLASSES:
        return _CLASSES["RegistryActivation"]
    keras = _keras()

    @keras.saving.register_keras_serializable(package="actlib")
    class RegistryActivation(keras.layers.Layer):
        """The registry activation ``activation`` with ``params``, e.g. swish with beta=2."""

        def __init__(self, activation="relu", params=None, **kwargs):
            super().__init__(**kwargs)
            self.activation = activation
            self.params = dict(params or {})
            self._fn = _get_activation(activation, **self.params).keras_function()

        def call(self, x):
            return self._fn(x)

        def get_config(self):
            return {**super().get_config(), "activation": self.activation, "params": self.params}

    _CLASSES["RegistryActivation"] = RegistryActivation
    return RegistryActivation


def custom_objects() -> dict:
    """The Keras objects a saved ``build_mlp`` model may need: pass to ``keras.saving.load_model``."""
    return {"actlib>RegistryActivation": _registry_layer_class()}


def load_model(path):
    """``keras.saving.load_model(path)`` with actlib's custom layer registered first."""
    keras = _keras()
    return keras.saving.load_model(path, custom_objects=custom_objects())


def _dropout_layer(keras, kind, rate, seed, name):
    cls = keras.layers.AlphaDropout if kind == "alpha" else keras.layers.Dropout
    return cls(rate, seed=seed, name=name)


def build_mlp(
    depth: int = 3,
    width: int = 64,
    activation: str = "relu",
    *,
    activation_params: dict | None = None,
    init=None,
    batchnorm: str | None = None,
    batchnorm_momentum: float = 0.99,
    dropout: str | None = None,
    dropout_rate: float = 0.2,
    input_dim: int = 64,
    n_classes: int = 10,
    seed: int = 0,
    name: str | None = None,
):
    """A multilayer perceptron for classification, as a plain (uncompiled) Keras model.

    Layers, for i = 1..depth: ``dense_i`` (Dense(width), bias 0), ``bn_i`` when
    ``batchnorm="before"`` (``momentum=batchnorm_momentum``: Keras' 0.99 needs a few hundred steps before its
    moving averages forget their start; 0.9 suits short runs), ``act_i`` (the activation, parameters explicit; PReLU is a
    ``keras.layers.PReLU`` layer starting at its α), ``bn_i`` when ``batchnorm="after"``, then
    ``drop_i`` when ``dropout`` is ``"dropout"`` or ``"alpha"`` (``AlphaDropout``). On top, ``logits``
    (Dense(n_classes), Glorot uniform) and ``probs`` (softmax).

    ``init``: a Keras initializer name or a float (normal weights with that std); ``None`` picks the
    registry's recommendation (He for the ReLU family, LeCun for SELU, Glorot otherwise). Layer i of
    seed s is initialised with the seed ``s * 1009 + i``, so a model is fully determined by its seed.
    """
    func = "actlib.keras_tools.build_mlp"
    act, init, dropout_rate = _check_config(func, depth, width, activation, activation_params, init, batchnorm, dropout, dropout_rate)
    batchnorm_momentum = check_real(func, "batchnorm_momentum", batchnorm_momentum, low=0.0, high=1.0, high_open=True)
    for what, value in (("input_dim", input_dim), ("n_classes", n_classes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{func}: {what} must be a positive int; got {value!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"{func}: seed must be a non-negative int; got {seed!r}.")
    keras = _keras()
    x = inputs = keras.Input(shape=(input_dim,), name="x")
    for i in range(1, depth + 1):
        x = keras.layers.Dense(width, kernel_initializer=_initializer(keras, init, _layer_seed(seed, i)), name=f"dense_{i}")(x)
        if batchnorm == "before":
            x = keras.layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_{i}")(x)
        x = _activation_layer(keras, act, f"act_{i}")(x)
        if batchnorm == "after":
            x = keras.layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_{i}")(x)
        if dropout is not None:
            x = _dropout_layer(keras, dropout, dropout_rate, _layer_seed(seed, 100 + i), f"drop_{i}")(x)
    x = keras.layers.Dense(n_classes, kernel_initializer=_initializer(keras, "glorot_uniform", _layer_seed(seed, 0)), name="logits")(x)
    outputs = keras.layers.Activation("softmax", name="probs")(x)
    model = keras.Model(inputs, outputs, name=name or f"mlp_{act.name}_{depth}x{width}")
    model.actlib_activation = act  # read by ActivationStats
    return model


# -- side-by-side copies of one architecture ---------------------------------------------------------------
_CLASSES = {}


def _stack_classes():
    """Two small layers for training R independent copies of an MLP in one Keras model (defined lazily)."""
    if "StackedDense" in _CLASSES:
        return _CLASSES
    keras = _keras()
    ops = keras.ops

    class StackedDense(keras.layers.Layer):
        """R independent Dense layers: input (n, in) or (n, R, in), kernel (R, in, out), output (n, R, out)."""

        def __init__(self, units, copies, **kwargs):
            super().__init__(**kwargs)
            self.units, self.copies = units, copies

        def build(self, input_shape):
            fan_in = input_shape[-1]
            self.kernel = self.add_weight(shape=(self.copies, fan_in, self.units), initializer="zeros", name="kernel")
            self.bias = self.add_weight(shape=(self.copies, self.units), initializer="zeros", name="bias")

        def call(self, x):
            if len(x.shape) == 2:
                return ops.einsum("ni,rio->nro", x, self.kernel) + self.bias
            return ops.einsum("nri,rio->nro", x, self.kernel) + self.bias

    class GroupedActivation(keras.layers.Layer):
        """Copies [a, b) along axis 1 get activation fn; the groups together cover every copy."""

        def __init__(self, groups, **kwargs):
            super().__init__(**kwargs)
            self.groups = groups  # list of (start, stop, fn)

        def call(self, x):
            if len(self.groups) == 1:
                return self.groups[0][2](x)
            return ops.concatenate([fn(x[:, a:b]) for a, b, fn in self.groups], axis=1)

    class SumOfCopiesLoss(keras.losses.Loss):
        """Cross-entropy of every copy, summed over copies: each copy gets exactly its own gradient."""

        def call(self, y_true, logits):
            y = ops.cast(ops.reshape(y_true, (-1, 1)), "int32")
            y = ops.repeat(y, logits.shape[1], axis=1)
            ce = keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)
            return ops.sum(ce, axis=1)

    _CLASSES.update(StackedDense=StackedDense, GroupedActivation=GroupedActivation, SumOfCopiesLoss=SumOfCopiesLoss)
    return _CLASSES


def _stacked_batchnorm(keras, x, copies, width, momentum, name):
    """BatchNorm per copy and unit: (n, R, w) → (n, R·w), normalise each column over the batch, back."""
    x = keras.layers.Reshape((copies * width,), name=f"{name}_flat")(x)
    x = keras.layers.BatchNormalization(momentum=momentum, name=name)(x)
    return keras.layers.Reshape((copies, width), name=f"{name}_unflat")(x)


def _build_stack(runs, arch, input_dim, n_classes):
    """One Keras model holding a copy of the MLP per run; run r's weights equal build_mlp(**config, seed)'s."""
    keras = _keras()
    C = _stack_classes()
    depth, width, batchnorm, momentum, dropout, dropout_rate = arch
    R = len(runs)
    groups, start = [], 0
    for r in range(1, R + 1):  # consecutive runs with the same activation share one call
        if r == R or runs[r]["act_key"] != runs[start]["act_key"]:
            groups.append((start, r, runs[start]["act"].keras_function()))
            start = r
    x = inputs = keras.Input(shape=(input_dim,), name="x")
    dense_layers = []
    for i in range(1, depth + 1):
        layer = C["StackedDense"](width, R, name=f"dense_{i}")
        dense_layers.append((i, layer))
        x = layer(x)
        if batchnorm == "before":
            x = _stacked_batchnorm(keras, x, R, width, momentum, f"bn_{i}")
        x = C["GroupedActivation"](groups, name=f"act_{i}")(x)
        if batchnorm == "after":
            x = _stacked_batchnorm(keras, x, R, width, momentum, f"bn_{i}")
        if dropout is not None:
            x = _dropout_layer(keras, dropout, dropout_rate, _layer_seed(runs[0]["seed"], 100 + i), f"drop_{i}")(x)
    head = C["StackedDense"](n_classes, R, name="logits")
    outputs = head(x)
    model = keras.Model(inputs, outputs, name=f"stack_of_{R}")
    for i, layer in [*dense_layers, (0, head)]:
        fan_in = layer.kernel.shape[1]
        kernels = []
        for run in runs:
            init = "glorot_uniform" if i == 0 else run["init"]
            kernels.append(np.asarray(_initializer(keras, init, _layer_seed(run["seed"], i))((fan_in, layer.units))))
        layer.kernel.assign(np.stack(kernels))
    return model


# -- results ---------------------------------------------------------------------------------------------------
class Results:
    """The tidy table of a grid run, plus summaries.

    ``table`` has one row per (config, seed, epoch), epoch 0 being the untrained network:
    ``loss`` (cross-entropy on the whole training set after the epoch, dropout off), ``val_loss``,
    ``val_accuracy``, ``seconds`` (wall-clock time of that epoch for the model that trained the run;
    runs trained side by side share it, see ``copies``) and ``copies``.
    """

    def __init__(self, table, configs, meta):
        self.table = table
        self.configs = configs
        self.meta = meta

    def __repr__(self):
        m = self.meta
        return f"Results({len(self.configs)} configs × {len(m['seeds'])} seeds × {m['epochs']} epochs on {m['data']}, {m['seconds']:.1f} s)"

    def final(self):
        """The last epoch's row of every (config, seed)."""
        t = self.table
        return t[t["epoch"] == t["epoch"].max()].reset_index(drop=True)

    def summary(self, metric: str = "val_accuracy"):
        """Per config: mean, std (ddof=1), min and max over seeds of the final ``metric``, best mean first."""
        f = self.final()
        g = f.groupby("config", sort=False)[metric].agg(["mean", "std", "min", "max", "count"])
        g = g.rename(columns={"count": "seeds"})
        g["final_loss"] = f.groupby("config", sort=False)["loss"].mean()
        return g.sort_values("mean", ascending=(metric != "val_accuracy"))

    def curves(self, metric: str = "val_loss"):
        """A (config, epoch) table of ``metric``: mean and std over seeds."""
        return self.table.groupby(["config", "epoch"], sort=False)[metric].agg(["mean", "std"]).reset_index()


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _scores(logits, y):
    """Per copy: mean cross-entropy and accuracy, from logits of shape (n, R, K)."""
    logp = _log_softmax(logits.astype(np.float64))
    n = len(y)
    picked = logp[np.arange(n), :, y] if logp.ndim == 3 else logp[np.arange(n), y][:, None]
    acc = (logits.argmax(axis=-1) == y[:, None]) if logits.ndim == 3 else (logits.argmax(axis=-1) == y)[:, None]
    return -picked.mean(axis=0), acc.mean(axis=0)


class _Progress:
    """A one-line progress display that updates in place in Jupyter (nothing outside a kernel)."""

    def __init__(self, enabled, total_runs, total_models, epochs):
        self.handle = None
        self.total_runs, self.total_models, self.epochs = total_runs, total_models, epochs
        self.start = time.perf_counter()
        if enabled:
            try:
                from IPython import get_ipython
                from IPython.display import display

                if get_ipython() is not None and hasattr(get_ipython(), "kernel"):
                    self.handle = display(self._text("starting"), display_id=True)
            except ImportError:  # pragma: no cover
                self.handle = None

    def _text(self, status):
        from IPython.display import Markdown

        return Markdown(f"`{status}` · {time.perf_counter() - self.start:.1f} s")

    def update(self, model_index, epoch):
        if self.handle is not None:
            bar = "█" * epoch + "·" * (self.epochs - epoch)
            self.handle.update(self._text(f"model {model_index}/{self.total_models} [{bar}] epoch {epoch}/{self.epochs}"))

    def done(self):
        if self.handle is not None:
            self.handle.update(self._text(f"done: {self.total_runs} runs in {self.total_models} Keras model(s), {self.epochs} epochs"))


def _normalise_configs(func, configs):
    if isinstance(configs, dict):
        items = list(configs.items())
    elif isinstance(configs, (list, tuple)):
        items = []
        for c in configs:
            if not isinstance(c, dict):
                raise TypeError(f"{func}: each config must be a dict of build_mlp arguments; got {c!r}.")
            items.append((str(c.get("activation", "relu")), c))
    else:
        raise TypeError(
            f"{func}: configs must be a dict {{name: {{build_mlp arguments}}}} or a list of dicts; got {type(configs).__name__}."
        )
    if not items:
        raise ValueError(f"{func}: configs is empty; give at least one configuration.")
    names = [k for k, _ in items]
    if len(set(names)) != len(names):
        raise ValueError(f"{func}: config names must be unique; got {names}.")
    out = {}
    for key, c in items:
        if not isinstance(c, dict):
            raise TypeError(f"{func}: config {key!r} must be a dict of build_mlp arguments; got {c!r}.")
        for k in c:
            if k not in _BUILD_KEYS:
                close = suggest(k, _BUILD_KEYS)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"{func}: config {key!r} has an unknown key {k!r}.{hint} Known: {', '.join(_BUILD_KEYS)}.")
        full = dict(
            depth=3,
            width=64,
            activation="relu",
            activation_params=None,
            init=None,
            batchnorm=None,
            batchnorm_momentum=0.99,
            dropout=None,
            dropout_rate=0.2,
        )
        full.update(c)
        check = {k: v for k, v in full.items() if k != "batchnorm_momentum"}
        act, init, rate = _check_config(f"{func} (config {key!r})", **check)
        full["batchnorm_momentum"] = check_real(
            f"{func} (config {key!r})", "batchnorm_momentum", full["batchnorm_momentum"], low=0.0, high=1.0, high_open=True
        )
        full.update(init=init, dropout_rate=rate)
        out[str(key)] = (full, act)
    return out


def _record(rows, logits_model, members, data, epoch, seconds):
    """Append one row per run: loss on the whole training set, loss and accuracy on the validation set."""
    tr = np.asarray(logits_model(data.x_train, training=False))
    va = np.asarray(logits_model(data.x_val, training=False))
    loss, _ = _scores(tr, data.y_train)
    vloss, vacc = _scores(va, data.y_val)
    for r, run in enumerate(members):
        rows.append(
            dict(
                config=run["config"],
                seed=run["seed"],
                epoch=epoch,
                loss=float(loss[r]),
                val_loss=float(vloss[r]),
                val_accuracy=float(vacc[r]),
                seconds=seconds,
                copies=len(members),
            )
        )


def run_grid(
    configs,
    seeds=(0, 1, 2),
    *,
    data="digits",
    epochs: int = 10,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    ensemble: bool = True,
    progress: bool = True,
    shuffle_seed: int = 0,
) -> Results:
    """Train every configuration with every seed; return a ``Results`` with a tidy table.

    ``configs``: ``{name: {build_mlp arguments}}`` (depth, width, activation, activation_params, init,
    batchnorm, batchnorm_momentum, dropout, dropout_rate), or a list of such dicts named by their activation. Optimiser:
    Adam(learning_rate), loss: sparse categorical cross-entropy. A run's ``seed`` fixes its initial
    weights (exactly those of ``build_mlp(..., seed=seed)``). The mini-batch order is the same for
    every run (it comes from ``shuffle_seed``): a paired design, so differences between
    configurations are not differences in luck with the data order.

    With ``ensemble=True`` (the default), runs with the same depth, width, BatchNorm placement and
    dropout are trained side by side in one Keras model: each hidden layer holds a kernel per copy
    (shape (copies, in, out)), and the loss is the sum of the copies' losses. No weight is shared, so
    each copy receives exactly the gradient it would receive alone, and Adam treats every weight on
    its own: each copy follows the same path as an ordinary model, up to float rounding. It is much
    faster on a CPU, where small Keras models spend most of their time on per-operation overhead.
    Dropout masks in that mode come from the group's seed stream rather than each run's.

    Side effect: ``keras.utils.set_random_seed(shuffle_seed)`` is called before each model, which
    also resets Python's, NumPy's global and TensorFlow's random state. The first epoch's
    ``seconds`` include tracing the training step (about a second on a laptop CPU).
    """
    func = "actlib.keras_tools.run_grid"
    cfgs = _normalise_configs(func, configs)
    seeds = tuple(seeds) if not isinstance(seeds, int) else (seeds,)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in seeds):
        raise ValueError(f"{func}: seeds must be non-negative ints, e.g. (0, 1, 2); got {seeds!r}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{func}: seeds must differ; got {seeds!r}.")
    for what, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{func}: {what} must be a positive int; got {value!r}.")
    learning_rate = check_real(func, "learning_rate", learning_rate, low=0.0, low_open=True)
    if isinstance(data, str):
        data = load_data(data)
    if not isinstance(data, Data):
        raise TypeError(f"{func}: data must be a data set name or the result of load_data(); got {type(data).__name__}.")
    keras = _keras()

    runs = []
    for key, (cfg, act) in cfgs.items():
        for s in seeds:
            act_key = (act.name, tuple(sorted(act.params.items())))
            runs.append(dict(config=key, seed=int(s), cfg=cfg, act=act, act_key=act_key, init=cfg["init"]))
    if ensemble:
        groups = {}
        for run in runs:
            if run["act"].name == "prelu":  # a learnable slope per copy: train it as an ordinary model
                groups[("single", len(groups))] = [run]
                continue
            c = run["cfg"]
            momentum = c["batchnorm_momentum"] if c["batchnorm"] else 0.0
            arch = (c["depth"], c["width"], c["batchnorm"], momentum, c["dropout"], c["dropout_rate"] if c["dropout"] else 0.0)
            groups.setdefault(arch, []).append(run)
        model_groups = []
        for arch, members in groups.items():
            members.sort(key=lambda r: str(r["act_key"]))  # stable: same activation → consecutive copies
            model_groups.append((arch if arch[0] != "single" else None, members))
    else:
        model_groups = [(None, [run]) for run in runs]

    rows = []
    prog = _Progress(progress, len(runs), len(model_groups), epochs)
    n = len(data.x_train)
    started = time.perf_counter()
    for m_index, (arch, members) in enumerate(model_groups, start=1):
        keras.utils.set_random_seed(int(shuffle_seed))
        if arch is None:
            run = members[0]
            model = build_mlp(**run["cfg"], input_dim=data.input_dim, n_classes=data.n_classes, seed=run["seed"])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
            logits_model = keras.Model(model.input, model.get_layer("logits").output)
        else:
            model = _build_stack(members, arch, data.input_dim, data.n_classes)
            model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=_stack_classes()["SumOfCopiesLoss"]())
            logits_model = model
        order_rng = np.random.default_rng(shuffle_seed)

        _record(rows, logits_model, members, data, 0, 0.0)
        for epoch in range(1, epochs + 1):
            perm = order_rng.permutation(n)
            t0 = time.perf_counter()
            model.fit(data.x_train[perm], data.y_train[perm], batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
            _record(rows, logits_model, members, data, epoch, time.perf_counter() - t0)
            prog.update(m_index, epoch)
    prog.done()
    import pandas as pd

    table = pd.DataFrame(rows)
    order = {k: i for i, k in enumerate(cfgs)}
    table = table.sort_values(["config", "seed", "epoch"], key=lambda s: s.map(order) if s.name == "config" else s)
    table = table.reset_index(drop=True)
    meta = dict(
        seeds=seeds,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        data=data.name,
        ensemble=ensemble,
        models=len(model_groups),
        seconds=time.perf_counter() - started,
    )
    return Results(table, {k: v[0] for k, v in cfgs.items()}, meta)


def epoch_time(config: dict | None = None, *, data="digits", batch_size: int = 64, epochs: int = 2) -> float:
    """Median seconds per training epoch of one ordinary ``build_mlp`` model (after a warm-up epoch)."""
    cfgs = _normalise_configs("actlib.keras_tools.epoch_time", {"model": dict(config or {})})
    cfg, _ = cfgs["model"]
    if isinstance(data, str):
        data = load_data(data)
    keras = _keras()
    model = build_mlp(**cfg, input_dim=data.input_dim, n_classes=data.n_classes, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(data.x_train, data.y_train, batch_size=batch_size, epochs=1, verbose=0)  # traces the step
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.fit(data.x_train, data.y_train, batch_size=batch_size, epochs=1, verbose=0)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


# -- plots -------------------------------------------------------------------------------------------------------
def plot_curves(ax, results: Results, metric: str = "val_loss", configs=None, *, band: bool = True, colors=None):
    """Mean over seeds of ``metric`` against epoch, one line per config, with a ±1 std band."""
    from . import plotting

    curves = results.curves(metric)
    names = list(results.configs) if configs is None else list(configs)
    for key in names:
        if key not in results.configs:
            raise unknown_name("actlib.keras_tools.plot_curves", "config", key, list(results.configs))
        c = curves[curves["config"] == key]
        act = results.configs[key]["activation"]
        color = (colors or {}).get(key) or plotting.color(act)
        ax.plot(c["epoch"], c["mean"], color=color, lw=2, label=key)
        if band and c["std"].notna().any():
            ax.fill_between(c["epoch"], c["mean"] - c["std"], c["mean"] + c["std"], color=color, alpha=0.15, lw=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    return ax


# -- callbacks -----------------------------------------------------------------------------------------------------
def _stats_callback_class():
    if "ActivationStats" in _CLASSES:
        return _CLASSES["ActivationStats"]
    keras = _keras()

    class _ActivationStats(keras.callbacks.Callback):
        def __init__(self, x, y, every=1, training=False):
            super().__init__()
            self.training = training
            self.x = np.asarray(x, dtype=np.float32)
            self.y = np.asarray(y)
            self.every = every
            self.rows = []
            self._probe = None

        def _setup(self):
            m = self.model
            act_layers = sorted((ly for ly in m.layers if ly.name.startswith("act_")), key=lambda ly: int(ly.name.split("_")[1]))
            if not act_layers:
                raise ValueError(
                    "actlib.keras_tools.ActivationStats: the model has no layers named act_1, act_2, ...; "
                    "build it with actlib.keras_tools.build_mlp."
                )
            self._act_layers = act_layers
            outs = []
            for ly in act_layers:
                outs += [ly.input, ly.output]
            self._probe = keras.Model(m.input, outs)
            self._dense = [m.get_layer(f"dense_{ly.name.split('_')[1]}") for ly in act_layers]
            self._act = _activation_of(m, act_layers[0])

        def on_train_begin(self, logs=None):
            if self._probe is None:
                self._setup()
            if not self.rows:
                self._record(0)

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % self.every == 0:
                self._record(epoch + 1)

        def _record(self, epoch):
            import tensorflow as tf

            saved = [v.numpy() for v in self.model.non_trainable_variables] if self.training else None
            outs = [np.asarray(o) for o in self._probe(self.x, training=self.training)]
            with tf.GradientTape() as tape:
                probs = self.model(self.x, training=self.training)
                loss = keras.losses.sparse_categorical_crossentropy(self.y, probs)
                loss = tf.reduce_mean(loss)
            kernels = [d.kernel for d in self._dense]
            grads = tape.gradient(loss, kernels)
            if saved is not None:  # a call in training mode moved BatchNorm's moving averages: put them back
                for v, value in zip(self.model.non_trainable_variables, saved, strict=True):
                    v.assign(value)
            for i, g in enumerate(grads):
                z, a = outs[2 * i], outs[2 * i + 1]
                row = dict(epoch=epoch, layer=i + 1, **activation_statistics(z, a, self._act))
                row["grad_norm"] = float(np.linalg.norm(np.asarray(g)))
                self.rows.append(row)

        @property
        def table(self):
            import pandas as pd

            return pd.DataFrame(self.rows)

    _CLASSES["ActivationStats"] = _ActivationStats
    return _ActivationStats


def _activation_of(model, layer):
    """The registry activation of a build_mlp model (None for other models: dead/saturated are then NaN)."""
    return getattr(model, "actlib_activation", None)


def activation_statistics(z, a, act=None, *, saturation_margin: float = 0.02) -> dict:
    """Statistics of one layer on a probe batch: z are pre-activations, a = φ(z), shape (examples, units).

    - ``mean``, ``std``: of a over all examples and units;
    - ``saturated``: fraction of (example, unit) pairs whose output lies within ``saturation_margin`` of
      the range's width from a bound (bounded activations such as sigmoid and tanh; NaN otherwise);
    - ``dead``: fraction of units whose derivative φ'(z) is exactly 0 on every example (a dead ReLU);
      NaN when the activation is unknown;
    - ``active``: fraction of (example, unit) pairs with z > 0.
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    out = dict(mean=float(a.mean()), std=float(a.std()), active=float((z > 0).mean()))
    if act is not None and act.bounded:
        lo, hi = act.output_range
        margin = saturation_margin * (hi - lo)
        out["saturated"] = float(((a < lo + margin) | (a > hi - margin)).mean())
    else:
        out["saturated"] = math.nan
    out["dead"] = float((act.grad(z) == 0).all(axis=0).mean()) if act is not None else math.nan
    return out


def ActivationStats(x, y, *, every: int = 1, training: bool = False):
    """A Keras callback that records per-layer statistics of a ``build_mlp`` model on a probe batch.

    Before training and after every ``every`` epochs it computes, for each hidden layer,
    ``activation_statistics`` of its pre-activations and outputs on ``x`` (mean, std, saturated,
    dead, active) and the norm of the gradient of the mean cross-entropy on (``x``, ``y``) with
    respect to the layer's kernel. ``callback.table`` is a pandas DataFrame with one row per
    (epoch, layer). ``training=True`` runs the probe in training mode: BatchNorm then normalises with
    the probe batch's own statistics (as during a training step) instead of its moving averages, and
    dropout is active; the callback restores the moving averages afterwards, so probing never changes the model.
    """
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"actlib.keras_tools.ActivationStats: every must be a positive int; got {every!r}.")
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(
            f"actlib.keras_tools.ActivationStats: x must be (examples, features) and y (examples,); got {x.shape} and {y.shape}."
        )
    return _stats_callback_class()(x, y, every, bool(training))
