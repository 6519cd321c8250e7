"""Weight initializers (Keras' names and draws) and variance-preserving gains by quadrature.

>>> from actlib import init
>>> W = init.initialize("he_normal", 512, 256, rng=0)
>>> W.shape, round(init.std_of("he_normal", 512, 256), 4)
((512, 256), 0.0625)
>>> round(init.gain("relu") ** 2, 12), round(init.gain("linear"), 12)
(2.0, 1.0)

Vocabulary, for a dense layer with kernel ``W`` of shape ``(fan_in, fan_out)`` (Keras' layout,
``z = x @ W``):

* ``glorot_uniform``, ``glorot_normal``: variance 2 / (fan_in + fan_out) (Glorot & Bengio 2010).
* ``he_uniform``, ``he_normal``: variance 2 / fan_in (He et al. 2015).
* ``lecun_uniform``, ``lecun_normal``: variance 1 / fan_in (LeCun et al. 1998; SELU's partner).
* ``orthogonal``: a random orthogonal matrix (Saxe et al. 2014), Keras' ``Orthogonal(gain=1)``;
  every entry has variance 1 / max(fan_in, fan_out).
* ``standard``: U[−1/√fan_in, 1/√fan_in], the "commonly used heuristic" that Glorot & Bengio
  compare against; variance 1 / (3 fan_in).
* ``zeros``; or a number: a plain (untruncated) normal with that standard deviation.

The ``*_normal`` draws are what Keras draws: a normal truncated at two standard deviations, with
its scale divided by 0.87962566103423978 (the standard deviation of a unit normal truncated to
[−2, 2]) so that the variance is exactly the one above. ``*_uniform`` draws U[−l, l] with
l = √(3·variance).

The **gain** of an activation f is the number g such that weights of variance g² / fan_in keep
the second moment of the pre-activations at 1: a layer maps q = E[z²] to
q' = fan_in · Var(w) · E[f(z)²], so q' = q = 1 needs

    g² = 1 / E[f(z)²],   z ~ N(0, 1).

``gain`` computes E[f(z)²] by Gauss–Hermite quadrature, with a Gauss rule on each half-line
(z < 0 and z > 0), so that ReLU-like functions, whose kink sits at 0, are integrated exactly too. It gives g² = 2 for ReLU
(He's factor), 1 for linear and SELU (LeCun's variance), 2 / (1 + α²) for Leaky ReLU. For tanh it
gives g ≈ 1.593, not the 5/3 of the common table (``TABLE_GAINS``, from PyTorch's
``calculate_gain``): 5/3 is a heuristic, chosen by experiment so that the activations of a deep
tanh stack settle at a healthy spread instead of dying out.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers

import numpy as np
from scipy import linalg

from ._validation import _short, as_rng, check_real, unknown_name
from .registry import get

__all__ = [
    "INITIALIZERS",
    "TABLE_GAINS",
    "TRUNCATED_NORMAL_STD",
    "gain",
    "gaussian_expectation",
    "initialize",
    "second_moment",
    "std_of",
    "variance_of",
]

#: The initializer names ``initialize`` and ``std_of`` accept (a float std is accepted too).
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "standard",
    "zeros",
)

#: Keras' truncated normal is cut at ±2 standard deviations; this is the std of N(0, 1) cut
#: there, the factor Keras divides by so that the variance comes out exact.
TRUNCATED_NORMAL_STD = 0.87962566103423978

#: The usual gain table (PyTorch's ``torch.nn.init.calculate_gain``), for comparison with ``gain``.
#: tanh's 5/3 and SELU's 3/4 are heuristics chosen by experiment, not derived from a formula.
TABLE_GAINS = {
    "linear": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "leaky_relu": math.sqrt(2.0 / (1.0 + 0.01**2)),
    "selu": 0.75,
}

# Keras' VarianceScaling settings: (scale, mode)
_SCALING = {
    "glorot": (1.0, "fan_avg"),
    "he": (2.0, "fan_in"),
    "lecun": (1.0, "fan_in"),
}


def _rng(rng, func):
    return as_rng(rng, func)


def _fan(func, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{func}: {name} must be a positive int; got {_short(value)}.")
    return int(value)


def _key(func, name_or_std):
    """The canonical initializer name, or a float std."""
    if isinstance(name_or_std, numbers.Real) and not isinstance(name_or_std, bool):
        return check_real(func, "the initializer's standard deviation", name_or_std, low=0.0)
    if not isinstance(name_or_std, str):
        raise TypeError(
            f"{func}: expected an initializer name such as 'he_normal' or a standard deviation (float); "
            f"got {_short(name_or_std)} of type {type(name_or_std).__name__}."
        )
    key = name_or_std.strip().lower().replace("-", "_").replace(" ", "_")
    key = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal", "kaiming_normal": "he_normal",
           "kaiming_uniform": "he_uniform", "zero": "zeros"}.get(key, key)
    if key not in INITIALIZERS:
        raise unknown_name(func, "initializer", name_or_std, INITIALIZERS)
    return key


def variance_of(name_or_std, fan_in, fan_out) -> float:
    """The variance of one weight drawn by the initializer (what the draw is built to have).

    >>> variance_of("glorot_uniform", 100, 300)
    0.005
    """
    return _variance("actlib.init.variance_of", name_or_std, fan_in, fan_out)


def _variance(func, name_or_std, fan_in, fan_out):
    key = _key(func, name_or_std)
    fan_in, fan_out = _fan(func, "fan_in", fan_in), _fan(func, "fan_out", fan_out)
    if isinstance(key, float):
        return key * key
    if key == "zeros":
        return 0.0
    if key == "standard":
        return 1.0 / (3.0 * fan_in)
    if key == "orthogonal":
        return 1.0 / max(fan_in, fan_out)
    scale, mode = _SCALING[key.split("_")[0]]
    n = (fan_in + fan_out) / 2.0 if mode == "fan_avg" else float(fan_in)
    return scale / n


def std_of(name_or_std, fan_in, fan_out) -> float:
    """The standard deviation of one weight drawn by the initializer.

    ``he_normal`` with fan_in 512: √(2/512) = 0.0625. Keras' truncated normals have exactly this
    std (their scale parameter is this divided by 0.8796...).

    >>> std_of("he_normal", 512, 10)
    0.0625
    >>> round(std_of("standard", 300, 100), 6)   # U[±1/√300] has std 1/√(3·300)
    0.033333
    """
    return math.sqrt(_variance("actlib.init.std_of", name_or_std, fan_in, fan_out))


def _truncated_normal(rng, shape):
    """Unit normal samples redrawn until all lie within ±2 (Keras' truncated_normal)."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out


def _orthogonal(rng, fan_in, fan_out):
    """Keras' Orthogonal(gain=1): QR of a normal matrix, columns (or rows) orthonormal."""
    rows, cols = fan_in, fan_out
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))  # makes the distribution uniform (Haar), as Keras does
    return q if rows >= cols else q.T


