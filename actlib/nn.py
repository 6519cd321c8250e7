"""A tiny multilayer perceptron in NumPy, with backpropagation built on the registry's derivatives.

It is small enough to read in one sitting and fast enough for live experiments (a full-batch step
on the 1797 × 64 digits with two hidden layers of 64 units takes a few milliseconds). The lessons
use it where they need to look inside a network while it trains: dead ReLU units, sparsity, the
playground. Keras is the tool for everything else.

>>> import numpy as np
>>> from actlib import nn
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> y = np.array([0, 1, 1, 0])                       # XOR
>>> model = nn.MLP([2, 8, 2], activation="tanh", init="glorot_uniform", rng=0)
>>> history = model.fit(X, y, epochs=500, lr=0.5)
>>> model.predict(X), model.accuracy(X, y)
(array([0, 1, 1, 0]), 1.0)

Conventions (those of Keras): a layer computes ``Z = A_prev @ W + b`` with the kernel ``W`` of
shape ``(n_in, n_out)``, so weights copy to and from ``keras.layers.Dense`` unchanged. Everything
is float64. Losses are averaged over the examples (and, for sigmoid and linear outputs, over the
output units too, as Keras does).
"""

from __future__ import annotations

import copy as _copy
import math
import numbers

import numpy as np
from scipy import special

from ._validation import _short, as_rng, check_real, unknown_name
from .registry import Activation, get

__all__ = ["INITIALIZERS", "MLP", "OUTPUTS"]

#: Output layers and the loss each one is trained with.
OUTPUTS = {
    "softmax": "cross-entropy with integer class labels",
    "sigmoid": "binary cross-entropy with 0/1 targets",
    "linear": "mean squared error",
}

