"""Deep-stack statistics and mean-field tools: what happens to signals in deep networks at initialisation.

Returns data, never plots (the notebooks plot). Two halves:

**Simulation.** ``deep_stack`` pushes N(μ, σ²) inputs through a dense stack with random weights
and records, layer by layer, the spread of pre-activations, activations and back-propagated
gradients, and the fractions of saturated and dead units. ``atlas`` does that for every
activation × initializer × depth.

>>> from actlib import simulate
>>> s = simulate.deep_stack("relu", "he_normal", depth=30, width=256, n_samples=500)
>>> s.act_std.shape, bool(0.4 < s.act_std[-1] < 1.6)
((30,), True)

**Mean-field theory** (Poole et al. 2016, Schoenholz et al. 2017). For an infinitely wide stack
with weights of variance σ_w²/fan_in and biases of variance σ_b², the second moment of the
pre-activations follows the *variance map*

    q_{l+1} = σ_w² · E[f(√q_l z)²] + σ_b²,   z ~ N(0, 1),

whose stable fixed point is q*. Two inputs with correlation c follow the *correlation map*
c ↦ (σ_w² E[f(u₁) f(u₂)] + σ_b²) / q*, whose slope at c = 1 is

    χ₁ = σ_w² · E[f'(√q* z)²].

χ₁ < 1: ordered phase (inputs become alike, gradients vanish); χ₁ > 1: chaotic (inputs
decorrelate, gradients explode); χ₁ = 1: the *edge of chaos*. Correlations approach their fixed
point c* like e^{−l/ξ_c}, with the correlation depth ξ_c = −1/ln χ_c, χ_c the slope of the
correlation map at c*; ξ_c is infinite on the edge of chaos, and Schoenholz et al. found that
networks train when their depth is below about 6 ξ_c.

>>> round(simulate.critical_weight_variance("relu", 0.0), 6)
2.0
>>> round(simulate.critical_weight_variance("tanh", 0.0), 6)
1.0

Expectations are computed by Gauss–Hermite quadrature (``actlib.init.gaussian_expectation``);
the correlation map uses Mehler's expansion in Hermite polynomials, whose coefficients come from
the same quadrature.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from . import init as _init
from ._validation import _short, check_real
from .activations import SELU_ALPHA, SELU_LAMBDA
from .registry import Activation, get

__all__ = [
    "Atlas",
    "PhaseDiagram",
    "StackStats",
    "atlas",
    "chi1",
    "correlation_depth",
    "correlation_fixed_point",
    "correlation_map",
    "critical_weight_variance",
    "deep_stack",
    "fixed_point_variance",
    "phase_diagram",
    "variance_map",
    "variance_trajectory",
]

SATURATION_THRESHOLD = 0.01  # |f'(z)| below 1% of the activation's largest |f'| counts as saturated


# ---------------------------------------------------------------------------------------------
# helpers
def _activation(func, activation) -> Activation:
    try:
        act = get(activation)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{func}: {exc}") from None
    if not act.elementwise:
        raise ValueError(f"{func}: {act.name} is a vector function (it couples the units of a layer); expected an elementwise activation such as 'relu'.")
    return act


def _positive_int(func, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{func}: {name} must be a positive int; got {_short(value)}.")
    return int(value)


def _act_key(act):
    return (act.name, tuple(sorted(act.params.items())))


@functools.lru_cache(maxsize=256)
def _max_abs_grad(key):
    act = get(key[0], **dict(key[1]))
    x = np.linspace(-30.0, 30.0, 60001)
    with np.errstate(all="ignore"):
        return float(np.nanmax(np.abs(act.grad(x))))


def _one_blas_thread():
    """Run BLAS single-threaded inside the block (via threadpoolctl, which scikit-learn installs).

    The stacks' matrices are small (hundreds of units): on a machine shared with other work, two
    BLAS threads waiting for each other cost far more than they save (we measured 3 s single-
    threaded against 10-50 s with two busy-waiting threads for the same atlas).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _readonly(a):
    a = np.asarray(a, dtype=float)
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------------------------------------
# the deep stack
@dataclass(frozen=True, eq=False)
class StackStats:
    """Layer-by-layer statistics of one random deep stack (arrays of length ``depth``; index 0 is
    the first layer, index ``depth − 1`` the top).

    Fields:
        preact_std: std of the pre-activations z = a_prev @ W (+ b) over samples and units.
        act_mean, act_std: mean and std of the activations a = f(z) over samples and units.
        act_std_within: the mean over units of each unit's std across the samples (what a
            BatchNorm layer would see); act_mean_spread: the std over units of the per-unit means.
            act_std² = act_std_within²-ish + act_mean_spread² (exactly: mean of per-unit
            variances + variance of per-unit means).
        grad_std: std of ∂L/∂z, the gradient with respect to each layer's pre-activations
            (back-propagated from ∂L/∂a_top = unit Gaussian noise at the top, one draw per sample
            and unit). The weight gradient of layer l is a_{l−1}ᵀ ∂L/∂z_l.
        grad_act_std: std of ∂L/∂a, the gradient with respect to each layer's output (at the top:
            the noise itself, std ≈ 1).
        weight_grad_std: std of the entries of ∂L/∂W for L = mean over samples of ⟨noise, a_top⟩.
        saturated_fraction: fraction of (sample, unit) entries with |f'(z)| < 1% of the
            activation's largest |f'|: the flat tails of sigmoid and tanh, and for ReLU-like
            functions the flat side (for ReLU that is every z ≤ 0).
        dead_fraction: fraction of units with f'(z) = 0 for every sample (dead ReLUs; smooth
            activations only reach it when f' underflows to 0).
        activations, preactivations, gradients, weights: per-layer arrays when
            ``keep_activations=True`` (else None): a (n_samples, width) array of a, z and ∂L/∂z
            for each layer, and each layer's (fan_in, fan_out) kernel.

    ``precision`` says whether the run that produced these numbers used float32 or float64. Once a
    value overflows float64 (an exploding stack), later layers report inf or nan.
    """

    activation: str
    init: str | float
    depth: int
    width: int
    n_samples: int
    input_std: float
    input_mean: float
    bias_std: float
    dropout: float
    dropout_type: str
    precision: str
    preact_std: np.ndarray = field(repr=False)
    act_mean: np.ndarray = field(repr=False)
    act_std: np.ndarray = field(repr=False)
    act_std_within: np.ndarray = field(repr=False)
    act_mean_spread: np.ndarray = field(repr=False)
    grad_std: np.ndarray = field(repr=False)
    grad_act_std: np.ndarray = field(repr=False)
    weight_grad_std: np.ndarray = field(repr=False)
    saturated_fraction: np.ndarray = field(repr=False)
    dead_fraction: np.ndarray = field(repr=False)
    activations: list | None = field(default=None, repr=False)
    preactivations: list | None = field(default=None, repr=False)
    gradients: list | None = field(default=None, repr=False)
    weights: list | None = field(default=None, repr=False)

    @property
    def layers(self) -> np.ndarray:
        """Layer numbers 1..depth (for plotting)."""
        return np.arange(1, self.depth + 1)

    @property
    def grad_ratio(self) -> float:
        """grad_std at the first layer over grad_std at the top: < 1 vanishing, > 1 exploding."""
        return float(self.grad_std[0] / self.grad_std[-1])

    def __repr__(self):
        return (
            f"StackStats({self.activation!r}, init={self.init!r}, depth={self.depth}, width={self.width}: "
            f"act_std {self.act_std[0]:.3g} → {self.act_std[-1]:.3g}, grad_std {self.grad_std[-1]:.3g} (top) → "
            f"{self.grad_std[0]:.3g} (first))"
        )


