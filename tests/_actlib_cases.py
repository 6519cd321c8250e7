"""What actlib's unit tests share: the activations under test, the mpmath oracle, grids and checks.

Everything is derived from the registry (``actlib.names()``) plus a few parameter variants, so a
new activation gets every test for free. What a new activation has to bring is what cannot be
derived from actlib itself: an independent high-precision reference (``MP_REFERENCES``) and its
limits at ±inf (``LIMITS``); a test fails and says so when one is missing.

The ``check_*`` functions hold the generic checks. The test modules call them for every
activation of the registry; ``test_registry.py`` also calls them for custom activations added
with ``actlib.register``.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import special

import actlib
from actlib.registry import Activation

mp.mp.dps = 50

# ---------------------------------------------------------------------------------------------
# The activations under test: every registry name with its defaults, plus parameter variants.
PARAM_VARIANTS = [
    ("leaky_relu", {"alpha": 0.2}),
    ("prelu", {"alpha": -0.1}),
    ("prelu", {"alpha": 0.25}),
    ("prelu", {"alpha": 0.0}),
    ("prelu", {"alpha": 1.0}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("swish", {"beta": 0.0}),
    ("swish", {"beta": 0.5}),
    ("swish", {"beta": 2.0}),
    ("swish", {"beta": 10.0}),
    ("gelu", {"approximate": False}),
    ("gelu", {"approximate": "tanh"}),
    ("gelu", {"approximate": "sigmoid"}),
]


def act_id(act: Activation) -> str:
    """Readable test id: ``relu``, ``elu-alpha=0.5``, ``gelu-approximate=tanh``."""
    if act.label == act.name:
        return act.name
    parts = []
    for k, v in act.params.items():
        parts.append(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}")
    return act.name + "-" + ",".join(parts)


def _all_activations():
    acts, seen = [], set()
    for name in actlib.names():
        act = actlib.get(name)
        acts.append(act)
        seen.add(act.label)
    for name, params in PARAM_VARIANTS:
        if name not in actlib.names():  # a variant of an activation that was removed: nothing to test
            continue
        act = actlib.get(name, **params)
        if act.label not in seen:  # the defaults are already in the list
            acts.append(act)
            seen.add(act.label)
    return acts


ACTIVATIONS = _all_activations()
ELEMENTWISE = [a for a in ACTIVATIONS if a.elementwise]
VECTOR = [a for a in ACTIVATIONS if not a.elementwise]
NON_MONOTONIC = [a for a in ELEMENTWISE if not a.monotonic]


def each(acts):
    """``pytest.mark.parametrize`` over activation records with readable ids."""
    return pytest.mark.parametrize("act", acts, ids=[act_id(a) for a in acts])


# ---------------------------------------------------------------------------------------------
# The oracle: every activation and its derivative in mpmath at 50 digits.
#
# The formulas are written from the papers, independently of actlib's NumPy code, in forms that
# do not cancel at 50 digits (σ(−t) instead of 1 − σ(t), sech² instead of 1 − tanh², and
# 0.5·(1 + tanh u) = σ(2u) for the tanh form of GELU, whose left tail would otherwise need
# hundreds of digits). ``test_values.py`` checks the derivative formulas against mpmath.diff of
# the forward ones, so the oracle is checked too.
MP_SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")  # Klambauer et al. (2017), eq. 14
MP_SELU_LAMBDA = mp.mpf("1.0507009873554804934193349852946")
MP_GELU_TANH_C = mp.sqrt(2 / mp.pi)
MP_GELU_TANH_K = mp.mpf("0.044715")
MP_GELU_SIGMOID_C = mp.mpf("1.702")


def mp_sigmoid(t):
    return 1 / (1 + mp.exp(-t))


def _mp_gate(x, c):
    """x·σ(c·x) and its derivative σ(cx) + cx·σ(cx)·σ(−cx)."""
    s, sm = mp_sigmoid(c * x), mp_sigmoid(-c * x)
    return x * s, s + c * x * s * sm


def _mp_gelu(x, approximate=False):
    if approximate is False:
        return x * mp.ncdf(x), mp.ncdf(x) + x * mp.npdf(x)
    if approximate == "tanh":
        u2 = 2 * MP_GELU_TANH_C * (x + MP_GELU_TANH_K * x**3)
        du2 = 2 * MP_GELU_TANH_C * (1 + 3 * MP_GELU_TANH_K * x**2)
        s, sm = mp_sigmoid(u2), mp_sigmoid(-u2)
        return x * s, s + x * du2 * s * sm
    if approximate == "sigmoid":
        return _mp_gate(x, MP_GELU_SIGMOID_C)
    raise AssertionError(f"no mpmath reference for gelu(approximate={approximate!r})")


def _mp_piecewise(x, alpha, scale=1):
    """Leaky-ReLU-like: scale·x for x > 0, scale·α·x for x ≤ 0 (derivative at 0 not defined here)."""
    if x > 0:
        return scale * x, mp.mpf(scale)
    return scale * alpha * x, mp.mpf(scale) * alpha


def _mp_elu(x, alpha, scale=1):
    if x > 0:
        return scale * x, mp.mpf(scale)
    return scale * alpha * mp.expm1(x), scale * alpha * mp.exp(x)


def _mp_mish(x):
    sp = mp.log1p(mp.exp(x))
    return x * mp.tanh(sp), mp.tanh(sp) + x * mp.sech(sp) ** 2 * mp_sigmoid(x)


#: name -> function(x: mpf, **params) -> (f(x), f'(x)) as mpf.
MP_REFERENCES = {
    "linear": lambda x: (x, mp.mpf(1)),
    "sigmoid": lambda x: (mp_sigmoid(x), mp_sigmoid(x) * mp_sigmoid(-x)),
    "tanh": lambda x: (mp.tanh(x), mp.sech(x) ** 2),
    "relu": lambda x: _mp_piecewise(x, 0),
    "leaky_relu": lambda x, alpha: _mp_piecewise(x, mp.mpf(alpha)),
    "prelu": lambda x, alpha: _mp_piecewise(x, mp.mpf(alpha)),
    "elu": lambda x, alpha: _mp_elu(x, mp.mpf(alpha)),
    "selu": lambda x: _mp_elu(x, MP_SELU_ALPHA, MP_SELU_LAMBDA),
    "softplus": lambda x: (mp.log1p(mp.exp(x)), mp_sigmoid(x)),
    "swish": lambda x, beta: _mp_gate(x, mp.mpf(beta)),
    "gelu": _mp_gelu,
    "mish": _mp_mish,
}


def mp_reference(act: Activation):
    """(f, f') for ``act`` as functions of an mpf, with the record's parameters bound."""
    ref = MP_REFERENCES.get(act.name)
    if ref is None:
        pytest.fail(f"no mpmath reference for {act.name!r}: add one to MP_REFERENCES in tests/_actlib_cases.py")
    params = dict(act.params)
    return (lambda x: ref(x, **params)[0]), (lambda x: ref(x, **params)[1])


def mp_softmax(row):
    row = [mp.mpf(float(v)) for v in row]
    e = [mp.exp(v) for v in row]
    s = mp.fsum(e)
    return [v / s for v in e]


# ---------------------------------------------------------------------------------------------
# Limits at ±inf: (f(−inf), f(+inf), f'(−inf), f'(+inf)), as functions of the parameters.
inf = math.inf
SELU_FLOOR = -float(MP_SELU_LAMBDA * MP_SELU_ALPHA)


def _leaky_limits(alpha):
    at_minus = -inf if alpha > 0 else (inf if alpha < 0 else 0.0)
    return (at_minus, inf, alpha, 1.0)


LIMITS = {
    "linear": lambda: (-inf, inf, 1.0, 1.0),
    "sigmoid": lambda: (0.0, 1.0, 0.0, 0.0),
    "tanh": lambda: (-1.0, 1.0, 0.0, 0.0),
    "relu": lambda: (0.0, inf, 0.0, 1.0),
    "leaky_relu": _leaky_limits,
    "prelu": _leaky_limits,
    "elu": lambda alpha: (-alpha, inf, 0.0, 1.0),
    "selu": lambda: (SELU_FLOOR, inf, 0.0, float(MP_SELU_LAMBDA)),
    "softplus": lambda: (0.0, inf, 0.0, 1.0),
    "swish": lambda beta: (0.0, inf, 0.0, 1.0) if beta > 0 else (-inf, inf, 0.5, 0.5),
    "gelu": lambda approximate: (0.0, inf, 0.0, 1.0),
    "mish": lambda: (0.0, inf, 0.0, 1.0),
}


def limits(act: Activation):
    fn = LIMITS.get(act.name)
    if fn is None:
        pytest.fail(f"no limits at ±inf for {act.name!r}: add them to LIMITS in tests/_actlib_cases.py")
    return fn(**act.params)


#: The derivative each kinked activation documents at its kink (``kinks``/``kink_convention``),
#: which is also what tf.GradientTape gives there: (value as a function of the parameters, the
#: symbol the convention text names).
KINK_CONVENTIONS = {
    "relu": (lambda: 0.0, "0"),
    "leaky_relu": (lambda alpha: alpha, "α"),
    "prelu": (lambda alpha: alpha, "α"),
    "elu": (lambda alpha: alpha, "α"),
    "selu": (lambda: float(MP_SELU_LAMBDA), "λ"),
}

# ---------------------------------------------------------------------------------------------
# Grids
_MP_POINTS = [1e-300, 1e-30, 1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 40.0, 100.0, 700.0, 1e4, 1e30]
#: Where the oracle is consulted: 0, tiny, moderate and large |x| (±30, ±40, ±700, ±1e4, ±1e30).
MP_GRID = np.array(sorted({0.0, *_MP_POINTS, *(-p for p in _MP_POINTS)}))


def extreme_grid(dtype):
    """0, ±1e−30, the smallest subnormal, the smallest normal, ±1, ±1e4, ±1e30, ±finfo.max (what fits)."""
    fi = np.finfo(dtype)
    pts = [0.0, 1e-30, float(fi.smallest_subnormal), float(fi.tiny), 1e-8, 0.5, 1.0, 1.5, 40.0, 700.0, 1e4, 1e30, float(fi.max)]
    pts = [p for p in pts if p <= float(fi.max)]
    pts = np.array(pts, dtype=np.float64).astype(dtype)
    return np.concatenate([pts, -pts])


FLOATS = [np.float16, np.float32, np.float64]


def kink_distance(act, x):
    """Distance of each x to the nearest kink (inf when there is none)."""
    x = np.asarray(x, dtype=float)
    if not act.kinks:
        return np.full(x.shape, np.inf)
    return np.min([np.abs(x - k) for k in act.kinks], axis=0)


# ---------------------------------------------------------------------------------------------
# Assertions
def assert_close_mp(actual, x, reference, *, rtol, atol, what):
    """Compare float results with mpmath values: |a − r| ≤ rtol·|r| + atol, reported per point."""
    bad = []
    for xi, ai in zip(np.ravel(x), np.ravel(actual), strict=True):
        r = reference(mp.mpf(float(xi)))
        err = abs(mp.mpf(float(ai)) - r)
        if not err <= rtol * abs(r) + atol:
            rel = float(err / abs(r)) if r != 0 else math.inf
            bad.append(f"x={float(xi)!r}: got {float(ai)!r}, want {mp.nstr(r, 17)} (rel. error {rel:.2e})")
    assert not bad, f"{what}: {len(bad)} point(s) off (rtol={rtol:g}, atol={atol:g}):\n  " + "\n  ".join(bad[:12])


@contextlib.contextmanager
def no_warnings():
    """A block in which any warning is an error (NumPy's RuntimeWarning above all)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------------------------------------
# The generic checks (one function per property, reused for custom activations)
RTOL64 = 1e-12  # float64 against the 50-digit oracle: about 5000 ulp, far below any formula mistake
ATOL64 = 1e-300  # only for results that underflow (subnormal or flushed to 0)


def check_values_mp(act, ref=None):
    """f and f' in float64 match the 50-digit oracle on MP_GRID (f' away from kinks)."""
    f_ref, d_ref = ref or mp_reference(act)
    with no_warnings():
        y = act(MP_GRID)
        g = act.grad(MP_GRID)
    assert_close_mp(y, MP_GRID, f_ref, rtol=RTOL64, atol=ATOL64, what=f"{act.label}(x) in float64")
    away = kink_distance(act, MP_GRID) > 0
    assert_close_mp(g[away], MP_GRID[away], d_ref, rtol=RTOL64, atol=ATOL64, what=f"{act.label}'(x) in float64")


def check_values_mp_float32(act, ref=None):
    """float32 results are as accurate as float32 allows: a few ulp times the condition number.

    The error bound of a stable float32 evaluation is about eps·(1 + |x·f'(x)/f(x)|): the
    condition number is large where the result is tiny compared with the input (the far left
    tail of GELU, where the cubic inside the tanh form magnifies the rounding of x³).
    """
    f_ref, d_ref = ref or mp_reference(act)
    x = np.unique(MP_GRID.astype(np.float32))
    eps = float(np.finfo(np.float32).eps)
    tiny = float(np.finfo(np.float32).tiny)
    with no_warnings():
        y = act(x)
        g = act.grad(x)
    assert y.dtype == np.float32 and g.dtype == np.float32
    bad = []
    for which, vals, fun, dfun in (("f", y, f_ref, d_ref), ("f'", g, d_ref, None)):
        for xi, vi in zip(x, vals, strict=True):
            xm = mp.mpf(float(xi))
            if which == "f'" and kink_distance(act, [float(xi)])[0] == 0:
                continue
            r = fun(xm)
            if abs(r) < tiny:  # the true value is below float32's normal range
                if abs(float(vi)) > 2 * tiny:
                    bad.append(f"{which}({float(xi)!r}) = {float(vi)!r}, want {mp.nstr(r, 9)}")
                continue
            slope = dfun(xm) if dfun is not None else mp.diff(fun, xm)
            kappa = abs(xm * slope / r)
            if abs(mp.mpf(float(vi)) - r) > 8 * eps * (1 + kappa) * abs(r):
                bad.append(f"{which}({float(xi)!r}) = {float(vi)!r}, want {mp.nstr(r, 9)} (condition number {float(kappa):.3g})")
    assert not bad, f"{act.label} in float32:\n  " + "\n  ".join(bad[:12])


#: Central differences: where they are compared with grad (kinks excluded).
FD_GRID = np.concatenate([np.linspace(-6.0, 6.0, 241), [-30.0, -20.0, -10.0, -8.0, 8.0, 10.0, 20.0, 30.0]])


def check_central_difference(act):
    """grad agrees with (f(x+h) − f(x−h))/2h in float64, away from kinks.

    With h = 1e−5·max(1, |x|) the truncation error is ~h²·|f'''|/6 ≈ 1e−10 and the rounding error
    ~eps·|f|/h ≈ 2e−11·|f|/max(1, |x|): 1e−7 relative plus 1e−8 absolute leaves room for both while
    any wrong formula (a missing factor, a sign, a wrong branch) is off by far more.

    Near 0, where piecewise definitions switch branch, f'' may jump even where f' is continuous
    (ELU with α = 1): a difference straddling the switch is then only first-order accurate
    (error h·|jump of f''|/4), so 0 gets its own comparison with a smaller step.
    """
    x = FD_GRID[(kink_distance(act, FD_GRID) > 1e-3) & (np.abs(FD_GRID) > 1e-3)]
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    with no_warnings():
        fd = (act(x + h) - act(x - h)) / (2 * h)
        g = act.grad(x)
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-8, err_msg=f"{act.label}: grad vs central differences")
    if 0.0 not in act.kinks:
        h0 = 1e-7
        fd0 = float(act(h0) - act(-h0)) / (2 * h0)
        assert float(act.grad(0.0)) == pytest.approx(fd0, abs=1e-6), f"{act.label}'(0) = {float(act.grad(0.0))}, central difference {fd0}"


def check_kink_convention(act):
    """At each kink, grad returns one of the one-sided derivatives, the documented one."""
    assert act.kink_convention, f"{act.label} has kinks {act.kinks} but documents no convention there"
    for k in act.kinks:
        at = float(act.grad(k))
        left, right = float(act.grad(k - 1e-12)), float(act.grad(k + 1e-12))
        assert at in (pytest.approx(left, abs=1e-9), pytest.approx(right, abs=1e-9)), (
            f"{act.label}'({k}) = {at}: neither the left ({left}) nor the right ({right}) derivative"
        )
    if act.name in KINK_CONVENTIONS:
        value, symbol = KINK_CONVENTIONS[act.name]
        want = value(**act.params)
        for k in act.kinks:
            assert float(act.grad(k)) == pytest.approx(want, rel=1e-15, abs=0), f"{act.label}'({k}): documented {symbol} = {want}"
        assert f"taken as {symbol}" in act.kink_convention, f"{act.label}: the convention text should say 'taken as {symbol}': {act.kink_convention!r}"


def check_extremes(act, dtype):
    """No warning, no NaN for finite input of ``dtype``; results keep the dtype and shape."""
    x = extreme_grid(dtype)
    with no_warnings():
        y = act(x)
        g = act.grad(x)
    for what, v in (("f", y), ("f'", g)):
        assert v.dtype == dtype, f"{act.label} {what}: {dtype.__name__} in, {v.dtype} out"
        assert v.shape == x.shape
        assert not np.isnan(v).any(), f"{act.label} {what} is NaN at finite x = {x[np.isnan(v)]} ({dtype.__name__})"
    # f' of a function with a finite slope at ±inf is finite everywhere
    lo_d, hi_d = limits(act)[2:]
    if math.isfinite(lo_d) and math.isfinite(hi_d):
        assert np.isfinite(g).all(), f"{act.label}': not finite at {x[~np.isfinite(g)]} ({dtype.__name__})"


def check_infinities(act, dtype=np.float64):
    """f(±inf) and f'(±inf) are the limits, without warnings."""
    f_lo, f_hi, d_lo, d_hi = limits(act)
    x = np.array([-np.inf, np.inf], dtype=dtype)
    with no_warnings():
        y = act(x)
        g = act.grad(x)
    np.testing.assert_allclose(y, np.array([f_lo, f_hi], dtype=dtype), rtol=1e-6, err_msg=f"{act.label}(±inf)")
    np.testing.assert_allclose(g, np.array([d_lo, d_hi], dtype=dtype), rtol=1e-6, err_msg=f"{act.label}'(±inf)")
    # the limits agree with the record's output range
    lo, hi = act.output_range
    if math.isfinite(hi):
        assert f_hi == pytest.approx(hi), f"{act.label}: f(+inf) = {f_hi} but output_range says {hi}"
    if math.isfinite(lo) and act.monotonic:
        assert f_lo == pytest.approx(lo), f"{act.label}: f(−inf) = {f_lo} but output_range says {lo}"


def check_nan(act, dtype=np.float64):
    """NaN in, NaN out (f and f'), only where the NaN was, without warnings."""
    x = np.array([-1.0, np.nan, 0.5, np.nan, 2.0], dtype=dtype)
    with no_warnings():
        y = act(x)
        g = act.grad(x)
        y0 = act(dtype(np.nan))
        g0 = act.grad(dtype(np.nan))
    for what, v in (("f", y), ("f'", g)):
        assert np.array_equal(np.isnan(v), np.isnan(x)), f"{act.label} {what}({x}) = {v}"
    assert np.isnan(y0) and np.isnan(g0)


def check_dtypes(act):
    """float16/32/64 are kept (arrays and NumPy scalars); ints, bools and lists give float64."""
    cases = [
        (np.array([-1.5, 0.0, 2.0], dtype=np.float16), np.float16),
        (np.float16(0.5), np.float16),
        (np.array([-1.5, 0.0, 2.0], dtype=np.float32), np.float32),
        (np.float32(0.5), np.float32),
        (np.array([-1.5, 0.0, 2.0]), np.float64),
        (np.float64(0.5), np.float64),
        (0.5, np.float64),
        (2, np.float64),
        (True, np.float64),
        ([-1, 0, 2], np.float64),
        ([-1.5, 0.0, 2.0], np.float64),
        (np.array([-1, 0, 2], dtype=np.int32), np.float64),
        (np.array([-1, 0, 2], dtype=np.int64), np.float64),
        (np.array([0, 1, 2], dtype=np.uint8), np.float64),
        (np.array([True, False]), np.float64),
    ]
    for x, want in cases:
        for what, fun in (("f", act), ("f'", act.grad)):
            v = fun(x)
            assert isinstance(v, np.ndarray), f"{act.label} {what}({x!r}) returned {type(v).__name__}, not an ndarray"
            assert v.dtype == want, f"{act.label} {what}({x!r}): expected {np.dtype(want)}, got {v.dtype}"
            assert v.shape == np.shape(x), f"{act.label} {what}({x!r}): shape {v.shape}, want {np.shape(x)}"
    # the values do not depend on how the numbers came in
    ref = act(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(act([-1, 0, 2]), ref)
    np.testing.assert_array_equal(act(np.array([-1, 0, 2], dtype=np.int8)), ref)
    np.testing.assert_allclose(act(np.array([-1, 0, 2], dtype=np.float16)), ref, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(act(np.array([-1, 0, 2], dtype=np.float32)), ref, rtol=1e-6, atol=1e-7)


def check_shapes(act):
    """0-d, 1-d, 3-d and empty inputs keep their shape; inputs are never modified; outputs are new arrays."""
    rng = np.random.default_rng(0)
    for shape in [(), (1,), (7,), (2, 3, 4), (0,), (3, 0, 2)]:
        x = rng.normal(scale=3.0, size=shape)
        before = x.copy()
        y, g = act(x), act.grad(x)
        assert y.shape == shape and g.shape == shape, f"{act.label}: shape {shape} in, {y.shape} and {g.shape} out"
        np.testing.assert_array_equal(x, before, err_msg=f"{act.label} modified its input")
        if x.size:
            assert not np.shares_memory(y, x), f"{act.label}(x) returned (a view of) x itself"
            # elementwise: the 3-d result is the 1-d result reshaped
            np.testing.assert_array_equal(y.ravel(), act(x.ravel()))
            np.testing.assert_array_equal(g.ravel(), act.grad(x.ravel()))


# ---------------------------------------------------------------------------------------------
# Properties of the record checked numerically
DENSE = np.concatenate([np.linspace(-50.0, 50.0, 20001), np.geomspace(50.0, 1e4, 200), -np.geomspace(50.0, 1e4, 200), [0.0, -1e-9, 1e-9]])
DENSE.sort()


def check_monotonic_flag(act):
    """``monotonic`` ⇔ f' ≥ 0 on a dense grid (and f never decreases)."""
    g = act.grad(DENSE)
    y = act(DENSE)
    if act.monotonic:
        assert (g >= 0).all(), f"{act.label} is flagged monotonic but f' < 0 at {DENSE[g < 0][:5]}"
        assert (np.diff(y) >= 0).all(), f"{act.label} is flagged monotonic but decreases somewhere"
    else:
        assert (g < -1e-6).any(), f"{act.label} is flagged non-monotonic but f' ≥ 0 on the whole grid"


def check_output_range(act):
    """Outputs stay inside ``output_range`` on a wide grid, and the range is tight."""
    lo, hi = act.output_range
    assert lo < hi
    x = np.concatenate([DENSE, extreme_grid(np.float64)])
    if act.minimum is not None:
        x = np.append(x, act.minimum[0])
    y = act(x)
    assert (y >= lo).all() and (y <= hi).all(), f"{act.label}: values outside {act.output_range}: {y[(y < lo) | (y > hi)][:5]}"
    # tight: the bounds are approached (finite ones) or exceeded by any number (infinite ones)
    if math.isfinite(lo):
        assert y.min() - lo <= 1e-6 * max(1.0, abs(lo)), f"{act.label}: lower bound {lo} but min over the grid is {y.min()}"
    else:
        assert y.min() < -1e3
    if math.isfinite(hi):
        assert hi - y.max() <= 1e-6 * max(1.0, abs(hi)), f"{act.label}: upper bound {hi} but max over the grid is {y.max()}"
    else:
        assert y.max() > 1e3


def check_smooth_flag(act):
    """``smooth`` (C¹) ⇔ f' has no jump: across each kink, and nowhere else on a dense grid."""
    x = np.linspace(-10.0, 10.0, 20001)  # step 1e-3; 0 is a grid point
    g = act.grad(x)
    steepest = np.max(np.abs(np.diff(g))) / (x[1] - x[0])  # ≈ max |f''| if f' is continuous
    jumps = [abs(float(act.grad(k + 1e-9) - act.grad(k - 1e-9))) for k in act.kinks]
    across_zero = abs(float(act.grad(1e-9) - act.grad(-1e-9)))
    if act.smooth:
        assert not act.kinks, f"{act.label} is flagged smooth but lists kinks {act.kinks}"
        assert across_zero < 1e-6, f"{act.label} is flagged smooth but f' jumps by {across_zero} at 0"
        assert steepest < 100, f"{act.label} is flagged smooth but f' changes by {steepest:.3g} per unit somewhere"
    else:
        assert act.kinks, f"{act.label} is flagged not smooth but lists no kinks"
        assert min(jumps) > 1e-3, f"{act.label}: no jump of f' at its kinks {act.kinks} ({jumps})"


_GH_X, _GH_W = hermegauss(201)
_GH_W = _GH_W / math.sqrt(2 * math.pi)


def gaussian_mean(fun):
    """E[f(z)] for z ~ N(0, 1) by Gauss–Hermite quadrature (201 nodes)."""
    return float(np.dot(_GH_W, fun(_GH_X)))


def check_zero_centered_flag(act):
    """``zero_centered`` ⇔ |E[f(z)]| < 0.05 for z ~ N(0, 1)."""
    mean = gaussian_mean(act)
    assert act.zero_centered == (abs(mean) < 0.05), f"{act.label}: zero_centered={act.zero_centered} but E[f(z)] = {mean:.4f}"


def check_minimum(act):
    """A non-monotonic activation's lowest value: ``minimum`` and ``output_range[0]`` vs SciPy."""
    from scipy.optimize import minimize_scalar

    if act.minimum is None:
        # no dip below zero: the lowest value is a bound reached at the kink (prelu with α < 0)
        lo = act.output_range[0]
        assert math.isfinite(lo)
        res = minimize_scalar(lambda t: float(act(t)), bounds=(-50.0, 50.0), method="bounded", options={"xatol": 1e-10})
        assert res.fun == pytest.approx(lo, abs=1e-8), f"{act.label}: lowest value {res.fun} at {res.x}, output_range says {lo}"
        return
    x_min, f_min = act.minimum
    width = max(50.0, 4 * abs(x_min))  # the dip moves out as the gate gets wider (swish with small β)
    res = minimize_scalar(lambda t: float(act(t)), bounds=(-width, 0.0), method="bounded", options={"xatol": 1e-12 * width})
    assert res.success
    assert x_min == pytest.approx(res.x, rel=1e-6, abs=1e-6), f"{act.label}: minimum at {x_min}, SciPy finds {res.x}"
    assert f_min == pytest.approx(res.fun, rel=1e-12), f"{act.label}: minimum value {f_min}, SciPy finds {res.fun}"
    assert f_min == float(act(x_min))
    assert act.output_range[0] == f_min, f"{act.label}: output_range {act.output_range} should start at the minimum {f_min}"
    assert abs(float(act.grad(x_min))) < 1e-12, f"{act.label}'({x_min}) = {float(act.grad(x_min))}, not 0"
    assert f_min < 0


# ---------------------------------------------------------------------------------------------
# Custom activations used to test register(): each with an mpmath reference and its limits.
def _softsign(x):
    """Softsign: x / (1 + |x|) (±1 at ±inf, where the quotient is inf/inf)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x), np.sign(x), x / (1 + np.abs(x)))


def _softsign_grad(x):
    return (1 / (1 + np.abs(x))) ** 2


def _logish(x, beta=1.0):
    """Logish (Zhu et al. 2021) with a gate slope β: x·log(1 + σ(βx)); smooth, non-monotonic."""
    with np.errstate(over="ignore", invalid="ignore"):  # β·x may overflow; −inf·0 is fixed below
        out = x * np.log1p(special.expit(beta * x))
    return np.where(x == -np.inf, 0.0, out)


def _logish_grad(x, beta=1.0):
    with np.errstate(over="ignore", invalid="ignore"):
        bx = np.clip(beta * x, -1e4, 1e4)
        s = special.expit(bx)
        out = np.log1p(s) + bx * s * special.expit(-bx) / (1 + s)
    return out


CUSTOM = {
    "test_softsign": dict(
        fn=_softsign,
        grad=_softsign_grad,
        fields=dict(formula=r"\frac{x}{1 + |x|}", derivative=r"\frac{1}{(1 + |x|)^2}", output_range=(-1.0, 1.0), zero_centered=True, reference="Elliott (1993)"),
        mp=lambda x: (x / (1 + abs(x)), 1 / (1 + abs(x)) ** 2),
        limits=lambda: (-1.0, 1.0, 0.0, 0.0),
    ),
    "test_logish": dict(
        fn=_logish,
        grad=_logish_grad,
        params={"beta": 1.0},
        fields=dict(formula=r"x \log(1 + \sigma(\beta x))", derivative="...", output_range=(None, inf), monotonic=False, reference="Zhu et al. (2021)"),
        mp=lambda x, beta: (
            x * mp.log1p(mp_sigmoid(beta * x)),
            mp.log1p(mp_sigmoid(beta * x)) + beta * x * mp_sigmoid(beta * x) * mp_sigmoid(-beta * x) / (1 + mp_sigmoid(beta * x)),
        ),
        limits=lambda beta: (0.0, inf, 0.0, math.log(2.0)),
    ),
}


# ---------------------------------------------------------------------------------------------
# Fresh Python processes for the loader tests. The two that import TensorFlow take ~5 s each, so
# conftest.py starts them in the background as soon as collection is done (when the loader
# tests are selected) and the tests only collect their output.
REPO_ROOT = Path(__file__).resolve().parent.parent

SUBPROCESS_SCRIPTS = {
    # the command, verbatim: the quiet loader and a first layer call
    "quiet_keras": "import actlib; k = actlib.keras(); k.layers.Dense(2)(k.ops.ones((1,3)))",
    # the control: a plain import does write to stderr, so an empty stderr above proves something
    "plain_tensorflow": "import tensorflow",
}

_RUNS: dict = {}
_RESULTS: dict = {}


def subprocess_env():
    """The environment of the fresh processes: ours, without the TensorFlow log level (actlib must set it)."""
    env = dict(os.environ)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    env.pop("PYTHONWARNINGS", None)
    return env


def start_subprocesses():
    for name, code in SUBPROCESS_SCRIPTS.items():
        if name not in _RUNS:
            _RUNS[name] = subprocess.Popen(
                [sys.executable, "-c", code], cwd=REPO_ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )


def subprocess_result(name, timeout=180):
    """(returncode, stdout, stderr) of one of SUBPROCESS_SCRIPTS, started now if it was not yet."""
    if name not in _RESULTS:
        start_subprocesses()
        proc = _RUNS[name]
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"python -c {SUBPROCESS_SCRIPTS[name]!r} took more than {timeout} s")
        _RESULTS[name] = (proc.returncode, out, err)
    return _RESULTS[name]


def stop_subprocesses():
    for proc in _RUNS.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
