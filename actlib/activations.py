"""NumPy reference implementations of activation functions and their derivatives.

Each activation ``f`` has a forward function ``f(x, ...)`` and a derivative ``f_grad(x, ...)``
(with respect to the input ``x``), written side by side. They share these rules:

* ``x`` may be a number, a list or an array; the result is an ndarray of the same shape.
  float32 stays float32, float64 stays float64, float16 stays float16 (computed in float32);
  integers, booleans and lists become float64.
* No overflow, no RuntimeWarning and no NaN for any finite input: the formulas are the stable
  ones (``expit`` instead of ``1/(1+exp(-x))``, ``logaddexp`` for softplus, ``expm1`` for ELU,
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
    "leaky_relu",
    "leaky_relu_grad",
    "linear",
    "linear_grad",
    "log_softmax",
    "mish",
    "mish_grad",
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
        if isinstance(x, np.ndarray) and x.dtype == np.float16:
            out = out.astype(np.float16)
        elif out.dtype != arr.dtype:
            out = out.astype(arr.dtype)
        return np.asarray(out)

    return wrapper


def _ones_like(x):
    """1 everywhere, NaN where x is NaN."""
    out = np.ones_like(x)
    out[np.isnan(x)] = np.nan
    return out


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

    Computed with ``scipy.special.expit``, which splits on the sign of x so that e^(−x) never
    overflows: sigmoid(−1000) is exactly 0.0 with no warning (the naive formula overflows).
    """
    return special.expit(x)


@_elementwise
def sigmoid_grad(x):
    """σ'(x) = σ(x)·(1 − σ(x)), computed as σ(x)·σ(−x).

    σ(−x) is used instead of 1 − σ(x) because for large x the subtraction rounds to 0
    (1 − σ(40) is 0.0 in float64, the true value is 4.2e−18).
    """
    return special.expit(x) * special.expit(-x)


@_elementwise
def tanh(x):
    """Hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1."""
    return np.tanh(x)


@_elementwise
def tanh_grad(x):
    """tanh'(x) = 1 − tanh²(x)."""
    t = np.tanh(x)
    return 1.0 - t * t


# ---------------------------------------------------------------------------------------------
# ReLU family
@_elementwise
def relu(x):
    """Rectified linear unit: relu(x) = max(0, x)."""
    return np.maximum(x, 0.0)


@_elementwise
def relu_grad(x):
    """relu'(x) = 1 for x > 0, 0 for x < 0; at the kink x = 0 we use 0 (as TensorFlow does)."""
    return np.heaviside(x, 0.0)


@_elementwise
def leaky_relu(x, alpha=0.01):
    """Leaky ReLU: x for x > 0, α·x otherwise (α is the negative slope)."""
    return np.where(x > 0, x, alpha * x)


@_elementwise
def leaky_relu_grad(x, alpha=0.01):
    """1 for x > 0, α for x < 0; at x = 0 we use α (as TensorFlow does)."""
    return alpha + (1.0 - alpha) * np.heaviside(x, 0.0)


@_elementwise
def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, α·(e^x − 1) otherwise (via ``expm1``)."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


@_elementwise
def elu_grad(x, alpha=1.0):
    """1 for x > 0, α·e^x for x < 0; at x = 0 we use 1 (TensorFlow's convention).

    For α = 1 both one-sided derivatives are 1, so ELU is continuously differentiable.
    """
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


@_elementwise
def selu(x):
    """Scaled ELU: λ·elu(x, α) with λ ≈ 1.0507 and α ≈ 1.6733 (``SELU_LAMBDA``, ``SELU_ALPHA``)."""
    return SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


@_elementwise
def selu_grad(x):
    """λ for x > 0, λ·α·e^x for x < 0; at x = 0 we use λ (TensorFlow's convention)."""
    return SELU_LAMBDA * np.where(x >= 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0.0)))


# ---------------------------------------------------------------------------------------------
# smooth activations
@_elementwise
def softplus(x):
    """softplus(x) = log(1 + e^x), computed as ``logaddexp(0, x)`` so softplus(1000) = 1000."""
    return np.logaddexp(0.0, x)


@_elementwise
def softplus_grad(x):
    """softplus'(x) = σ(x)."""
    return special.expit(x)


def _fix_infinite(x, out, at_pos_inf, at_neg_inf):
    """Put the limits at ±inf (where ∞·0 would give NaN)."""
    if not np.isfinite(x).all():
        out[x == np.inf] = at_pos_inf
        out[x == -np.inf] = at_neg_inf
    return out


@_elementwise
def swish(x, beta=1.0):
    """Swish / SiLU: x·σ(β·x). β = 1 is SiLU; β = 0 gives x/2; β → ∞ approaches ReLU."""
    if beta == 1.0:
        return x * special.expit(x)
    with np.errstate(over="ignore"):  # β·x may overflow to ±inf, where σ is exactly 0 or 1
        return x * special.expit(beta * x)