def _check_dropout(func, dropout, dropout_type):
    rate = check_real(func, "dropout", dropout, low=0.0, high=1.0, high_open=True)
    if dropout_type not in ("standard", "alpha"):
        raise ValueError(f"{func}: dropout_type must be 'standard' (inverted dropout, as keras.layers.Dropout) or 'alpha' (keras.layers.AlphaDropout); got {dropout_type!r}.")
    return rate


def _dropout_mask(rng, shape, rate, kind):
    """(multiplier, offset) so that dropped(a) = a * multiplier + offset, as Keras does in training."""
    keep = rng.random(shape) >= rate
    if kind == "standard":  # keras.layers.Dropout: zero, scale the rest by 1/(1 − rate)
        return keep / (1.0 - rate), 0.0
    # keras.layers.AlphaDropout: set to SELU's negative saturation α' = −λα, then an affine
    # correction a·x + b that restores mean 0 and variance 1
    alpha_p = -SELU_LAMBDA * SELU_ALPHA
    a = ((1.0 - rate) * (1.0 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    return a * keep, a * alpha_p * (~keep) + b


class _LeavesFloat32(Exception):
    """Raised inside a guarded float32 run as soon as values leave float32's comfortable range."""


def _guard(arr):
    """Stop a float32 run whose values overflow or sink towards subnormals (which are slow, too)."""
    m = float(np.max(np.abs(arr))) if arr.size else 0.0
    if not math.isfinite(m) or m > 1e30 or 0.0 < m < 1e-30:
        raise _LeavesFloat32


def _forward(act, init, depth, width, n_samples, gen, input_std, input_mean, input_dim, bias_std, dropout, dropout_type, dtype, guard=False):
    """Run the stack forward; return per-layer stores needed for statistics and back-propagation."""
    d0 = input_dim
    x = (input_mean + input_std * gen.standard_normal((n_samples, d0))).astype(dtype, copy=False)
    weights = [_init.initialize(init, d0 if i == 0 else width, width, gen).astype(dtype, copy=False) for i in range(depth)]
    biases = [(bias_std * gen.standard_normal(width)).astype(dtype, copy=False) if bias_std else None for _ in range(depth)]
    inputs, derivs, zs, acts, masks = [], [], [], [], []
    a_in = x
    for k in range(depth):
        z = a_in @ weights[k]
        if biases[k] is not None:
            z += biases[k]
        if guard:
            _guard(z)
        a = act(z)
        d = act.grad(z)
        inputs.append(a_in)
        derivs.append(d)
        zs.append(z)
        acts.append(a)
        if dropout and k < depth - 1:
            mult, off = _dropout_mask(gen, a.shape, dropout, dropout_type)
            mult = np.asarray(mult, dtype=dtype)
            masks.append(mult)
            a_in = (a * mult + off).astype(dtype, copy=False)
        else:
            masks.append(None)
            a_in = a
    return weights, inputs, derivs, zs, acts, masks


def _backward(top, weights, inputs, derivs, masks, gen, n_samples, width, guard=False):
    """Back-propagate unit Gaussian noise from layer ``top`` (0-based) down to layer 0."""
    g_a = gen.standard_normal((n_samples, width)).astype(weights[0].dtype, copy=False)
    grad, grad_act, wgrad = np.empty(top + 1), np.empty(top + 1), np.empty(top + 1)
    deltas = [None] * (top + 1)
    for k in range(top, -1, -1):
        delta = g_a * derivs[k]
        if guard:
            _guard(delta)
        deltas[k] = delta
        grad[k] = delta.std(dtype=np.float64)
        grad_act[k] = g_a.std(dtype=np.float64)
        wgrad[k] = (inputs[k].T @ delta).std(dtype=np.float64) / n_samples
        if k:
            g_a = delta @ weights[k].T
            if masks[k - 1] is not None:
                g_a *= masks[k - 1]
    return grad, grad_act, wgrad, deltas


def _rng(func, rng):
    return _init._rng(rng, func)


def deep_stack(activation, init, depth, width, n_samples=1000, rng=0, input_std=1.0, *, input_mean=0.0, input_dim=None,
               bias_std=0.0, dropout=0.0, dropout_type="standard", keep_activations=False, precision="auto") -> StackStats:
    """Statistics of a random deep dense stack, layer by layer, at initialisation.

    The stack: inputs x ~ N(input_mean, input_std²) of dimension ``input_dim`` (default
    ``width``), then ``depth`` layers z_l = a_{l−1} @ W_l (+ b_l), a_l = f(z_l), each W_l of shape
    (fan_in, width) drawn by ``actlib.init.initialize(init, ...)``. No biases unless
    ``bias_std > 0`` (then b ~ N(0, bias_std²)). Gradients: ∂L/∂a_top is unit Gaussian noise,
    back-propagated through every layer (with the dropout masks of the forward pass).

    Args:
        activation: registry name, alias or ``Activation`` (e.g. ``actlib.get("elu", alpha=0.5)``).
        init: initializer name (``actlib.init.INITIALIZERS``: Keras' names, ``"standard"``,
            ``"zeros"``) or a float: the std of a plain normal.
        depth, width: number of layers and units per layer.
        n_samples: number of input vectors (the batch).
        rng: int seed or ``numpy.random.Generator``. The same seed gives the same inputs and, for
            the same ``init``, the same weights whatever the activation.
        input_std, input_mean: the inputs' distribution (standardised: 1 and 0).
        dropout: a rate in [0, 1), applied in training mode after every layer but the top.
            ``dropout_type="standard"`` is Keras' ``Dropout`` (zero, scale by 1/(1 − rate));
            ``"alpha"`` is Keras' ``AlphaDropout`` (SELU's partner: keeps mean 0 and variance 1).
        keep_activations: also return every layer's activations, pre-activations, gradients and
            weights (for histograms); memory grows as depth × n_samples × width.
        precision: ``"auto"`` computes in float32, as Keras does, and repeats the run in float64
            (with the same random numbers) when a standard deviation leaves [1e−30, 1e30] or
            overflows, so that vanishing and exploding stacks are measured, not flushed to 0 or
            inf; ``"float32"`` or ``"float64"`` force one. Statistics are accumulated in float64.

    Returns:
        A ``StackStats``; see its fields. Vectorised: depth 50, width 256, 1000 samples take
        a few tenths of a second on two cores.
    """
    func = "actlib.simulate.deep_stack"
    act = _activation(func, activation)
    key = _init._key(func, init)
    depth = _positive_int(func, "depth", depth)
    width = _positive_int(func, "width", width)
    n_samples = _positive_int(func, "n_samples", n_samples)
    input_dim = width if input_dim is None else _positive_int(func, "input_dim", input_dim)
    input_std = check_real(func, "input_std", input_std, low=0.0)
    input_mean = check_real(func, "input_mean", input_mean)
    bias_std = check_real(func, "bias_std", bias_std, low=0.0)
    dropout = _check_dropout(func, dropout, dropout_type)
    dtypes = _precisions(func, precision)
    gen = _rng(func, rng)
    state = gen.bit_generator.state
    threshold = SATURATION_THRESHOLD * _max_abs_grad(_act_key(act))
    for dtype in dtypes:
        gen.bit_generator.state = state  # the float64 rerun draws exactly the same numbers
        guard = dtype is np.float32 and len(dtypes) > 1
        try:
            with np.errstate(all="ignore"), _one_blas_thread():
                weights, inputs, derivs, zs, acts, masks = _forward(
                    act, key, depth, width, n_samples, gen, input_std, input_mean, input_dim, bias_std, dropout, dropout_type, dtype, guard
                )
                stats = _layer_stats(zs, acts, derivs, threshold)
                grad, grad_act, wgrad, deltas = _backward(depth - 1, weights, inputs, derivs, masks, gen, n_samples, width, guard)
        except _LeavesFloat32:
            continue
        if not guard or _in_range(stats["preact_std"], stats["act_std"], grad, wgrad):
            break
    return StackStats(
        activation=act.label, init=key, depth=depth, width=width, n_samples=n_samples, input_std=input_std, input_mean=input_mean,
        bias_std=bias_std, dropout=dropout, dropout_type=dropout_type, precision=np.dtype(dtype).name,
        **{k: _readonly(v) for k, v in stats.items()},
        grad_std=_readonly(grad), grad_act_std=_readonly(grad_act), weight_grad_std=_readonly(wgrad),
        activations=acts if keep_activations else None,
        preactivations=zs if keep_activations else None,
        gradients=deltas if keep_activations else None,
        weights=weights if keep_activations else None,
    )


def _precisions(func, precision):
    if precision == "auto":
        return (np.float32, np.float64)
    if precision in ("float32", np.float32):
        return (np.float32,)
    if precision in ("float64", np.float64):
        return (np.float64,)
    raise ValueError(f"{func}: precision must be 'auto', 'float32' or 'float64'; got {_short(precision)}.")


def _in_range(*arrays):
    """Whether float32 was good enough: every std finite and, unless exactly 0, within 1e±30."""
    for arr in arrays:
        arr = np.asarray(arr)
        if not np.all(np.isfinite(arr)):
            return False
        nz = np.abs(arr[arr != 0])
        if nz.size and (nz.min() < 1e-30 or nz.max() > 1e30):
            return False
    return True


def _layer_stats(zs, acts, derivs, threshold):
    """Per-layer statistics, accumulated in float64 whatever the stack's precision."""
    depth = len(zs)
    names = ("preact_std", "act_mean", "act_std", "act_std_within", "act_mean_spread", "saturated_fraction", "dead_fraction")
    stats = {name: np.empty(depth) for name in names}
    for k in range(depth):
        z, a, d = zs[k], acts[k], derivs[k]
        a64 = a.astype(np.float64, copy=False)
        unit_mean = a64.mean(axis=0)
        unit_var = a64.var(axis=0)
        stats["act_mean"][k] = unit_mean.mean()
        stats["act_std"][k] = math.sqrt(unit_var.mean() + unit_mean.var())  # pooled variance, exactly
        stats["act_std_within"][k] = np.sqrt(unit_var).mean()
        stats["act_mean_spread"][k] = unit_mean.std()
        stats["preact_std"][k] = z.std(dtype=np.float64)
        stats["saturated_fraction"][k] = np.mean(np.abs(d) < threshold) if threshold > 0 else 0.0
        stats["dead_fraction"][k] = np.mean(~(d != 0).any(axis=0))
    return stats


# ---------------------------------------------------------------------------------------------
# the atlas
@dataclass(frozen=True, eq=False)
class Atlas:
    """Final-layer statistics for every activation × initializer × depth.

    Arrays have shape (len(activations), len(inits), len(depths)):
        act_std: std of the top layer's activations; preact_std: of its pre-activations;
        grad_ratio: grad_std at the first layer / grad_std at the top (1 = healthy; ≪ 1 vanishing,
        ≫ 1 exploding); dead_fraction: of the top layer's units.
    ``records()`` gives the same as a tidy list of dicts (one per combination).
    """

    activations: tuple
    inits: tuple
    depths: tuple
    width: int
    n_samples: int
    act_std: np.ndarray = field(repr=False)
    preact_std: np.ndarray = field(repr=False)
    grad_ratio: np.ndarray = field(repr=False)
    dead_fraction: np.ndarray = field(repr=False)

    def records(self) -> list[dict]:
        out = []
        for i, a in enumerate(self.activations):
            for j, w in enumerate(self.inits):
                for k, d in enumerate(self.depths):
                    out.append(dict(activation=a, init=w, depth=d, act_std=float(self.act_std[i, j, k]),
                                    preact_std=float(self.preact_std[i, j, k]), grad_ratio=float(self.grad_ratio[i, j, k]),
                                    dead_fraction=float(self.dead_fraction[i, j, k])))
        return out


def atlas(activations, inits, depths, width=128, n_samples=256, rng=0, input_std=1.0) -> Atlas:
    """Run ``deep_stack`` for every activation × initializer and read off each depth.

    For each pair one stack as deep as ``max(depths)`` runs forward once (the first d layers of it
    are a depth-d stack); for each depth d, noise is back-propagated from layer d. The same seed
    gives every pair the same inputs (and, per initializer, the same weights).

    >>> a = atlas(["relu", "tanh"], ["he_normal", "glorot_uniform"], [5, 20], width=64, n_samples=128)
    >>> a.act_std.shape, len(a.records())
    ((2, 2, 2), 8)
    """
    func = "actlib.simulate.atlas"
    if isinstance(activations, (str, Activation)):
        activations = [activations]
    if isinstance(inits, (str, numbers.Real)):
        inits = [inits]
    if isinstance(depths, numbers.Integral):
        depths = [depths]
    acts = [_activation(func, a) for a in activations]
    keys = [_init._key(func, w) for w in inits]
    depths = [_positive_int(func, "each depth", d) for d in depths]
    if not acts or not keys or not depths:
        raise ValueError(f"{func}: expected at least one activation, initializer and depth; got {len(acts)}, {len(keys)}, {len(depths)}.")
    width = _positive_int(func, "width", width)
    n_samples = _positive_int(func, "n_samples", n_samples)
    input_std = check_real(func, "input_std", input_std, low=0.0)
    seed = rng if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    if seed is None:
        seed = int(_rng(func, rng).integers(2**31))
    shape = (len(acts), len(keys), len(depths))
    act_std, preact_std, grad_ratio, dead = (np.empty(shape) for _ in range(4))
    top = max(depths)
    for i, act in enumerate(acts):
        for j, key in enumerate(keys):
            for dtype in (np.float32, np.float64):
                gen = np.random.default_rng(seed)
                guard = dtype is np.float32
                try:
                    with np.errstate(all="ignore"), _one_blas_thread():
                        weights, inputs, derivs, zs, a_list, masks = _forward(
                            act, key, top, width, n_samples, gen, input_std, 0.0, width, 0.0, 0.0, "standard", dtype, guard
                        )
                        for k, d in enumerate(depths):
                            grad, *_ = _backward(d - 1, weights, inputs, derivs, masks, gen, n_samples, width, guard)
                            act_std[i, j, k] = a_list[d - 1].std(dtype=np.float64)
                            preact_std[i, j, k] = zs[d - 1].std(dtype=np.float64)
                            grad_ratio[i, j, k] = grad[0] / grad[d - 1]
                            dead[i, j, k] = np.mean(~(derivs[d - 1] != 0).any(axis=0))
                            if guard and not _in_range(act_std[i, j, k], preact_std[i, j, k], grad[0], grad[d - 1]):
                                raise _LeavesFloat32
                except _LeavesFloat32:
                    continue
                break
    return Atlas(
        activations=tuple(a.label for a in acts), inits=tuple(keys), depths=tuple(depths), width=width, n_samples=n_samples,
        act_std=_readonly(act_std), preact_std=_readonly(preact_std), grad_ratio=_readonly(grad_ratio), dead_fraction=_readonly(dead),
    )


# ---------------------------------------------------------------------------------------------
# mean-field theory
_TINY_Q = 1e-200  # "q → 0+" for one-sided limits (ReLU's E[f'(√q z)²] → 1/2, not f'(0)² = 0)
MAX_VARIANCE = 1e10  # q beyond this counts as diverging


def _mf_args(func, activation, weight_variance, bias_variance):
    act = _activation(func, activation)
    wv = check_real(func, "weight_variance", weight_variance, low=0.0)
    bv = check_real(func, "bias_variance", bias_variance, low=0.0)
    return act, wv, bv


def _E(act, fn, q):
    return _init.gaussian_expectation(fn, q, kinks=act.kinks)


def _second(act, q):
    return _E(act, lambda y: act(y) ** 2, q)


def _grad_second(act, q):
    return _E(act, lambda y: act.grad(y) ** 2, max(q, _TINY_Q))


def variance_map(activation, q, weight_variance, bias_variance=0.0):
    """One layer of the variance map: σ_w²·E[f(√q z)²] + σ_b² (q a number or an array).

    >>> round(variance_map("relu", 1.0, 2.0), 12)
    1.0
    """
    func = "actlib.simulate.variance_map"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    qs = np.asarray(q, dtype=float)
    if not np.all(np.isfinite(qs)) or np.any(qs < 0):
        raise ValueError(f"{func}: q must be finite and >= 0; got {_short(q)}.")
    out = np.array([wv * _second(act, float(v)) + bv for v in qs.ravel()]).reshape(qs.shape)
    return float(out) if out.ndim == 0 else out


def variance_trajectory(activation, weight_variance, bias_variance=0.0, *, q0=1.0, depth=50) -> np.ndarray:
    """q_0, q_1, ..., q_depth: the variance map iterated from q0 (length depth + 1).

    The mean-field prediction of ``deep_stack(...).preact_std ** 2`` layer by layer.
    """
    func = "actlib.simulate.variance_trajectory"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    q = check_real(func, "q0", q0, low=0.0)
    depth = _positive_int(func, "depth", depth)
    out = [q]
    for _ in range(depth):
        q = wv * _second(act, q) + bv if q < MAX_VARIANCE else math.inf
        out.append(q)
    return np.array(out)


def _fixed_point(act, wv, bv, q0):
    """The fixed point the variance map converges to from q0, or inf when it diverges."""

    def g(q):
        return wv * _second(act, q) + bv - q

    g0 = g(q0)
    if abs(g0) <= 1e-14 * max(1.0, q0):
        return q0
    if g0 < 0:  # q decreases towards the largest fixed point below q0
        hi, lo = q0, q0
        floor = 1e-12 * max(1.0, q0)
        while True:
            lo /= 4.0
            if lo < floor:
                if g(0.0) <= 0.0:
                    return 0.0  # no fixed point above 0: q → 0 (bias-free, f(0) = 0)
                lo = 0.0
                break
            if g(lo) >= 0.0:
                break
            hi = lo
        return optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-13)
    lo, hi = q0, max(q0, 1e-12)
    while True:  # q increases towards the smallest fixed point above q0, or without bound
        hi *= 8.0
        if hi > MAX_VARIANCE:
            return math.inf
        if g(hi) <= 0.0:
            return optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-13)
        lo = hi


