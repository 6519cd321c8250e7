"""Derivatives: central differences away from kinks, the documented convention at kinks, softmax's Jacobian.

The comparison with the 50-digit oracle is in test_values.py and with tf.GradientTape in
test_keras_parity.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from _actlib_cases import ELEMENTWISE, KINK_CONVENTIONS, check_central_difference, check_kink_convention, each, no_warnings

import actlib
from actlib import activations as A

KINKED = [a for a in ELEMENTWISE if a.kinks]


@each(ELEMENTWISE)
def test_grad_matches_central_differences(act):
    check_central_difference(act)


@each(KINKED)
def test_grad_at_kink_follows_the_documented_convention(act):
    check_kink_convention(act)


def test_every_kinked_builtin_has_a_tested_convention():
    missing = sorted({a.name for a in KINKED} - set(KINK_CONVENTIONS))
    assert not missing, f"add the documented derivative at the kink of {missing} to KINK_CONVENTIONS"


@pytest.mark.parametrize(
    ("name", "params", "want"),
    [
        ("relu", {}, 0.0),
        ("leaky_relu", {}, 0.01),
        ("leaky_relu", {"alpha": 0.2}, 0.2),
        ("prelu", {"alpha": -0.1}, -0.1),
        ("elu", {}, 1.0),
        ("elu", {"alpha": 0.5}, 0.5),
        ("selu", {}, A.SELU_LAMBDA),
    ],
    ids=["relu", "leaky_relu", "leaky_relu-alpha=0.2", "prelu-alpha=-0.1", "elu", "elu-alpha=0.5", "selu"],
)
def test_derivative_at_zero_from_the_issue(name, params, want):
    """relu'(0) = 0, leaky_relu'(0) = α, elu'(0) = 1 (α in general), selu'(0) = λ, as in TensorFlow."""
    act = actlib.get(name, **params)
    assert act.grad(0.0) == want
    assert act.grad(-0.0) == want
    np.testing.assert_array_equal(act.grad(np.zeros(3, dtype=np.float32)), np.full(3, want, dtype=np.float32))


# ---------------------------------------------------------------------------------------------
# softmax: the Jacobian along the last axis
def _fd_jacobian(f, x, h=1e-6):
    """Central-difference Jacobian J[..., i, j] = ∂f_i/∂x_j."""
    k = x.shape[-1]
    cols = []
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        cols.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize(
    "x",
    [
        np.array([1.0, 2.0, 3.0]),
        np.array([0.0, 0.0]),
        np.array([-5.0, 0.3, 2.0, 7.0]),
        np.array([[0.1, -0.2, 0.3], [4.0, 4.0, -4.0]]),
        np.random.default_rng(0).normal(size=(2, 3, 5)),
    ],
    ids=["K=3", "K=2-equal", "K=4", "batch-2x3", "batch-2x3x5"],
)
def test_softmax_jacobian_vs_finite_differences(x):
    sm = actlib.get("softmax")
    jac = sm.grad(x)
    assert jac.shape == (*x.shape, x.shape[-1])
    np.testing.assert_allclose(jac, _fd_jacobian(sm, x), rtol=1e-7, atol=1e-9)


def test_softmax_jacobian_formula_and_structure():
    rng = np.random.default_rng(1)
    x = rng.normal(scale=3.0, size=(4, 6))
    p = actlib.get("softmax")(x)
    jac = actlib.get("softmax").grad(x)
    want = np.einsum("bi,ij->bij", p, np.eye(6)) - p[:, :, None] * p[:, None, :]
    np.testing.assert_allclose(jac, want, rtol=1e-15, atol=1e-17)
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), atol=1e-17)  # symmetric
    np.testing.assert_allclose(jac.sum(axis=-1), 0.0, atol=1e-15)  # shifting all inputs changes nothing
    assert (np.linalg.eigvalsh(jac) > -1e-15).all()  # positive semi-definite


def test_softmax_jacobian_extremes():
    sm = actlib.get("softmax")
    with no_warnings():
        np.testing.assert_array_equal(sm.grad([1000.0, 1000.0]), [[0.25, -0.25], [-0.25, 0.25]])
        j = sm.grad([0.0, 1e4])
    assert not np.isnan(j).any()
    np.testing.assert_array_equal(j, np.zeros((2, 2)))


def test_softmax_cross_entropy_gradient_is_p_minus_y():
    """The lesson's identity: d/dz [−log softmax(z)_y] = p − onehot(y), through the Jacobian."""
    rng = np.random.default_rng(2)
    z = rng.normal(size=5)
    y = np.eye(5)[3]
    p = actlib.get("softmax")(z)
    jac = actlib.get("softmax").grad(z)
    dloss_dp = -y / p
    np.testing.assert_allclose(dloss_dp @ jac, p - y, rtol=1e-12, atol=1e-15)


@each([a for a in ELEMENTWISE if hasattr(A, f"{a.name}_grad")])
def test_grad_matches_module_function(act):
    """Activation.grad and the module-level ``<name>_grad`` are the same function with the same parameters."""
    x = np.linspace(-5, 5, 11)
    np.testing.assert_array_equal(act.grad(x), getattr(A, f"{act.name}_grad")(x, **act.params))
    np.testing.assert_array_equal(act(x), getattr(A, act.name)(x, **act.params))