#: Weight initializers, by their Keras names (``float`` std is accepted too).
INITIALIZERS = ("glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "zeros")

# Keras draws its *_normal initializers from a normal truncated at two standard deviations, with the
# std divided by this factor (the std of a unit normal truncated to [-2, 2]) so the variance is exact.
_TRUNCATED_STD = 0.87962566103423978


def _rng(rng, func):
    return as_rng(rng, func)


def _truncated_normal(rng, std, shape):
    """Normal(0, std²) samples, redrawn until all lie within two standard deviations."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return std * out


def _init_weights(init, fan_in, fan_out, rng, func="MLP") -> np.ndarray:
    """A ``(fan_in, fan_out)`` kernel drawn the way the Keras initializer ``init`` draws it.

    ``init`` is a Keras name: ``glorot_uniform``/``glorot_normal`` (variance 2/(fan_in + fan_out)),
    ``he_uniform``/``he_normal`` (2/fan_in), ``lecun_uniform``/``lecun_normal`` (1/fan_in),
    ``zeros``; or a float, the standard deviation of a plain normal. The ``*_normal`` ones are
    truncated at two standard deviations and rescaled, as in Keras, so the variance is exact.
    """
    shape = (fan_in, fan_out)
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        std = check_real(func, "init (a standard deviation)", init, low=0.0)
        return std * rng.standard_normal(shape)
    if not isinstance(init, str):
        raise TypeError(f"{func}: init must be a Keras initializer name such as 'he_normal', or a float std; got {_short(init)}.")
    key = init.strip().lower()
    if key == "zeros":
        return np.zeros(shape)
    scheme, _, dist = key.partition("_")
    fans = {"glorot": (fan_in + fan_out) / 2.0, "he": fan_in / 2.0, "lecun": float(fan_in)}
    if scheme not in fans or dist not in ("normal", "uniform"):
        raise unknown_name(func, "initializer", init, INITIALIZERS)
    variance = 1.0 / fans[scheme]
    if dist == "uniform":
        limit = math.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, shape)
    return _truncated_normal(rng, math.sqrt(variance) / _TRUNCATED_STD, shape)


def _positive_int(func, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{func}: {name} must be a positive int; got {_short(value)}.")
    return int(value)


class MLP:
    """A dense network: hidden layers with one activation, then a softmax, sigmoid or linear output.

    Args:
        sizes: layer widths from input to output, e.g. ``[64, 32, 32, 10]`` (at least two).
        activation: the hidden activation, a registry name (``"relu"``, ``"leaky_relu"``, ...) or
            an ``Activation``; its parameters go in ``**activation_params`` (``alpha=0.1``).
        init: weight initializer for every layer, a Keras name (``"he_normal"``, ``"glorot_uniform"``,
            ``"lecun_normal"``, ...) or a float (the std of a normal).
        output: ``"softmax"`` (trained with cross-entropy on integer labels), ``"sigmoid"`` (binary
            cross-entropy on 0/1 targets) or ``"linear"`` (mean squared error).
        bias_init: the starting value of every hidden unit's bias (the output biases start at 0).
            Negative values start units in their flat region: the dying-ReLU lesson varies it.
        rng: seed (int), ``numpy.random.Generator`` or None. It draws the weights, and ``fit``
            shuffles with it unless given another.

    Attributes:
        W, b: lists of kernels ``(n_in, n_out)`` and bias vectors, one per layer. You may read and
            change them; a training step replaces them with new arrays.
        activation: the hidden ``Activation`` record. sizes: the widths, as a tuple.
    """

    def __init__(self, sizes, activation="relu", init="he_normal", output="softmax", *, bias_init=0.0, rng=0, **activation_params):
        func = "MLP"
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"{func}: sizes must be a list of layer widths such as [64, 32, 10]; got {_short(sizes)}.")
        if len(sizes) < 2:
            raise ValueError(f"{func}: sizes needs at least an input and an output width, e.g. [2, 1]; got {_short(list(sizes))}.")
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
                raise ValueError(f"{func}: every layer width in sizes must be a positive int; got {_short(list(sizes))}.")
        self.sizes = tuple(int(s) for s in sizes)
        if not isinstance(activation, (str, Activation)):
            raise TypeError(f"{func}: activation must be a registry name such as 'relu' or an Activation; got {_short(activation)}.")
        act = get(activation, **activation_params)
        if not act.elementwise:
            raise ValueError(f"{func}: the hidden activation must act element by element; got {act.name!r}. Use output='softmax' for the output layer.")
        self.activation = act
        if not isinstance(output, str) or output.strip().lower() not in OUTPUTS:
            raise unknown_name(func, "output", output, OUTPUTS)
        self.output = output.strip().lower()
        if self.output == "softmax" and self.sizes[-1] < 2:
            raise ValueError(f"{func}: a softmax output needs at least 2 units (one per class); got sizes[-1] = {self.sizes[-1]}. Use output='sigmoid' for one unit.")
        self.init = init
        self.bias_init = check_real(func, "bias_init", bias_init)
        self.rng = _rng(rng, func)
        self.W = [_init_weights(init, n_in, n_out, self.rng) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)]
        self.b = [np.full(n, self.bias_init) for n in self.sizes[1:-1]] + [np.zeros(self.sizes[-1])]
        self._velocity = None
        self._buffers = {}

    # -- description ---------------------------------------------------------------------------
    def __repr__(self):
        return f"MLP({list(self.sizes)}, activation={self.activation!r}, init={self.init!r}, output={self.output!r}, bias_init={self.bias_init:g})"

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.W)

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (weights and biases)."""
        return sum(w.size + b.size for w, b in zip(self.W, self.b, strict=True))

    def copy(self) -> MLP:
        """An independent copy (weights, momentum and random generator state included)."""
        twin = _copy.copy(self)  # the Activation record is immutable and can be shared
        twin.W = [w.copy() for w in self.W]
        twin.b = [b.copy() for b in self.b]
        twin.rng = _copy.deepcopy(self.rng)
        twin._velocity = None if self._velocity is None else [v.copy() for v in self._velocity]
        twin._buffers = {}
        return twin

    # -- input checks --------------------------------------------------------------------------
    def _check_X(self, X, func):
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: X must be a 2-D array of numbers (examples × features); got {_short(X)}.") from None
        if X.ndim == 1 and self.sizes[0] == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.sizes[0] or X.shape[0] == 0:
            raise ValueError(f"{func}: X must have shape (n_examples, {self.sizes[0]}) for this model; got shape {X.shape}.")
        if not np.isfinite(X).all():
            raise ValueError(f"{func}: X contains NaN or inf; clean or impute the data first.")
        return X

    def _check_y(self, y, n, func):
        k = self.sizes[-1]
        try:
            y = np.asarray(y)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: y must be an array of targets; got {_short(y)}.") from None
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{func}: y must contain numbers; got dtype {y.dtype}.")
        if self.output == "softmax":
            if y.shape != (n,):
                raise ValueError(f"{func}: for a softmax output, y must be integer class labels of shape ({n},); got shape {y.shape}.")
            if y.dtype.kind == "f" and not (np.isfinite(y).all() and (y == np.round(y)).all()):
                raise ValueError(f"{func}: for a softmax output, y must hold integer class labels 0..{k - 1}; got non-integer values such as {y[y != np.round(y)][:1]}.")
            labels = y.astype(np.int64)
            if labels.min() < 0 or labels.max() >= k:
                raise ValueError(f"{func}: class labels must lie in 0..{k - 1} (the model has {k} outputs); got labels from {labels.min()} to {labels.max()}.")
            return labels
        y = y.astype(np.float64)
        if y.ndim == 1 and k == 1:
            y = y[:, None]
        if y.shape != (n, k):
            raise ValueError(f"{func}: for a {self.output} output with {k} unit(s), y must have shape ({n}, {k})" + (f" or ({n},)" if k == 1 else "") + f"; got shape {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError(f"{func}: y contains NaN or inf.")
        if self.output == "sigmoid" and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{func}: for a sigmoid output, targets must lie in [0, 1]; got values from {y.min():g} to {y.max():g}.")
        return y

    # -- forward and backward --------------------------------------------------------------------
    def forward(self, X):
        """Outputs for the examples in the rows of X, and the cache back-propagation needs.

        Returns:
            ``(out, cache)``: ``out`` holds probabilities (softmax, sigmoid) or values (linear), shape
            ``(n_examples, sizes[-1])``; ``cache["z"][l]`` is layer l's pre-activation and
            ``cache["a"][l]`` its input (``cache["a"][0]`` is X, ``cache["a"][-1]`` is ``out``).
        """
        X = self._check_X(X, "MLP.forward")
        return self._forward(X, "MLP.forward")

    def _workspace(self, n):
        """Arrays reused by every training step on a batch of n examples.

        Allocating and freeing a few (n × width) arrays per step makes the C library hand memory
        back to the system and fault it in again, which costs more than the arithmetic.
        """
        ws = self._buffers.get(n)
        if ws is None or [z.shape[1] for z in ws["z"]] != list(self.sizes[1:]):
            if len(self._buffers) > 3:
                self._buffers.clear()
            ws = self._buffers[n] = {"z": [np.empty((n, k)) for k in self.sizes[1:]], "d": [np.empty((n, k)) for k in self.sizes[1:-1]]}
        return ws

    def _forward(self, X, func=None, ws=None):
        """The forward pass; with ``func``, raise if a value overflowed (weights blown up).

        With a workspace ``ws`` the pre-activations are written into its arrays (training only:
        the next step overwrites them).
        """
        a, zs, acts = X, [], [X]
        last = self.n_layers - 1
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
                z = np.matmul(a, W, out=None if ws is None else ws["z"][i])
                z += b
                zs.append(z)
                if i < last:
                    a = self.activation(z)
                elif self.output == "softmax":
                    a = special.softmax(z, axis=1)
                elif self.output == "sigmoid":
                    a = special.expit(z)
                else:
                    a = z
                acts.append(a)
        if func is not None and not all(np.isfinite(z).all() for z in zs):
            raise self._overflow(func, "the network's pre-activations")
        return a, {"z": zs, "a": acts}

    def _overflow(self, func, what):
        return FloatingPointError(
            f"{func}: {what} overflowed to inf or NaN: the weights have blown up "
            f"(largest |W| = {max(float(np.abs(w).max()) for w in self.W):.3g}). Was the learning rate too large?"
        )

    def _loss_from_logits(self, z, y):
        """Mean loss and its gradient with respect to the output pre-activations z."""
        n = z.shape[0]
        if self.output == "softmax":
            logp = special.log_softmax(z, axis=1)
            rows = np.arange(n)
            loss = -logp[rows, y].mean()
            dz = np.exp(logp)  # p − onehot(y), the famous softmax + cross-entropy gradient
            dz[rows, y] -= 1.0
            return loss, dz / n
        if self.output == "sigmoid":
            # BCE from logits, stably: log(1 + e^z) − y·z
            loss = (np.logaddexp(0.0, z) - y * z).mean()
            return loss, (special.expit(z) - y) / z.size
        diff = z - y
        return (diff**2).mean(), 2.0 * diff / z.size

    def _backward(self, cache, dz, ws=None):
        zs, acts = cache["z"], cache["a"]
        gW, gb = [None] * self.n_layers, [None] * self.n_layers
        for i in range(self.n_layers - 1, -1, -1):
            gW[i] = acts[i].T @ dz
            gb[i] = dz.sum(axis=0)
            if i > 0:
                dz = np.matmul(dz, self.W[i].T, out=None if ws is None else ws["d"][i - 1])
                dz *= self.activation.grad(zs[i - 1])
        return {"W": gW, "b": gb}

    def loss(self, X, y) -> float:
        """The mean loss on (X, y): cross-entropy, binary cross-entropy or MSE, by output."""
        X = self._check_X(X, "MLP.loss")
        y = self._check_y(y, X.shape[0], "MLP.loss")
        _, cache = self._forward(X, "MLP.loss")
        with np.errstate(over="ignore", invalid="ignore"):
            loss = float(self._loss_from_logits(cache["z"][-1], y)[0])
        if not math.isfinite(loss):
            raise self._overflow("MLP.loss", "the loss")
        return loss

    def loss_and_grads(self, X, y):
        """The mean loss and its gradient with respect to every weight and bias.

        Returns:
            ``(loss, grads)`` with ``grads["W"][l]`` and ``grads["b"][l]`` shaped like
            ``self.W[l]`` and ``self.b[l]``. The hidden layers use ``activation.grad``.
        """
        X = self._check_X(X, "MLP.loss_and_grads")
        y = self._check_y(y, X.shape[0], "MLP.loss_and_grads")
        _, cache = self._forward(X, "MLP.loss_and_grads")
        with np.errstate(over="ignore", invalid="ignore"):
            loss, dz = self._loss_from_logits(cache["z"][-1], y)
            grads = self._backward(cache, dz)
        if not (math.isfinite(loss) and all(np.isfinite(g).all() for g in grads["W"] + grads["b"])):
            raise self._overflow("MLP.loss_and_grads", "the loss or its gradient")
        return float(loss), grads

    # -- training --------------------------------------------------------------------------------
    def step(self, X, y, lr, momentum=0.0) -> float:
        """One gradient-descent step on (X, y); returns the loss before the step.

        ``W ← W − lr·∂L/∂W``; with ``momentum`` μ, a velocity ``v ← μ·v − lr·∂L/∂W`` is kept
        between calls and added instead.

        Raises:
            FloatingPointError: the loss or the updated weights would be NaN or inf (the step is
                not taken); usually the learning rate is far too large.
        """
        func = "MLP.step"
        X = self._check_X(X, func)
        y = self._check_y(y, X.shape[0], func)
        lr = check_real(func, "lr", lr, low=0.0, low_open=True)
        momentum = check_real(func, "momentum", momentum, low=0.0, high=1.0, high_open=True)
        return self._step(X, y, lr, momentum)[0]

    def _step(self, X, y, lr, momentum, func="MLP.step"):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ws = self._workspace(X.shape[0])
            out, cache = self._forward(X, ws=ws)
            loss, dz = self._loss_from_logits(cache["z"][-1], y)
            loss = float(loss)
            grads = self._backward(cache, dz, ws)
            params, gradients = self.W + self.b, grads["W"] + grads["b"]
            if momentum:
                velocity = self._velocity or [np.zeros_like(p) for p in params]
                velocity = [momentum * v - lr * g for v, g in zip(velocity, gradients, strict=True)]
                updates = velocity
            else:
                updates = [-lr * g for g in gradients]
            new = [p + u for p, u in zip(params, updates, strict=True)]
        if not (math.isfinite(loss) and all(np.isfinite(p).all() for p in new)):
            raise FloatingPointError(
                f"{func}: the loss or the updated weights became inf or NaN with lr = {lr:g} (loss before the step: {loss:.4g}); "
                "the weights blew up, and the step was not taken. Use a smaller learning rate (or standardise the inputs)."
            )
        self.W, self.b = new[: self.n_layers], new[self.n_layers :]
        if momentum:
            self._velocity = velocity
        return loss, out

    def fit(self, X, y, epochs=10, lr=0.1, batch_size=None, *, momentum=0.0, rng=None, callback=None) -> dict:
        """Train with (mini-batch) gradient descent and return the history, one entry per epoch.

        Args:
            epochs: passes over the data. lr: learning rate. momentum: 0 for plain SGD.
            batch_size: examples per step; None for full-batch gradient descent. Each epoch visits
                the examples in a new random order (drawn from ``rng``, by default the model's own).
            callback: ``callback(epoch, model)``, called after each epoch (epoch = 1, 2, ...). If it
                returns a dict, each value is appended to ``history`` under its key, so
                ``callback=lambda e, m: {"dead": m.dead_fraction(X)}`` records dead units.

        Returns:
            ``{"epoch": [...], "loss": [...], "accuracy": [...]}``: the mean loss (and, for
            classification, the accuracy) over the batches of each epoch, as Keras reports them,
            plus whatever the callback returned. Lists; ``np.asarray`` them to plot.

        Raises:
            FloatingPointError: the loss or the weights would become NaN or inf (the learning rate is
                too large); training stops there. The error's ``history`` holds the epochs completed.
        """
        func = "MLP.fit"
        X = self._check_X(X, func)
        y = self._check_y(y, X.shape[0], func)
        n = X.shape[0]
        epochs = _positive_int(func, "epochs", epochs)
        lr = check_real(func, "lr", lr, low=0.0, low_open=True)
        momentum = check_real(func, "momentum", momentum, low=0.0, high=1.0, high_open=True)
        batch = n if batch_size is None else min(_positive_int(func, "batch_size", batch_size), n)
        order_rng = self.rng if rng is None else _rng(rng, func)
        if callback is not None and not callable(callback):
            raise TypeError(f"{func}: callback must be a function callback(epoch, model) or None; got {_short(callback)}.")
        classify = self.output != "linear"
        history = {"epoch": [], "loss": []} | ({"accuracy": []} if classify else {})
        for epoch in range(1, epochs + 1):
            order = order_rng.permutation(n) if batch < n else np.arange(n)
            total_loss, correct = 0.0, 0
            for start in range(0, n, batch):
                idx = order[start : start + batch]
                Xb, yb = X[idx], y[idx]
                try:
                    loss, out = self._step(Xb, yb, lr, momentum, func)
                except FloatingPointError as exc:
                    error = FloatingPointError(f"{exc} (epoch {epoch}; the history so far is in this error's .history)")
                    error.history, error.epoch = history, epoch
                    raise error from None
                total_loss += loss * len(idx)
                if classify:
                    correct += int((self._labels(out) == self._targets(yb)).sum())
            history["epoch"].append(epoch)
            history["loss"].append(total_loss / n)
            if classify:
                history["accuracy"].append(correct / (n * (1 if self.output == "softmax" else self.sizes[-1])))
            if callback is not None:
                extra = callback(epoch, self)
                if extra is not None:
                    if not isinstance(extra, dict):
                        raise TypeError(f"{func}: callback must return a dict of values to record, or None; got {_short(extra)}.")
                    for key, value in extra.items():
                        history.setdefault(key, []).append(value)
        return history

    # -- predictions and diagnostics ---------------------------------------------------------------
    def _labels(self, out):
        if self.output == "softmax":
            return out.argmax(axis=1)
        labels = (out > 0.5).astype(np.int64)
        return labels[:, 0] if labels.shape[1] == 1 else labels

    def _targets(self, y):
        if self.output == "softmax":
            return y
        t = (y > 0.5).astype(np.int64)
        return t[:, 0] if t.shape[1] == 1 else t

    def predict(self, X):
        """Class labels (softmax: the most probable class; sigmoid: 1 where p > 0.5), or values (linear)."""
        X = self._check_X(X, "MLP.predict")
        out, _ = self._forward(X, "MLP.predict")
        return out if self.output == "linear" else self._labels(out)

    def accuracy(self, X, y) -> float:
        """Fraction of correct labels (classification outputs only)."""
        func = "MLP.accuracy"
        if self.output == "linear":
            raise ValueError(f"{func}: accuracy needs a classification output ('softmax' or 'sigmoid'); this model's output is 'linear'. Use MLP.loss (the MSE) instead.")
        X = self._check_X(X, func)
        y = self._check_y(y, X.shape[0], func)
        return float(np.mean(self.predict(X) == self._targets(y)))

    def dead_fraction(self, X) -> np.ndarray:
        """Per hidden layer, the fraction of units whose pre-activation is ≤ 0 for every example in X.

        For ReLU these units are *dead*: their output and their gradient are 0 on all of X, so no
        example can change their incoming weights. For Leaky ReLU or ELU the same units are only
        inactive: their gradient is not zero, and they can come back.

        >>> from actlib import nn
        >>> model = nn.MLP([2, 3, 1], output="sigmoid", rng=0)
        >>> model.W[0][:] = 1.0                     # every input weight 1: z = x1 + x2 + b
        >>> model.b[0][:] = [-100.0, 0.0, 0.5]      # unit 0 is pushed far negative: dead
        >>> model.dead_fraction(np.eye(2)).round(3)
        array([0.333])
        """
        X = self._check_X(X, "MLP.dead_fraction")
        _, cache = self._forward(X, "MLP.dead_fraction")
        return np.array([float(np.mean((z <= 0).all(axis=0))) for z in cache["z"][:-1]])