def fixed_point_variance(activation, weight_variance, bias_variance=0.0, *, q0=1.0) -> float:
    """q*: the fixed point of the variance map q ↦ σ_w²·E[f(√q z)²] + σ_b² reached from q0.

    Iterating the map is monotone (E[f(√q z)²] grows with q), so from q0 it converges to the
    nearest fixed point in the direction it moves. We bracket that point along the direction of
    motion and solve with Brent's method (to 1e-13 relative), which is exact where plain
    iteration would need thousands of steps (near criticality q approaches its limit like 1/l).

    Returns 0.0 when the signal dies out (e.g. tanh with σ_w² ≤ 1, σ_b² = 0).

    Raises:
        ValueError: when q grows without bound (past 1e12): no finite fixed point (e.g. ReLU with
            σ_w² > 2: every layer multiplies q by σ_w²/2).

    >>> fixed_point_variance("tanh", 0.5, 0.0)
    0.0
    >>> round(fixed_point_variance("relu", 1.0, 0.5), 12)   # q = q/2 + 0.5
    1.0
    """
    func = "actlib.simulate.fixed_point_variance"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    q0 = check_real(func, "q0", q0, low=0.0)
    q = _fixed_point(act, wv, bv, q0)
    if math.isinf(q):
        ratio = wv * _second(act, MAX_VARIANCE) / MAX_VARIANCE
        raise ValueError(
            f"{func}: the variance map diverges for {act.label} with σ_w² = {wv:g}, σ_b² = {bv:g}: starting from q0 = {q0:g}, "
            f"q grows past {MAX_VARIANCE:g} (for large q each layer multiplies it by about {ratio:.4g}). "
            "There is no finite fixed point: the forward signal explodes. Use a smaller weight_variance."
        )
    return q