def initialize(name_or_std, fan_in, fan_out, rng=0) -> np.ndarray:
    """A ``(fan_in, fan_out)`` kernel drawn the way Keras' initializer of that name draws it.

    Args:
        name_or_std: an initializer name (``INITIALIZERS``; Keras' spellings, plus ``"standard"``
            for U[±1/√fan_in] and ``"zeros"``), or a float: a normal with that standard deviation.
        fan_in, fan_out: the layer's number of inputs and outputs.
        rng: an int seed, a ``numpy.random.Generator`` (advanced in place) or None.

    Raises:
        ValueError: an unknown name (with the closest names and the full list), a bad fan or std.

    >>> W = initialize("glorot_uniform", 300, 100, rng=1)
    >>> bool(np.abs(W).max() <= np.sqrt(6 / 400))
    True
    """
    func = "actlib.init.initialize"
    key = _key(func, name_or_std)
    fan_in, fan_out = _fan(func, "fan_in", fan_in), _fan(func, "fan_out", fan_out)
    gen = _rng(rng, func)
    shape = (fan_in, fan_out)
    if isinstance(key, float):
        return key * gen.standard_normal(shape)
    if key == "zeros":
        return np.zeros(shape)
    if key == "orthogonal":
        return _orthogonal(gen, fan_in, fan_out)
    std = math.sqrt(_variance(func, key, fan_in, fan_out))
    if key == "standard" or key.endswith("_uniform"):
        limit = math.sqrt(3.0) * std
        return gen.uniform(-limit, limit, shape)
    return (std / TRUNCATED_NORMAL_STD) * _truncated_normal(gen, shape)


# ---------------------------------------------------------------------------------------------
# Gaussian expectations by quadrature
_HALF_NODES = 60  # nodes of each half-line Gauss–Hermite rule
_HERMITE_MAX_VARIANCE = 25.0  # above this, "auto" switches to composite Gauss–Legendre


