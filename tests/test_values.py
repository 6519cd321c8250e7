"""Forward values (and derivatives) against independent references: mpmath at 50 digits, SciPy."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from _actlib_cases import (
    ELEMENTWISE,
    MP_GRID,
    MP_SELU_ALPHA,
    MP_SELU_LAMBDA,
    RTOL64,
    assert_close_mp,
    check_values_mp,
    check_values_mp_float32,
    each,
    kink_distance,
    mp_reference,
    mp_softmax,
    no_warnings,
)
from scipy import special, stats

import actlib
from actlib import activations as A


@each(ELEMENTWISE)
def test_float64_matches_mpmath(act):
    """f and f' agree with the 50-digit oracle to 1e-12 relative on a grid out to ±700, ±1e4, ±1e30."""
    check_values_mp(act)


@each(ELEMENTWISE)
def test_float32_is_accurate_to_a_few_ulp(act):
    check_values_mp_float32(act)


@each(ELEMENTWISE)
def test_oracle_derivatives_are_the_derivatives_of_the_oracle(act):
    """The oracle's f' formulas are checked too: against mpmath.diff of its f (away from kinks)."""
    f_ref, d_ref = mp_reference(act)
    xs = [x for x in (-20.0, -3.0, -1.3, -0.5, 0.25, 1.0, 2.5, 7.0, 30.0) if kink_distance(act, [x])[0] > 0]
    for x in xs:
        numeric = mp.diff(f_ref, mp.mpf(x))
        exact = d_ref(mp.mpf(x))
        assert abs(numeric - exact) <= mp.mpf("1e-30") * max(1, abs(exact)), f"{act.label}: oracle f'({x}) = {exact}, mpmath.diff {numeric}"


# ---------------------------------------------------------------------------------------------
# SciPy and closed forms as second, lower-precision references (dense grid)
X = np.linspace(-12.0, 12.0, 481)

SCIPY_REFERENCES = {
    "sigmoid": lambda x: special.expit(x),
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0),
    "gelu": lambda x: x * stats.norm.cdf(x),
    "relu": lambda x: np.maximum(x, 0),
    "selu": lambda x: np.where(x > 0, A.SELU_LAMBDA * x, A.SELU_LAMBDA * A.SELU_ALPHA * np.expm1(x)),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "linear": lambda x: x,
}


@pytest.mark.parametrize("name", sorted(SCIPY_REFERENCES))
def test_defaults_match_scipy(name):
    np.testing.assert_allclose(actlib.get(name)(X), SCIPY_REFERENCES[name](X), rtol=1e-13, atol=1e-300)


def test_known_values():
    get = actlib.get
    assert get("sigmoid")(0.0) == 0.5
    assert get("tanh")(0.0) == 0.0
    assert get("softplus")(0.0) == pytest.approx(math.log(2), rel=1e-15)
    assert get("gelu")(1.0) == pytest.approx(0.8413447460685429, rel=1e-15)  # Φ(1)
    assert get("gelu", approximate="tanh")(1.0) == pytest.approx(0.8411919906082768, rel=1e-14)
    assert get("swish")(1.0) == pytest.approx(0.7310585786300049, rel=1e-15)
    assert get("mish")(1.0) == pytest.approx(0.8650983882673103, rel=1e-15)
    assert get("elu")(-1.0) == pytest.approx(math.exp(-1) - 1, rel=1e-15)
    assert get("leaky_relu")(-2.0) == -0.02  # default α = 0.01 (Keras' string default is 0.2: see keras_note)
    assert get("prelu")(-2.0) == -0.5  # default α = 0.25 (He et al.)
    assert get("sigmoid").grad(0.0) == 0.25
    assert get("tanh").grad(0.0) == 1.0


def test_selu_constants_from_the_closed_form():
    """λ and α from Klambauer et al. (2017), eq. 14 (fixed point mean 0, variance 1), in mpmath."""
    e = mp.e
    erfc1 = mp.erfc(1 / mp.sqrt(2))
    alpha = -mp.sqrt(2 / mp.pi) / (erfc1 * mp.exp(mp.mpf(1) / 2) - 1)
    lam = (1 - erfc1 * mp.sqrt(e)) * mp.sqrt(2 * mp.pi) * (
        2 * mp.erfc(mp.sqrt(2)) * e**2 + mp.pi * erfc1**2 * e - 2 * (2 + mp.pi) * erfc1 * mp.sqrt(e) + mp.pi + 2
    ) ** (-mp.mpf(1) / 2)
    assert abs(alpha - MP_SELU_ALPHA) < mp.mpf("1e-30")
    assert abs(lam - MP_SELU_LAMBDA) < mp.mpf("1e-30")
    assert A.SELU_ALPHA == float(alpha)
    assert A.SELU_LAMBDA == float(lam)


@pytest.mark.parametrize(
    "rows",
    [
        [[1.0, 2.0, 3.0]],
        [[1000.0, 1000.0]],
        [[-1000.0, 0.0, 1000.0]],
        [[0.0, 800.0, -800.0, 1e-30]],
        [[-700.0, -710.0, -720.0]],
        [[1e300, -1e300]],
        [[0.5], [-3.0]],
        [[0.1, 0.2, 0.3, 0.4], [40.0, 30.0, 20.0, 10.0], [-1e4, 1e4, 0.0, 3.0]],
    ],
    ids=["small", "1000-1000", "-1000-0-1000", "spread-800", "all-negative", "1e300", "single-entry", "batch"],
)
def test_softmax_and_log_softmax_match_mpmath(rows):
    x = np.array(rows)
    sm = actlib.get("softmax")
    with no_warnings():
        p = sm(x)
        lp = A.log_softmax(x)
    for row, prow, lrow in zip(x, p, lp, strict=True):
        want = mp_softmax(row)
        for i, w in enumerate(want):
            assert abs(mp.mpf(float(prow[i])) - w) <= RTOL64 * w + 1e-300, f"softmax({row})[{i}] = {prow[i]}, want {mp.nstr(w, 17)}"
            lw = mp.log(w)
            assert abs(mp.mpf(float(lrow[i])) - lw) <= RTOL64 * max(1, abs(lw)), f"log_softmax({row})[{i}] = {lrow[i]}, want {mp.nstr(lw, 17)}"


def test_softmax_extreme_values_from_the_issue():
    sm = actlib.get("softmax")
    with no_warnings():
        assert actlib.get("sigmoid")(-1000.0) == 0.0
        assert actlib.get("softplus")(1000.0) == 1000.0
        np.testing.assert_array_equal(sm([1000.0, 1000.0]), [0.5, 0.5])
        np.testing.assert_array_equal(sm([-1000.0, -1000.0]), [0.5, 0.5])
        np.testing.assert_array_equal(sm(np.array([1000.0, 1000.0], dtype=np.float32)), np.array([0.5, 0.5], dtype=np.float32))


def test_mpmath_grid_reaches_the_extremes():
    """The oracle grid contains the large |x| the issue asks for, in float64."""
    for v in (30.0, 40.0, 700.0):
        assert v in MP_GRID and -v in MP_GRID
    assert 0.0 in MP_GRID


def test_tanh_derivative_keeps_its_precision_in_the_tails():
    """1 − tanh²(x) cancels to 0 at x = 20 (true value 1.7e−17); actlib's form does not."""
    x = np.array([5.0, 10.0, 20.0, 40.0, 300.0])
    assert_close_mp(actlib.get("tanh").grad(x), x, lambda t: mp.sech(t) ** 2, rtol=1e-13, atol=1e-300, what="tanh'")