def chi1(activation, weight_variance, bias_variance=0.0, *, q=None) -> float:
    """χ₁ = σ_w²·E[f'(√q z)²] at the fixed point q* (or at a given q).

    The factor by which a small perturbation of the input grows per layer, and the slope of the
    correlation map at c = 1 (also the per-layer factor of the mean squared gradient). For q* = 0
    the limit q → 0+ is used (ReLU: σ_w²/2, not 0); where q diverges, the limit q → ∞.

    >>> chi1("relu", 2.0)
    1.0
    """
    func = "actlib.simulate.chi1"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    if q is None:
        q = _fixed_point(act, wv, bv, 1.0)
        q = MAX_VARIANCE if math.isinf(q) else q
    else:
        q = check_real(func, "q", q, low=0.0)
    return wv * _grad_second(act, q)


# -- the correlation map, by Mehler's formula -------------------------------------------------
_MEHLER_TERMS = 120
_MEHLER_NODES = 150


def _hermite_coefficients(act, q, terms=_MEHLER_TERMS):
    """a_k = E[f(√q z)·He_k(z)/√k!], k = 0..terms−1 (so E[f(u₁)f(u₂)] = Σ a_k² c^k, Mehler)."""
    x, w = _init._half_line_rule(_MEHLER_NODES)
    z = np.concatenate([x, -x])
    ww = np.concatenate([w, w])
    with np.errstate(over="ignore", under="ignore"):
        fz = np.asarray(act(math.sqrt(q) * z), dtype=float) * ww
    coeffs = np.empty(terms)
    h_prev, h = np.zeros_like(z), np.ones_like(z)
    for k in range(terms):
        coeffs[k] = fz @ h
        h_prev, h = h, (z * h - math.sqrt(k) * h_prev) / math.sqrt(k + 1)
    return coeffs