@functools.lru_cache(maxsize=8)
def _half_line_rule(n):
    """The n-point Gauss rule for the weight φ(x) = e^{−x²/2}/√(2π) on [0, ∞) (weights sum to 1/2).

    A half-line ("half-range") Gauss–Hermite rule. Its recurrence coefficients come from the
    discretised Stieltjes procedure on a fine composite Gauss–Legendre discretisation of the
    weight; the nodes are the eigenvalues of the Jacobi matrix (Golub–Welsch) and the weights the
    Christoffel numbers 1/Σ p_k(x)², which keep full relative accuracy even for the outermost
    nodes. It integrates p(x)·φ(x) over [0, ∞) exactly for polynomials p of degree < 2n (checked
    to 1e-13 relative for every monomial, n ≤ 150). Used on both sides of 0, it integrates
    functions with a kink at 0 (ReLU, ELU, SELU, ...) as accurately as smooth ones, and it crowds
    nodes near 0, where activations bend.
    """
    gx, gw = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, 48.0, 961)  # panels of 0.05 up to 48, beyond which φ·x^{2n} is negligible
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    x = (mid[:, None] + half[:, None] * gx).ravel()
    w = (half[:, None] * gw).ravel() * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    alpha, sqrt_beta = np.zeros(n), np.zeros(n)
    mu0 = float(w.sum())
    p_prev, p = np.zeros_like(x), np.full_like(x, 1.0 / math.sqrt(mu0))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # p² overflows only where w is 0
        for k in range(n):  # orthonormal three-term recurrence (Stieltjes)
            alpha[k] = np.sum(w * x * p * p)
            r = (x - alpha[k]) * p - sqrt_beta[k] * p_prev
            if k + 1 < n:
                sqrt_beta[k + 1] = math.sqrt(np.sum(w * r * r))
                p_prev, p = p, r / sqrt_beta[k + 1]
    nodes = linalg.eigh_tridiagonal(alpha, sqrt_beta[1:], eigvals_only=True)
    total, p_prev, p = np.zeros_like(nodes), np.zeros_like(nodes), np.full_like(nodes, 1.0 / math.sqrt(mu0))
    for k in range(n):
        total += p * p
        if k + 1 < n:
            p_prev, p = p, ((nodes - alpha[k]) * p - sqrt_beta[k] * p_prev) / sqrt_beta[k + 1]
    weights = 1.0 / total
    return nodes, weights * (0.5 / weights.sum())  # the exact mass 1/2 (the discretisation misses ~1e-15)


@functools.lru_cache(maxsize=8)
def _both_sides(n):
    """The half-line rule mirrored: nodes ±x and their weights, for E[g(z)] over the whole line."""
    x, w = _half_line_rule(n)
    z, ww = np.concatenate([x, -x]), np.concatenate([w, w])
    z.flags.writeable = False
    ww.flags.writeable = False
    return z, ww


def _legendre_panels(breaks, variance):
    """Composite Gauss–Legendre nodes/weights for E[g(z)], z ~ N(0, 1), split at ``breaks`` (in z).

    Panels are at most 0.5/√q wide in z (0.5 in y = √q z), at most 2000 per piece; the width is
    rounded down to a power of 2 so that layouts repeat and can be cached.
    """
    level = max(0, math.ceil(math.log2(math.sqrt(variance)))) if variance > 1.0 else 0
    return _panels(tuple(sorted(set(breaks))), level)


