"""NumPy reference implementations of activation functions and their derivatives.

Each activation ``f`` has a forward function ``f(x, ...)`` and a derivative ``f_grad(x, ...)``
(with respect to the input ``x``), written side by side. They share these rules:

* ``x`` may be a number, a list or an array; the result is an ndarray of the same shape.
  float32 stays float32, float64 stays float64, float16 stays float16 (computed in float32);
  integers, booleans and lists become float64.
* No overflow, no RuntimeWarning and no NaN for any finite input: the formulas are the stable
  ones (``expit`` instead of ``1/(1+exp(-x))``, ``log1p`` for softplus, ``expm1`` for ELU,
  the normal CDF ``ndtr`` for GELU). ±inf gives the mathematical limit; NaN propagates.
* At a kink the derivative follows TensorFlow's convention, stated in each docstring, so that
  NumPy and ``tf.GradientTape`` agree everywhere.

The lessons write the naive formulas inline first; this module is what they check against.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special

from ._validation import as_float_array

__all__ = [
    "GELU_SIGMOID_C",
    "GELU_TANH_C",
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "gelu_mode",
    "leaky_relu",
    "leaky_relu_grad",
    "linear",
    "linear_grad",
    "log_softmax",
    "mish",
    "mish_grad",
    "prelu",
    "prelu_grad",
    "relu",
    "relu_grad",
    "selu",
    "selu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_grad",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
]

#: SELU's constants (Klambauer et al. 2017, eq. 14), to the precision of float64.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946
#: GELU's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
GELU_TANH_C = math.sqrt(2.0 / math.pi)
#: GELU's sigmoid approximation: x·σ(1.702·x).
GELU_SIGMOID_C = 1.702
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _elementwise(func):
    """Validate and convert ``x``, call ``func`` on a float array, restore dtype and shape."""
    name = func.__name__

    @functools.wraps(func)
    def wrapper(x, *args, **kwargs):
        arr = as_float_array(x, name)
        out = func(arr, *args, **kwargs)
        return _restore_dtype(out, x, arr)

    return wrapper


def _restore_dtype(out, x, arr):
    """Give ``out`` the dtype the rules promise for input ``x`` (converted to ``arr``).

    float16 input (an array or a NumPy scalar) was computed in float32 and goes back to float16;
    a result too large for float16 becomes ±inf, as IEEE arithmetic would, without a warning.
    """
    target = np.float16 if getattr(x, "dtype", None) == np.float16 else arr.dtype
    if out.dtype != target:
        with np.errstate(over="ignore"):
            out = np.asarray(out).astype(target)
    return np.asarray(out)


def _step(x):
    """1.0 where x > 0, 0.0 elsewhere, NaN where x is NaN (in x's dtype)."""
    out = np.array(x > 0, dtype=x.dtype)  # an array even for 0-d x
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def _ones_like(x):
    """1 everywhere, NaN where x is NaN."""
    out = np.ones_like(x)
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def _sig(x):
    """σ(x) = 1/(1 + e^(−x)) on a float array, in place in a new buffer (the fastest stable form).

    For very negative x, e^(−x) overflows to inf and 1/inf is 0, the correctly rounded result;
    nothing is subtracted, so there is no cancellation in either tail.
    """
    out = np.negative(x, out=np.empty_like(x))  # a fresh array even for 0-d input
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


# ---------------------------------------------------------------------------------------------
# linear
@_elementwise
def linear(x):
    """Identity: linear(x) = x. A copy of x (never the same object)."""
    return np.array(x, copy=True)


@_elementwise
def linear_grad(x):
    """linear'(x) = 1 (NaN stays NaN)."""
    return _ones_like(x)


# ---------------------------------------------------------------------------------------------
# sigmoid and tanh
@_elementwise
def sigmoid(x):
    """Logistic sigmoid σ(x) = 1 / (1 + e^(−x)).

    For very negative x, e^(−x) overflows to inf and 1/inf is exactly the right 0: sigmoid(−1000)
    is 0.0. Written naively, NumPy warns about that overflow (notebook 02 shows it); here the
    overflow is expected and silenced, and no other operation can overflow.
    """
    return _sig(x)


@_elementwise
def sigmoid_grad(x):
    """σ'(x) = σ(x)·(1 − σ(x)), computed as (0.5 / cosh(x/2))².

    The textbook σ(x)·(1 − σ(x)) loses everything for large x: 1 − σ(40) is 0.0 in float64, the
    true value is 4.2e−18. The cosh form has no subtraction, so it keeps full relative precision
    in both tails; cosh overflows to inf only where σ' has underflowed to 0 anyway.
    """
    out = np.multiply(x, 0.5, out=np.empty_like(x))
    with np.errstate(over="ignore"):
        np.cosh(out, out=out)
    np.divide(0.5, out, out=out)
    out *= out
    return out


@_elementwise
def tanh(x):
    """Hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1."""
    return np.tanh(x)


@_elementwise
def tanh_grad(x):
    """tanh'(x) = 1 − tanh²(x), computed as sech²(x) = (1/cosh x)².

    The sech form keeps full relative precision in the tails, where 1 − tanh²(x) cancels
    (1 − tanh²(20) is 0.0 in float64, the true value is 1.7e−17; at x = 10 the subtraction
    leaves only 8 correct digits). cosh overflows to inf beyond |x| ≈ 710 (89 in float32),
    where the derivative has underflowed to 0 anyway, and 1/inf is exactly that 0.
    """
    with np.errstate(over="ignore"):
        s = np.cosh(x, out=np.empty_like(x))  # an array even for 0-d input, so it can be reused in place
    np.reciprocal(s, out=s)
    s *= s
    return s


# ---------------------------------------------------------------------------------------------
# ReLU family
@_elementwise
def relu(x):
    """Rectified linear unit: relu(x) = max(0, x)."""
    return np.maximum(x, 0.0)


@_elementwise
def relu_grad(x):
    """relu'(x) = 1 for x > 0, 0 for x < 0; at the kink x = 0 we use 0 (as TensorFlow does)."""
    return _step(x)


@_elementwise
def leaky_relu(x, alpha=0.01):
    """Leaky ReLU: x for x > 0, α·x otherwise (α is the negative slope)."""
    # α > 1 times a huge x overflows to ±inf, the correctly rounded result; α = 0 times −inf is
    # NaN, replaced by the limit 0 below
    with np.errstate(over="ignore", invalid="ignore"):
        if alpha < 0:  # a PReLU may learn a negative slope: no max/min form
            out = np.where(x > 0, x, alpha * x)
        else:  # for 0 ≤ α ≤ 1 the larger of x and αx is the answer, for α > 1 the smaller
            out = np.multiply(x, alpha, out=np.empty_like(x))
            (np.maximum if alpha <= 1 else np.minimum)(x, out, out=out)
    return _fix_infinite(x, out, np.inf, 0.0) if alpha == 0 else out


@_elementwise
def leaky_relu_grad(x, alpha=0.01):
    """1 for x > 0, α for x < 0; at x = 0 we use α (as TensorFlow does)."""
    return alpha + (1.0 - alpha) * _step(x)


@_elementwise
def prelu(x, alpha=0.25):
    """Parametric ReLU (He et al. 2015): Leaky ReLU whose slope α is learned; here its current value."""
    return leaky_relu.__wrapped__(x, alpha)


@_elementwise
def prelu_grad(x, alpha=0.25):
    """1 for x > 0, α for x < 0; at x = 0 we use α (as TensorFlow does)."""
    return leaky_relu_grad.__wrapped__(x, alpha)


@_elementwise
def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, α·(e^x − 1) otherwise (via ``expm1``).

    Computed as max(x, 0) + α·expm1(min(x, 0)): each term is 0 on the other side of 0.
    """
    return _elu_sum(x, 1.0, alpha)


def _elu_sum(x, scale, alpha):
    """scale·max(x, 0) + scale·α·expm1(min(x, 0)), in place."""
    neg = np.minimum(x, 0.0, out=np.empty_like(x))
    np.expm1(neg, out=neg)
    neg *= scale * alpha
    if scale == 1.0 and alpha <= 1.0:  # then α·expm1(x) ≥ x for x ≤ 0, so one max gives the same bits
        return np.maximum(x, neg, out=neg)
    out = np.maximum(x, 0.0, out=np.empty_like(x))
    if scale != 1.0:
        with np.errstate(over="ignore"):  # λ·x near the float maximum: inf, correctly rounded
            out *= scale
    out += neg
    return out


def _elu_grad(x, scale, alpha, at_zero_right):
    """scale for x > 0 (and at 0 if ``at_zero_right``), scale·α·e^x otherwise.

    g = α·e^min(x, 0) is the left branch; the right branch must be exactly 1 (then times scale).
    For α ≤ 1, max(g, [x > 0]) picks 1 on the right and g on the left; for α > 1, min(g, c) with
    c = 1 on the right and 1 + 2α (≥ g) on the left. Exact, and much cheaper than a masked write.
    """
    g = np.minimum(x, 0.0, out=np.empty_like(x))
    np.exp(g, out=g)
    if alpha == 1.0 and scale == 1.0 and not at_zero_right:
        return g  # e^min(x, 0) is already exactly 1 for x >= 0 (ELU with α = 1): two passes, not four
    g *= alpha
    right = (x >= 0) if at_zero_right else (x > 0)
    if alpha <= 1.0:
        np.maximum(g, right, out=g)
    else:
        cap = np.multiply(~right, 2.0 * alpha, dtype=g.dtype)
        cap += 1.0
        np.minimum(g, cap, out=g)
    if scale != 1.0:
        g *= scale
    return g


@_elementwise
def elu_grad(x, alpha=1.0):
    """1 for x > 0, α·e^x for x ≤ 0: at x = 0 we use α, what TensorFlow gives.

    ``tf.nn.elu`` (α = 1) has derivative 1 at 0, and ``keras.activations.elu(x, alpha)`` is
    ``where(x > 0, elu(x), α·elu(x))``, whose gradient at 0 is α; both are α. For α = 1 both
    one-sided derivatives are 1, so ELU is continuously differentiable.
    """
    return _elu_grad(x, 1.0, alpha, at_zero_right=False)


@_elementwise
def selu(x):
    """Scaled ELU: λ·elu(x, α) with λ ≈ 1.0507 and α ≈ 1.6733 (``SELU_LAMBDA``, ``SELU_ALPHA``)."""
    return _elu_sum(x, SELU_LAMBDA, SELU_ALPHA)


@_elementwise
def selu_grad(x):
    """λ for x > 0, λ·α·e^x for x < 0; at x = 0 we use λ (TensorFlow's convention)."""
    return _elu_grad(x, SELU_LAMBDA, SELU_ALPHA, at_zero_right=True)


# ---------------------------------------------------------------------------------------------
# smooth activations
@_elementwise
def softplus(x):
    """softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^(−|x|)), so softplus(1000) = 1000.

    The exponent is never positive, so nothing overflows; ``log1p`` keeps the small term exact.
    (Same value as ``np.logaddexp(0, x)``, about ten times faster.)
    """
    return _softplus(x)


def _softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


@_elementwise
def softplus_grad(x):
    """softplus'(x) = σ(x)."""
    return _sig(x)


def _fix_infinite(x, out, at_pos_inf, at_neg_inf):
    """Put the limits at ±inf (where ∞·0 would give NaN)."""
    if not np.isfinite(x).all():
        out = np.array(out, copy=True)  # a ufunc on a 0-d array returns a read-only scalar
        out[x == np.inf] = at_pos_inf
        out[x == -np.inf] = at_neg_inf
    return out


@_elementwise
def swish(x, beta=1.0):
    """Swish / SiLU: x·σ(β·x). β = 1 is SiLU; β = 0 gives x/2; β → ∞ approaches ReLU."""
    # β·x may overflow to ±inf, where σ is exactly 0 or 1; only ±inf input reaches ∞·0, fixed below
    with np.errstate(over="ignore", invalid="ignore"):
        out = x * _sig(x if beta == 1.0 else beta * x)
    if beta > 0:
        return _fix_infinite(x, out, np.inf, 0.0)
    return _fix_infinite(x, out, np.inf, -np.inf)


def _gate_grad(x, c):
    """d/dx x·σ(c·x) = σ(cx)·(1 + cx·(1 − σ(cx))), for c ≥ 0, without NaN for any finite x.

    Where σ(cx) rounds to 1, 1 − σ(cx) loses its relative precision, but then cx·(1 − σ(cx)) is
    negligible next to the 1 it is added to, so the result keeps full precision.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # c·x may overflow; ±inf input is fixed below
        # Beyond |cx| = 1e4 the second term is 0 to machine precision; clipping keeps ∞·0 away.
        cx = np.clip(x if c == 1.0 else c * x, -1e4, 1e4)
        s = _sig(cx)
        out = np.subtract(1.0, s)
        out *= cx
        out += 1.0
        out *= s
    if c > 0:
        return _fix_infinite(x, out, 1.0, 0.0)
    return _fix_infinite(x, out, 0.5, 0.5)


@_elementwise
def swish_grad(x, beta=1.0):
    """d/dx x·σ(βx) = σ(βx) + β·x·σ(βx)·σ(−βx)."""
    return _gate_grad(x, beta)


def gelu_mode(approximate) -> str:
    """``"exact"``, ``"tanh"`` or ``"sigmoid"`` for a GELU ``approximate`` setting.

    Accepted: ``False``/``None``/``"exact"``/``"erf"``/``"none"`` (x·Φ(x)), ``True``/``"tanh"``
    (True means tanh, as in Keras) and ``"sigmoid"``; anything else raises, so that a typo never
    silently selects another formula.
    """
    if approximate is None or isinstance(approximate, (bool, np.bool_)):
        return "tanh" if approximate else "exact"
    if isinstance(approximate, str):
        mode = {"exact": "exact", "erf": "exact", "none": "exact", "false": "exact", "tanh": "tanh", "sigmoid": "sigmoid"}.get(
            approximate.strip().lower()
        )
        if mode is not None:
            return mode
        raise ValueError(f"gelu: approximate must be False (exact, x·Φ(x)), 'tanh' or 'sigmoid'; got {approximate!r}.")
    raise TypeError(
        f"gelu: approximate must be False (exact, x·Φ(x)), 'tanh' or 'sigmoid'; got {approximate!r} of type {type(approximate).__name__}."
    )


@_elementwise
def gelu(x, approximate=False):
    """Gaussian error linear unit.

    * ``approximate=False``: the exact x·Φ(x), Φ the standard normal CDF (``scipy.special.ndtr``,
      accurate in the far left tail where 0.5·(1 + erf(x/√2)) cancels to 0).
    * ``"tanh"`` (or ``True``, as in Keras): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
      computed as x·σ(2u).
    * ``"sigmoid"``: x·σ(1.702·x).
    """
    mode = gelu_mode(approximate)
    # x³ may overflow to ±inf, where σ is exactly 0 or 1; only ±inf input reaches ∞·0, fixed below
    with np.errstate(over="ignore", invalid="ignore"):
        if mode == "exact":
            out = x * special.ndtr(x)
        elif mode == "tanh":
            out = x * _sig(2.0 * GELU_TANH_C * (x + 0.044715 * x * x * x))
        else:
            out = x * _sig(GELU_SIGMOID_C * x)
    return _fix_infinite(x, out, np.inf, 0.0)


@_elementwise
def gelu_grad(x, approximate=False):
    """Derivative of ``gelu`` for the same ``approximate`` setting.

    exact: Φ(x) + x·φ(x); tanh: σ(2u) + x·2u'·σ(2u)·σ(−2u); sigmoid: σ(cx) + c·x·σ(cx)·σ(−cx).
    """
    mode = gelu_mode(approximate)
    if mode == "sigmoid":
        return _gate_grad(x, GELU_SIGMOID_C)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        if mode == "exact":
            xc = np.clip(x, -40.0, 40.0)  # φ(±40) underflows to 0 anyway; avoids x² overflow
            out = special.ndtr(x) + xc * (_INV_SQRT_2PI * np.exp(-0.5 * xc * xc))
        else:
            xc = np.clip(x, -1e5, 1e5)  # beyond this the derivative is 0 or 1 to machine precision
            u2 = 2.0 * GELU_TANH_C * (xc + 0.044715 * xc * xc * xc)
            du2 = 2.0 * GELU_TANH_C * (1.0 + 3 * 0.044715 * xc * xc)
            out = _sig(u2) + xc * du2 * _sig(u2) * _sig(np.negative(u2))
    return _fix_infinite(x, out, 1.0, 0.0)


@_elementwise
def mish(x):
    """Mish: x·tanh(softplus(x)), computed as x·n/(n + 2) with n = e^x·(e^x + 2).

    tanh(log(1 + e^x)) = ((1 + e^x)² − 1) / ((1 + e^x)² + 1) = n/(n + 2). x is capped at 20 inside
    the exponential, where n/(n + 2) is already 1 to machine precision, so nothing overflows.
    """
    n = np.minimum(x, 20.0, out=np.empty_like(x))
    np.exp(n, out=n)
    t = n + 2.0
    n *= t  # n = e^x (e^x + 2)
    t = n + 2.0
    np.divide(n, t, out=n)
    with np.errstate(invalid="ignore"):  # −∞·0, fixed below
        n *= x
    return _fix_infinite(x, n, np.inf, 0.0)


@_elementwise
def mish_grad(x):
    """mish'(x) = tanh(sp) + x·(1 − tanh²(sp))·σ(x), sp = softplus(x)."""
    with np.errstate(invalid="ignore"):  # ∞·0, fixed below
        t = np.tanh(_softplus(x))
        out = t + x * (1.0 - t * t) * _sig(x)
    return _fix_infinite(x, out, 1.0, 0.0)


# ---------------------------------------------------------------------------------------------
# softmax: a vector function
def _check_vector(arr, func, axis=-1):
    if arr.ndim == 0:
        raise ValueError(f"{func}: expected a vector (at least 1-D: softmax normalises along an axis); got the scalar {arr!r}.")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int; got {axis!r} of type {type(axis).__name__}.")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"{func}: axis must be between {-arr.ndim} and {arr.ndim - 1} for a {arr.ndim}-D input; got {axis}.")
    if arr.shape[axis] == 0:
        raise ValueError(f"{func}: expected at least one entry along axis {axis}; got an input of shape {arr.shape}.")


def _shifted(x, axis):
    """x − max(x) along ``axis``, with 0 where x is the maximum (also when it is ±inf).

    Softmax is shift invariant; the shift keeps every exponent ≤ 0. Writing 0 where x equals its
    maximum gives the limits for infinite input (softmax([inf, 0]) = [1, 0]) instead of inf − inf.
    """
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):  # −max − max is −inf; inf − inf only where x == m
        z = x - m
    if not np.isfinite(m).all():  # the slow path only for infinite (or NaN) input
        z = np.where(x == m, 0.0, z)
    return z


@_elementwise
def softmax(x, axis=-1):
    """softmax(x)_i = e^(x_i) / Σ_j e^(x_j) along ``axis``, computed as e^(x_i − max x).

    Subtracting the maximum changes nothing mathematically (softmax is shift invariant) but keeps
    every exponent ≤ 0, so softmax([1000, 1000]) is [0.5, 0.5] instead of NaN.
    """
    _check_vector(x, "softmax", axis)
    e = np.exp(_shifted(x, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


@_elementwise
def log_softmax(x, axis=-1):
    """log softmax(x) = x − logsumexp(x), stable for any finite x."""
    _check_vector(x, "log_softmax", axis)
    z = _shifted(x, axis)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax_grad(x):
    """Jacobian of softmax along the last axis: J[..., i, j] = p_i·(δ_ij − p_j).

    For x of shape (..., K) the result has shape (..., K, K) and x's floating dtype.
    """
    arr = as_float_array(x, "softmax_grad")
    _check_vector(arr, "softmax_grad")
    p = softmax(arr, axis=-1)
    jac = -p[..., :, None] * p[..., None, :]
    idx = np.arange(p.shape[-1])
    jac[..., idx, idx] += p
    return _restore_dtype(jac, x, arr)