@dataclass(frozen=True)
class _Correlation:
    q: float
    wv: float
    bv: float
    a2: np.ndarray  # squared Hermite coefficients

    def map(self, c):
        return (self.wv * np.polynomial.polynomial.polyval(c, self.a2) + self.bv) / self.q

    def slope(self, c):
        k = np.arange(1, self.a2.size)
        return self.wv * np.polynomial.polynomial.polyval(c, k * self.a2[1:]) / self.q


def _correlation(func, act, wv, bv):
    q = _fixed_point(act, wv, bv, 1.0)
    if math.isinf(q):
        raise ValueError(f"{func}: the variance map diverges for {act.label} with σ_w² = {wv:g}, σ_b² = {bv:g}, so correlations are undefined (no finite q*).")
    if q == 0.0:
        raise ValueError(f"{func}: q* = 0 for {act.label} with σ_w² = {wv:g}, σ_b² = {bv:g}: the signal dies out, so correlations are undefined (every input maps to 0).")
    return _Correlation(q, wv, bv, _hermite_coefficients(act, q) ** 2)


def correlation_map(activation, c, weight_variance, bias_variance=0.0):
    """One layer of the correlation map at the fixed point q*: c ↦ (σ_w² E[f(u₁)f(u₂)] + σ_b²)/q*.

    u₁, u₂ are jointly Gaussian with variance q* and correlation c. Computed with Mehler's
    formula E[f(u₁)f(u₂)] = Σ_k a_k² c^k (120 Hermite coefficients by quadrature); accurate to
    about 1e-8 for tanh-like functions, 1e-4 for kinked ones as c → 1.

    >>> round(float(correlation_map("tanh", 1.0, 2.0, 0.1)), 6)
    1.0
    """
    func = "actlib.simulate.correlation_map"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    cs = np.asarray(c, dtype=float)
    if not np.all(np.abs(cs) <= 1.0):
        raise ValueError(f"{func}: c is a correlation, between -1 and 1; got {_short(c)}.")
    out = _correlation(func, act, wv, bv).map(cs)
    return float(out) if out.ndim == 0 else out