@functools.lru_cache(maxsize=256)
def _panels(breaks, level):
    limit = 12.0
    h = 0.5 / 2.0**level
    pts = sorted({-limit, limit, *[b for b in breaks if -limit < b < limit]})
    gx, gw = np.polynomial.legendre.leggauss(8)
    xs, ws = [], []
    for a, b in itertools.pairwise(pts):
        m = max(1, min(2000, math.ceil((b - a) / h)))
        edges = np.linspace(a, b, m + 1)
        mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
        xs.append((mid[:, None] + half[:, None] * gx).ravel())
        ws.append((half[:, None] * gw).ravel())
    x = np.concatenate(xs)
    w = np.concatenate(ws) * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def gaussian_expectation(fn, variance=1.0, *, kinks=(), method="auto") -> float:
    """E[fn(y)] for y ~ N(0, variance), by quadrature.

    Args:
        fn: a vectorised function of y (an activation, its derivative, or any expression).
        variance: the variance q of y (>= 0); q = 0 gives fn(0).
        kinks: points (in y) where fn or a derivative jumps; the quadrature is split there.
        method: ``"hermite"``: Gauss–Hermite quadrature on each half-line (a 60-point Gauss rule
            for the weight e^{−z²/2} on z ≥ 0 and its mirror image), exact for polynomials of
            degree < 120 on each side, so also for ReLU-like functions with a kink at 0; about
            14 digits for tanh-like functions up to q ≈ 10, 8 digits at q = 100.
            ``"legendre"``: composite Gauss–Legendre in z over [−12, 12], panels no wider than
            0.5/√q in z (0.5 in y; at most 2000 per piece), split at 0 and at the kinks: robust
            for any kinks and, to about 1e-6 relative, for q up to 1e12.
            ``"auto"``: Hermite for q ≤ 25 when every kink is at 0, Legendre otherwise.

    >>> round(gaussian_expectation(lambda y: y * y, 2.0), 12)
    2.0
    >>> round(gaussian_expectation(lambda y: np.maximum(y, 0)), 12)  # 1/√(2π)
    0.398942280401
    """
    func = "actlib.init.gaussian_expectation"
    q = check_real(func, "variance", variance, low=0.0)
    if method not in ("auto", "hermite", "legendre"):
        raise ValueError(f"{func}: method must be 'auto', 'hermite' or 'legendre'; got {method!r}.")
    if not callable(fn):
        raise TypeError(f"{func}: fn must be a function of y; got {_short(fn)}.")
    kinks = tuple(float(k) for k in kinks)
    if q == 0.0:
        return float(np.asarray(fn(np.zeros(1)), dtype=float).ravel()[0])
    s = math.sqrt(q)
    only_zero = all(k == 0.0 for k in kinks)
    if method == "hermite" and not only_zero:
        raise ValueError(f"{func}: method='hermite' splits at 0 only; got kinks at {kinks}. Use method='legendre'.")
    with np.errstate(over="ignore", under="ignore"):
        if method == "hermite" or (method == "auto" and only_zero and q <= _HERMITE_MAX_VARIANCE):
            z, w = _both_sides(_HALF_NODES)
            return float(np.dot(w, np.asarray(fn(s * z), dtype=float)))
        x, w = _legendre_panels([k / s for k in kinks] + [0.0], q)
        return float(np.dot(w, np.asarray(fn(s * x), dtype=float)))


def _activation(func, activation, params=None):
    try:
        act = get(activation, **(params or {}))
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{func}: {exc}") from None
    if not act.elementwise:
        raise ValueError(f"{func}: {act.name} is a vector function (it couples the units of a layer); expected an elementwise activation.")
    return act


def second_moment(activation, variance=1.0, **params) -> float:
    """E[f(z)²] for z ~ N(0, variance), by Gauss–Hermite quadrature on each side of 0.

    >>> round(second_moment("relu"), 12), round(second_moment("selu"), 9)
    (0.5, 1.0)
    """
    func = "actlib.init.second_moment"
    act = _activation(func, activation, params)
    q = check_real(func, "variance", variance, low=0.0)
    return gaussian_expectation(lambda y: act(y) ** 2, q, kinks=act.kinks)


def gain(activation, **params) -> float:
    """The variance-preserving gain g = 1/√E[f(z)²], z ~ N(0, 1), by Gauss–Hermite quadrature.

    Weights with variance g²/fan_in keep the second moment of the pre-activations at 1 from
    layer to layer (the fixed point of q ↦ g²·E[f(√q z)²] is q = 1). ``activation`` is a name,
    alias or ``Activation``; ``params`` are passed to ``actlib.get`` (e.g. ``alpha=0.2``).

    Closed forms: linear 1, ReLU √2, Leaky ReLU √(2/(1+α²)), SELU 1 (its constants are chosen
    so that E[selu(z)²] = 1). tanh: ≈ 1.5925; the common table's 5/3 is a heuristic
    (``TABLE_GAINS``). sigmoid: ≈ 1.85, because E[σ(z)²] includes the mean 1/2 (the table says 1).

    >>> round(gain("relu"), 12)
    1.414213562373
    >>> round(gain("tanh"), 4)
    1.5925
    """
    m = second_moment(activation, 1.0, **params)
    if not m > 0:
        raise ValueError(f"actlib.init.gain: E[f(z)²] is {m:g} for {activation!r}: no gain makes a zero signal grow.")
    return 1.0 / math.sqrt(m)
