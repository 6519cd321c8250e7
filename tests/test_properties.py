"""What the records claim, checked numerically; and the identities the lessons state."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _actlib_cases import (
    ACTIVATIONS,
    ELEMENTWISE,
    NON_MONOTONIC,
    check_minimum,
    check_monotonic_flag,
    check_output_range,
    check_smooth_flag,
    check_zero_centered_flag,
    each,
    gaussian_mean,
    no_warnings,
)

import actlib
from actlib import activations as A

X = np.linspace(-12.0, 12.0, 2401)


# ---------------------------------------------------------------------------------------------
# flags and fields of every record
@each(ELEMENTWISE)
def test_monotonic_flag(act):
    check_monotonic_flag(act)


@each(ELEMENTWISE)
def test_output_range(act):
    check_output_range(act)


@each(ELEMENTWISE)
def test_smooth_flag(act):
    check_smooth_flag(act)


@each(ELEMENTWISE)
def test_zero_centered_flag(act):
    check_zero_centered_flag(act)


@each(NON_MONOTONIC)
def test_minimum_vs_scipy(act):
    check_minimum(act)


def test_gauss_hermite_mean_is_exact_for_known_cases():
    """The quadrature behind the zero-centred check: E[z²] = 1, E[relu(z)] = 1/√(2π), E[gelu(z)] = 1/(2√π)."""
    assert gaussian_mean(lambda z: z**2) == pytest.approx(1.0, rel=1e-12)
    assert gaussian_mean(actlib.get("sigmoid")) == pytest.approx(0.5, rel=1e-12)
    assert gaussian_mean(actlib.get("gelu")) == pytest.approx(1 / (2 * math.sqrt(math.pi)), rel=1e-6)
    assert gaussian_mean(actlib.get("relu")) == pytest.approx(1 / math.sqrt(2 * math.pi), abs=5e-3)  # a kink: coarser


@each(ACTIVATIONS)
def test_record_has_its_documentation(act):
    assert act.formula and act.derivative and act.reference and act.description
    assert act.keras and act.keras_code
    assert act.init
    assert isinstance(act.output_range, tuple) and len(act.output_range) == 2
    assert all(isinstance(v, float) for v in act.output_range), f"{act.label}: output_range {act.output_range}"
    for flag in (act.monotonic, act.smooth, act.zero_centered, act.elementwise):
        assert isinstance(flag, bool)
    assert act.formula.count("{") == act.formula.count("}"), f"{act.label}: unbalanced braces in the LaTeX formula"
    assert act.derivative.count("{") == act.derivative.count("}")
    if act.kinks:
        assert act.kink_convention and not act.smooth
    if not act.monotonic and act.minimum is not None:
        assert act.output_range[0] == act.minimum[1]


@each(ACTIVATIONS)
def test_bounded_properties(act):
    lo, hi = act.output_range
    assert act.bounded_below == math.isfinite(lo)
    assert act.bounded_above == math.isfinite(hi)
    assert act.bounded == (math.isfinite(lo) and math.isfinite(hi))


def test_expected_flags_of_the_classics():
    """Spot checks a reader of the course knows by heart (guards against a flag flipped everywhere)."""
    get = actlib.get
    assert get("sigmoid").output_range == (0.0, 1.0) and not get("sigmoid").zero_centered
    assert get("tanh").output_range == (-1.0, 1.0) and get("tanh").zero_centered
    assert get("relu").output_range == (0.0, math.inf) and not get("relu").smooth
    assert get("elu").smooth and not get("elu", alpha=0.5).smooth
    assert get("selu").zero_centered and not get("selu").smooth
    assert not get("swish").monotonic and get("swish", beta=0).monotonic
    assert not get("gelu").monotonic and not get("mish").monotonic
    assert get("softplus").smooth and get("softplus").monotonic
    assert get("softmax").output_range == (0.0, 1.0) and not get("softmax").elementwise
    assert not get("prelu", alpha=-0.1).monotonic
    assert get("elu", alpha=2.0).output_range == (-2.0, math.inf)


@pytest.mark.parametrize(
    ("params", "x_min", "f_min"),
    [
        ({"beta": 1.0}, -1.2784645427610738, -0.2784645427610738),
        ({"beta": 0.5}, -2.5569290855221476, -0.5569290855221476),
        ({"beta": 10.0}, -0.12784645427610738, -0.02784645427610738),
        ({"beta": 1e-3}, -1278.4645427610738, -278.4645427610738),
        ({"beta": 1e3}, -0.0012784645427610738, -0.0002784645427610738),
    ],
    ids=["beta=1", "beta=0.5", "beta=10", "beta=0.001", "beta=1000"],
)
def test_swish_minimum_closed_form(params, x_min, f_min):
    """swish's dip: t = βx* solves 1 + t·σ(−t) = 0 (t* = −1.27846...) and f(x*) = (t* + 1)/β: far out
    for small β, close to 0 for large β (where f'(−1) has underflowed to 0)."""
    act = actlib.get("swish", **params)
    assert act.minimum[0] == pytest.approx(x_min, rel=1e-9)
    assert act.minimum[1] == pytest.approx(f_min, rel=1e-12)
    assert act.output_range[0] == act.minimum[1]


def test_mish_and_gelu_minima_known_values():
    assert actlib.get("mish").minimum == pytest.approx((-1.1924, -0.30884), abs=1e-4)
    assert actlib.get("gelu").minimum == pytest.approx((-0.75179, -0.16997), abs=1e-4)


# ---------------------------------------------------------------------------------------------
# identities the lessons state
def test_sigmoid_derivative_identity():
    s = actlib.get("sigmoid")
    np.testing.assert_allclose(s.grad(X), s(X) * (1 - s(X)), rtol=1e-12, atol=2.3e-16)  # 1 − σ has an absolute rounding error up to eps
    assert s.grad(X).max() == 0.25  # max σ' = 1/4, at 0


def test_tanh_is_a_rescaled_sigmoid():
    np.testing.assert_allclose(actlib.get("tanh")(X), 2 * actlib.get("sigmoid")(2 * X) - 1, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(actlib.get("tanh").grad(X), 4 * actlib.get("sigmoid").grad(2 * X), rtol=1e-14, atol=1e-300)


def test_softplus_derivative_is_sigmoid():
    np.testing.assert_array_equal(actlib.get("softplus").grad(X), actlib.get("sigmoid")(X))


def test_selu_is_scaled_elu():
    elu = actlib.get("elu", alpha=A.SELU_ALPHA)
    selu = actlib.get("selu")
    np.testing.assert_allclose(selu(X), A.SELU_LAMBDA * elu(X), rtol=1e-15)
    # away from the kink: there each follows TensorFlow, which gives λ for selu and α for elu(alpha=α)
    off = X != 0
    np.testing.assert_allclose(selu.grad(X[off]), A.SELU_LAMBDA * elu.grad(X[off]), rtol=1e-15)


def test_swish_beta_zero_is_half_x():
    act = actlib.get("swish", beta=0)
    np.testing.assert_array_equal(act(X), X / 2)
    np.testing.assert_array_equal(act.grad(X), np.full_like(X, 0.5))


@pytest.mark.parametrize("beta", [10.0, 100.0, 1e3, 1e6])
def test_swish_large_beta_approaches_relu(beta):
    """|swish_β(x) − relu(x)| = |x|·σ(−β|x|) ≤ 0.2785/β (the dip depth), and f' → step away from 0."""
    act = actlib.get("swish", beta=beta)
    relu = actlib.get("relu")
    xs = np.concatenate([X, np.linspace(-0.01, 0.01, 2001)])
    with no_warnings():
        gap = np.abs(act(xs) - relu(xs)).max()
    assert gap <= 0.27846454276107385 / beta * (1 + 1e-12)
    far = np.abs(xs) > 50 / beta
    np.testing.assert_allclose(act.grad(xs[far]), relu.grad(xs[far]), atol=1e-15)


def test_gelu_sigmoid_approximation_is_swish_1702():
    np.testing.assert_array_equal(actlib.get("gelu", approximate="sigmoid")(X), actlib.get("swish", beta=1.702)(X))
    np.testing.assert_allclose(actlib.get("gelu", approximate="sigmoid").grad(X), actlib.get("swish", beta=1.702).grad(X), rtol=1e-15, atol=1e-300)


def test_gelu_approximation_errors():
    """The errors the lesson measures: tanh form within 5e−4 of the exact GELU, sigmoid form within 2.1e−2."""
    exact = actlib.get("gelu")(X)
    err_tanh = np.abs(actlib.get("gelu", approximate="tanh")(X) - exact).max()
    err_sigmoid = np.abs(actlib.get("gelu", approximate="sigmoid")(X) - exact).max()
    assert 1e-4 < err_tanh < 5e-4
    assert 1e-2 < err_sigmoid < 2.1e-2


def test_elementary_special_cases():
    np.testing.assert_array_equal(actlib.get("leaky_relu", alpha=0)(X), actlib.get("relu")(X))
    np.testing.assert_array_equal(actlib.get("prelu", alpha=1)(X), X)
    np.testing.assert_array_equal(actlib.get("prelu", alpha=0.3)(X), actlib.get("leaky_relu", alpha=0.3)(X))
    np.testing.assert_array_equal(actlib.get("linear")(X), X)
    np.testing.assert_allclose(actlib.get("mish")(X), X * np.tanh(actlib.get("softplus")(X)), rtol=1e-15)
    np.testing.assert_allclose(actlib.get("swish")(X), X * actlib.get("sigmoid")(X), rtol=1e-15)
    np.testing.assert_allclose(actlib.get("softplus")(X) - actlib.get("softplus")(-X), X, atol=1e-14)  # sp(x) − sp(−x) = x
    np.testing.assert_allclose(actlib.get("sigmoid")(X) + actlib.get("sigmoid")(-X), 1.0, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# softmax
SOFTMAX = actlib.get("softmax")
RNG = np.random.default_rng(0)
Z = RNG.normal(scale=4.0, size=(6, 5))


@pytest.mark.parametrize("shift", [-1000.0, -3.5, 0.0, 2.0, 1e4])
def test_softmax_shift_invariance(shift):
    with no_warnings():
        np.testing.assert_allclose(SOFTMAX(Z + shift), SOFTMAX(Z), rtol=1e-12 * max(1, abs(shift)), atol=1e-300)
        np.testing.assert_allclose(SOFTMAX.grad(Z + shift), SOFTMAX.grad(Z), rtol=1e-10 * max(1, abs(shift)), atol=1e-15)


def test_softmax_rows_sum_to_one_and_are_positive():
    for scale in (1e-3, 1.0, 30.0, 300.0):
        p = SOFTMAX(Z * scale)
        np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=4e-16 * Z.shape[-1])
        assert (p >= 0).all() and (p <= 1).all()


def test_log_softmax_is_log_of_softmax():
    np.testing.assert_allclose(A.log_softmax(Z), np.log(SOFTMAX(Z)), rtol=1e-13, atol=1e-15)
    # and stays finite where log(softmax) underflows to −inf
    lp = A.log_softmax(np.array([0.0, 1000.0]))
    np.testing.assert_array_equal(lp, [-1000.0, 0.0])


def test_softmax_temperature_and_order():
    """Dividing by a temperature T sharpens (T → 0: one-hot of the argmax) or flattens (T → ∞: uniform)."""
    z = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(SOFTMAX(z / 1e-3), [0.0, 1.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(SOFTMAX(z / 1e6), np.full(3, 1 / 3), rtol=1e-5)
    assert np.argmax(SOFTMAX(z)) == np.argmax(z)
    assert np.all(np.diff(SOFTMAX(np.sort(z))) > 0)  # order preserving


def test_initial_loss_is_log_k():
    """Equal logits → uniform p → cross-entropy log K (the lesson's sanity check for a fresh classifier)."""
    for k in (2, 10, 1000):
        p = SOFTMAX(np.zeros(k))
        assert -np.log(p[0]) == pytest.approx(math.log(k), rel=1e-14)