def _c_star(corr, chi):
    if chi <= 1.0:
        return 1.0
    grid = np.linspace(-1.0, 1.0, 2001)[:-1]
    d = corr.map(grid) - grid
    ok = np.nonzero(d >= 0.0)[0]
    if ok.size == 0:
        return -1.0
    i = ok[-1]
    if d[i] == 0.0 or i + 1 >= grid.size:
        return float(grid[i])
    return optimize.brentq(lambda c: corr.map(c) - c, grid[i], grid[i + 1], xtol=1e-14)


def correlation_fixed_point(activation, weight_variance, bias_variance=0.0) -> float:
    """c*: the correlation that two inputs approach with depth (1 in the ordered phase, χ₁ ≤ 1).

    In the chaotic phase (χ₁ > 1), c = 1 is unstable and c* < 1 (0 for odd f with σ_b² = 0).
    """
    func = "actlib.simulate.correlation_fixed_point"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    corr = _correlation(func, act, wv, bv)
    return float(_c_star(corr, wv * _grad_second(act, corr.q)))


def correlation_depth(activation, weight_variance, bias_variance=0.0) -> float:
    """ξ_c = −1/ln χ_c: the depth over which correlations between inputs approach c*.

    χ_c is the slope of the correlation map at its stable fixed point c*: in the ordered phase
    c* = 1 and χ_c = χ₁; in the chaotic phase c* < 1 and χ_c < 1 there too (Schoenholz et al.
    2017). ξ_c is infinite on the edge of chaos (χ₁ = 1) and finite on both sides. Where q* = 0
    (the signal dies out), ξ_c = −1/ln χ₁ with χ₁ the limit q → 0+.

    >>> correlation_depth("relu", 2.0, 0.0)
    inf
    """
    func = "actlib.simulate.correlation_depth"
    act, wv, bv = _mf_args(func, activation, weight_variance, bias_variance)
    q = _fixed_point(act, wv, bv, 1.0)
    if math.isinf(q):
        raise ValueError(f"{func}: the variance map diverges for {act.label} with σ_w² = {wv:g}, σ_b² = {bv:g} (no finite q*), so ξ_c is undefined.")
    x1 = wv * _grad_second(act, q)
    return _xi(act, wv, bv, q, x1)