@_elementwise
def swish_grad(x, beta=1.0):
    """d/dx x·σ(βx) = σ(βx) + β·x·σ(βx)·σ(−βx)."""
    with np.errstate(over="ignore", invalid="ignore"):  # only ±inf input reaches ∞·0, fixed below
        bx = x if beta == 1.0 else beta * x
        s = special.expit(bx)
        out = s + bx * s * special.expit(-bx)
    return _fix_infinite(x, out, 1.0, 0.0 if beta > 0 else 0.5)


@_elementwise
def gelu(x, approximate=False):
    """Gaussian error linear unit.

    * ``approximate=False``: the exact x·Φ(x), Φ the standard normal CDF (``scipy.special.ndtr``,
      accurate in the far left tail where 0.5·(1 + erf(x/√2)) cancels to 0).
    * ``"tanh"``: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as x·σ(2u).
    * ``"sigmoid"``: x·σ(1.702·x).
    """
    if approximate is False or approximate is None:
        return x * special.ndtr(x)
    with np.errstate(over="ignore"):  # x³ may overflow to ±inf, where σ is exactly 0 or 1
        if approximate == "tanh":
            return x * special.expit(2.0 * GELU_TANH_C * (x + 0.044715 * x * x * x))
        return x * special.expit(GELU_SIGMOID_C * x)


@_elementwise
def gelu_grad(x, approximate=False):
    """Derivative of ``gelu`` for the same ``approximate`` setting.

    exact: Φ(x) + x·φ(x); tanh: σ(2u) + x·2u'·σ(2u)·σ(−2u); sigmoid: σ(cx) + c·x·σ(cx)·σ(−cx).
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        if approximate is False or approximate is None:
            xc = np.clip(x, -40.0, 40.0)  # φ(±40) underflows to 0 anyway; avoids x² overflow
            out = special.ndtr(x) + xc * (_INV_SQRT_2PI * np.exp(-0.5 * xc * xc))
        elif approximate == "tanh":
            xc = np.clip(x, -1e5, 1e5)  # beyond this the derivative is 0 or 1 to machine precision
            u2 = 2.0 * GELU_TANH_C * (xc + 0.044715 * xc * xc * xc)
            du2 = 2.0 * GELU_TANH_C * (1.0 + 3 * 0.044715 * xc * xc)
            out = special.expit(u2) + xc * du2 * special.expit(u2) * special.expit(-u2)
        else:
            cx = GELU_SIGMOID_C * x
            out = special.expit(cx) + cx * special.expit(cx) * special.expit(-cx)
    return _fix_infinite(x, out, 1.0, 0.0)


@_elementwise
def mish(x):
    """Mish: x·tanh(softplus(x))."""
    return x * np.tanh(np.logaddexp(0.0, x))


@_elementwise
def mish_grad(x):
    """mish'(x) = tanh(sp) + x·(1 − tanh²(sp))·σ(x), sp = softplus(x)."""
    with np.errstate(invalid="ignore"):  # only ±inf input reaches ∞·0, fixed below
        t = np.tanh(np.logaddexp(0.0, x))
        out = t + x * (1.0 - t * t) * special.expit(x)
    return _fix_infinite(x, out, 1.0, 0.0)


# ---------------------------------------------------------------------------------------------
# softmax: a vector function
def _check_vector(arr, func):
    if arr.ndim == 0:
        raise ValueError(f"{func}: expected a vector (at least 1-D: softmax normalises along an axis); got the scalar {arr!r}.")


@_elementwise
def softmax(x, axis=-1):
    """softmax(x)_i = e^(x_i) / Σ_j e^(x_j) along ``axis``, computed as e^(x_i − max x).

    Subtracting the maximum changes nothing mathematically (softmax is shift invariant) but keeps
    every exponent ≤ 0, so softmax([1000, 1000]) is [0.5, 0.5] instead of NaN.
    """
    _check_vector(x, "softmax")
    with np.errstate(invalid="ignore"):  # only non-finite input (inf − inf) gets here
        z = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(z)
        return e / np.sum(e, axis=axis, keepdims=True)


@_elementwise
def log_softmax(x, axis=-1):
    """log softmax(x) = x − logsumexp(x), stable for any finite x."""
    _check_vector(x, "log_softmax")
    with np.errstate(invalid="ignore"):
        z = x - np.max(x, axis=axis, keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def softmax_grad(x):
    """Jacobian of softmax along the last axis: J[..., i, j] = p_i·(δ_ij − p_j).

    For x of shape (..., K) the result has shape (..., K, K).
    """
    p = softmax(as_float_array(x, "softmax_grad"), axis=-1)
    jac = -p[..., :, None] * p[..., None, :]
    idx = np.arange(p.shape[-1])
    jac[..., idx, idx] += p
    return jac