def _xi(act, wv, bv, q, x1):
    if x1 <= 1.0 or q == 0.0:
        chi_c = x1
    else:
        corr = _Correlation(q, wv, bv, _hermite_coefficients(act, q) ** 2)
        c = _c_star(corr, x1)
        chi_c = float(corr.slope(c))
    if chi_c <= 0.0:
        return 0.0
    if abs(chi_c - 1.0) < 1e-12 or chi_c >= 1.0:
        return math.inf
    return -1.0 / math.log(chi_c)


def critical_weight_variance(activation, bias_variance=0.0, *, bounds=(1e-3, 1e3)) -> float:
    """σ_w² on the edge of chaos for the given σ_b²: the weight variance where χ₁ = 1.

    χ₁ is evaluated at the fixed point q*(σ_w², σ_b²); we scan σ_w² over ``bounds`` (log grid)
    for the first crossing of χ₁ = 1 and refine it with Brent's method. Closed forms: ReLU 2
    (He's factor, for σ_b² = 0; with σ_b² > 0 the crossing is still at 2 but only as q* → ∞),
    tanh 1 at σ_b² = 0 (LeCun's variance), linear 1.

    Raises:
        ValueError: χ₁ never crosses 1 inside ``bounds``.
    """
    func = "actlib.simulate.critical_weight_variance"
    act, _, bv = _mf_args(func, activation, 1.0, bias_variance)
    lo_b, hi_b = (check_real(func, "bounds", b, low=0.0, low_open=True) for b in bounds)

    def excess(wv):
        q = _fixed_point(act, wv, bv, 1.0)
        return wv * _grad_second(act, MAX_VARIANCE if math.isinf(q) else q) - 1.0

    def diverges(wv):
        return math.isinf(_fixed_point(act, wv, bv, 1.0))

    grid = np.geomspace(lo_b, hi_b, 61)
    prev = excess(grid[0])
    if prev == 0.0:
        return float(grid[0])
    jumps = []
    for a, b in itertools.pairwise(grid):
        cur = excess(b)
        if cur == 0.0:
            return float(b)
        if (prev < 0.0) != (cur < 0.0):
            rough = float(optimize.brentq(excess, a, b, rtol=1e-7))
            lo_r, hi_r = rough * (1 - 1e-6), rough * (1 + 1e-6)
            below, above = excess(lo_r), excess(hi_r)
            if abs(above - below) < 1e-3 and below * above <= 0:  # a genuine crossing, not a jump of q* to ∞: refine it
                return float(optimize.brentq(excess, lo_r, hi_r, xtol=1e-14, rtol=1e-13))
            if abs(above - below) < 1e-3:
                return float(optimize.brentq(excess, a, b, xtol=1e-14, rtol=1e-13))
            jumps.append((rough, below + 1.0, above + 1.0, _fixed_point(act, lo_r, bv, 1.0)))
        if cur > 0.0 and diverges(b):
            # q diverges from here on (the map grows with σ_w²), and χ₁ at q → ∞ is proportional to σ_w²: no later crossing
            break
        prev = cur
    if jumps:
        root, below, above, q_below = jumps[0]
        raise ValueError(
            f"{func}: no edge of chaos with a finite q* for {act.label} with σ_b² = {bv:g}: at σ_w² ≈ {root:.4g} the fixed point "
            f"jumps from q* = {q_below:.3g} to ∞ (the variance map diverges above), and χ₁ jumps from {below:.3g} to {above:.3g} without passing 1."
        )
    raise ValueError(f"{func}: χ₁ does not cross 1 for {act.label} with σ_b² = {bv:g} for σ_w² in [{lo_b:g}, {hi_b:g}]: no edge of chaos there.")


@dataclass(frozen=True, eq=False)
class PhaseDiagram:
    """Mean-field quantities on a grid: arrays of shape (len(bias_variances), len(weight_variances)).

    q_star (inf where the variance map diverges), chi1, xi_c (correlation depth; inf on the edge
    of chaos), and critical: the critical σ_w² for each σ_b² (nan where there is none in range).
    """

    activation: str
    weight_variances: np.ndarray
    bias_variances: np.ndarray
    q_star: np.ndarray = field(repr=False)
    chi1: np.ndarray = field(repr=False)
    xi_c: np.ndarray = field(repr=False)
    critical: np.ndarray = field(repr=False)


def phase_diagram(activation, weight_variances, bias_variances) -> PhaseDiagram:
    """q*, χ₁ and ξ_c over a (σ_b², σ_w²) grid, plus the critical line, for a phase diagram plot."""
    func = "actlib.simulate.phase_diagram"
    act = _activation(func, activation)
    wvs = np.asarray(weight_variances, dtype=float).ravel()
    bvs = np.asarray(bias_variances, dtype=float).ravel()
    for name, arr in (("weight_variances", wvs), ("bias_variances", bvs)):
        if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise ValueError(f"{func}: {name} must be a non-empty list of finite numbers >= 0; got {_short(arr.tolist())}.")
    shape = (bvs.size, wvs.size)
    q_star, x1, xi = np.empty(shape), np.empty(shape), np.empty(shape)
    for i, bv in enumerate(bvs):
        for j, wv in enumerate(wvs):
            q = _fixed_point(act, float(wv), float(bv), 1.0)
            q_star[i, j] = q
            if math.isinf(q):
                x1[i, j] = wv * _grad_second(act, MAX_VARIANCE)
                xi[i, j] = np.nan
                continue
            x1[i, j] = wv * _grad_second(act, q)
            xi[i, j] = _xi(act, float(wv), float(bv), q, x1[i, j])
    critical = np.empty(bvs.size)
    for i, bv in enumerate(bvs):
        try:
            critical[i] = critical_weight_variance(act, float(bv), bounds=(max(wvs.min(), 1e-3), max(wvs.max(), 1e-3) * 1.0001))
        except ValueError:
            critical[i] = np.nan
    return PhaseDiagram(act.label, _readonly(wvs), _readonly(bvs), _readonly(q_star), _readonly(x1), _readonly(xi), _readonly(critical))
