"""actlib.init: initializers drawn as Keras draws them, their standard deviations, and the gains by quadrature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

import actlib
from actlib import init
from actlib.activations import SELU_ALPHA, SELU_LAMBDA

KERAS_NAMES = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal"]
ELEMENTWISE = [n for n in actlib.names() if actlib.get(n).elementwise]

#: the variance each initializer is built to have, for a (fan_in, fan_out) kernel
VARIANCE = {
    "glorot_uniform": lambda i, o: 2.0 / (i + o),
    "glorot_normal": lambda i, o: 2.0 / (i + o),
    "he_uniform": lambda i, o: 2.0 / i,
    "he_normal": lambda i, o: 2.0 / i,
    "lecun_uniform": lambda i, o: 1.0 / i,
    "lecun_normal": lambda i, o: 1.0 / i,
    "orthogonal": lambda i, o: 1.0 / max(i, o),
    "standard": lambda i, o: 1.0 / (3.0 * i),
    "zeros": lambda i, o: 0.0,
}


# ---------------------------------------------------------------------------------------------
# standard deviations
def test_every_initializer_is_listed():
    assert set(init.INITIALIZERS) == set(VARIANCE)


@pytest.mark.parametrize("name", sorted(VARIANCE))
@pytest.mark.parametrize("fans", [(512, 256), (100, 300), (64, 64)])
def test_std_of_is_the_textbook_formula(name, fans):
    assert init.std_of(name, *fans) == pytest.approx(math.sqrt(VARIANCE[name](*fans)), rel=1e-15)
    assert init.variance_of(name, *fans) == pytest.approx(VARIANCE[name](*fans), rel=1e-15)


def test_std_of_examples_from_the_lessons():
    assert init.std_of("he_normal", 512, 10) == 0.0625  # √(2/512)
    assert init.std_of("standard", 300, 1) == pytest.approx(1 / math.sqrt(900))
    assert init.std_of(0.05, 10, 10) == 0.05
    assert init.std_of("Xavier-Uniform", 10, 30) == init.std_of("glorot_uniform", 10, 30)  # PyTorch's name, any case


# ---------------------------------------------------------------------------------------------
# draws
@pytest.mark.parametrize("name", sorted(VARIANCE))
def test_draws_have_the_promised_shape_and_std(name):
    fan_in, fan_out = 400, 300
    W = init.initialize(name, fan_in, fan_out, rng=1)
    assert W.shape == (fan_in, fan_out) and W.dtype == np.float64
    want = init.std_of(name, fan_in, fan_out)
    if want == 0:
        assert not W.any()
    else:
        assert W.std() == pytest.approx(want, rel=0.01), f"{name}: empirical std {W.std():.5f}, promised {want:.5f}"
        assert abs(W.mean()) < 0.01 * want


@pytest.mark.parametrize("name", ["glorot_uniform", "he_uniform", "lecun_uniform", "standard"])
def test_uniform_draws_stay_inside_the_limit(name):
    W = init.initialize(name, 200, 100, rng=2)
    limit = math.sqrt(3.0) * init.std_of(name, 200, 100)
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit, "a uniform draw of 20000 numbers should come close to its limit"


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal"])
def test_normal_draws_are_truncated_at_two_scales_like_keras(name):
    W = init.initialize(name, 300, 300, rng=3)
    scale = init.std_of(name, 300, 300) / init.TRUNCATED_NORMAL_STD
    assert np.abs(W).max() <= 2.0 * scale
    assert np.abs(W).max() > 1.98 * scale
    # the truncation constant is the std of N(0, 1) cut at ±2
    assert init.TRUNCATED_NORMAL_STD == pytest.approx(stats.truncnorm(-2, 2).std(), rel=1e-12)


def test_float_std_is_an_untruncated_normal():
    W = init.initialize(0.1, 500, 500, rng=4)
    assert W.std() == pytest.approx(0.1, rel=0.01)
    assert np.abs(W).max() > 0.4, "a plain normal has tails beyond 2 std (the truncated ones do not)"


@pytest.mark.parametrize("fans", [(64, 64), (128, 32), (32, 128)])
def test_orthogonal_has_orthonormal_columns_or_rows(fans):
    W = init.initialize("orthogonal", *fans, rng=5)
    small = min(fans)
    gram = W.T @ W if fans[0] >= fans[1] else W @ W.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_same_seed_same_draw_and_generators_advance():
    a = init.initialize("he_normal", 50, 40, rng=7)
    b = init.initialize("he_normal", 50, 40, rng=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, init.initialize("he_normal", 50, 40, rng=8))
    gen = np.random.default_rng(7)
    first, second = init.initialize("he_normal", 50, 40, gen), init.initialize("he_normal", 50, 40, gen)
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(first, second), "a Generator is advanced in place"


# ---------------------------------------------------------------------------------------------
# errors
def test_unknown_initializer_suggests_the_closest_and_lists_all():
    with pytest.raises(ValueError) as info:
        init.initialize("he_norm", 10, 10)
    msg = str(info.value)
    assert msg.startswith("actlib.init.initialize: unknown initializer 'he_norm'. Did you mean 'he_normal'")
    assert "Known: " in msg and all(n in msg for n in init.INITIALIZERS)


@pytest.mark.parametrize("fan", [0, -3, 2.5, True, "10", None])
def test_bad_fans_are_rejected(fan):
    with pytest.raises(ValueError, match=r"actlib.init.initialize: fan_in must be a positive int"):
        init.initialize("he_normal", fan, 10)
    with pytest.raises(ValueError, match=r"actlib.init.std_of: fan_out must be a positive int"):
        init.std_of("he_normal", 10, fan)


@pytest.mark.parametrize("bad, error", [(-0.1, ValueError), (math.inf, ValueError), (None, TypeError), ([0.1], TypeError), (True, TypeError)])
def test_bad_initializer_values_are_rejected(bad, error):
    with pytest.raises(error, match=r"actlib\.init\.initialize"):
        init.initialize(bad, 10, 10)


def test_bad_rng_is_rejected():
    with pytest.raises(TypeError, match="rng must be a non-negative int seed"):
        init.initialize("he_normal", 10, 10, rng="seed")


# ---------------------------------------------------------------------------------------------
# quadrature and gains
def _quad(fn):
    """E[fn(z)], z ~ N(0, 1), by adaptive quadrature (an independent oracle), split at 0."""
    pdf = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return sum(integrate.quad(lambda z: float(fn(np.array(z))) * pdf(z), a, b, limit=400, epsabs=1e-15, epsrel=1e-13)[0] for a, b in [(-40, 0), (0, 40)])


def test_half_line_gauss_rule_is_exact_for_monomials():
    for n in (60, 150):
        x, w = init._half_line_rule(n)
        assert np.all(x > 0) and w.sum() == pytest.approx(0.5, rel=1e-15)
        for k in range(2 * n):
            exact = (k / 2) * math.log(2) + special.gammaln((k + 1) / 2) - math.log(2 * math.sqrt(math.pi))
            logs = np.log(w) + k * np.log(x)
            got = logs.max() + math.log(np.exp(logs - logs.max()).sum())
            assert abs(math.expm1(got - exact)) < 1e-12, f"n = {n}: the moment of degree {k} is off"


@pytest.mark.parametrize("method", ["hermite", "legendre"])
def test_gaussian_expectation_of_polynomials_and_kinks(method):
    for q in (0.3, 1.0, 4.0):
        assert init.gaussian_expectation(lambda y: y**4, q, method=method) == pytest.approx(3 * q * q, rel=1e-12)
        assert init.gaussian_expectation(lambda y: np.maximum(y, 0.0), q, method=method) == pytest.approx(math.sqrt(q / (2 * math.pi)), rel=1e-12)
        assert init.gaussian_expectation(lambda y: np.abs(y) ** 3, q, method=method) == pytest.approx(2 * math.sqrt(2 / math.pi) * q**1.5, rel=1e-12)
    assert init.gaussian_expectation(np.cos, 0.0, method=method) == 1.0  # q = 0: the value at 0


def test_gaussian_expectation_at_large_variance_and_shifted_kinks():
    # E[sech⁴(y)] for y ~ N(0, 1000): a spike much narrower than the Gaussian
    want = _quad(lambda z: 1 / np.cosh(np.clip(math.sqrt(1000) * z, -150, 150)) ** 4)
    assert init.gaussian_expectation(lambda y: 1 / np.cosh(np.clip(y, -150, 150)) ** 4, 1000.0) == pytest.approx(want, rel=1e-9)
    # a kink away from 0: E[max(y − 1, 0)] = φ(1) − (1 − Φ(1))
    want = stats.norm.pdf(1) - stats.norm.sf(1)
    assert init.gaussian_expectation(lambda y: np.maximum(y - 1, 0), kinks=(1.0,)) == pytest.approx(want, rel=1e-12)


def test_gaussian_expectation_errors():
    with pytest.raises(ValueError, match="method must be"):
        init.gaussian_expectation(np.sin, method="simpson")
    with pytest.raises(ValueError, match="variance must be >= 0"):
        init.gaussian_expectation(np.sin, -1.0)
    with pytest.raises(TypeError, match="fn must be a function"):
        init.gaussian_expectation(3.0)
    with pytest.raises(ValueError, match="splits at 0 only"):
        init.gaussian_expectation(np.sin, kinks=(1.0,), method="hermite")


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_second_moment_matches_adaptive_quadrature(name):
    act = actlib.get(name)
    want = _quad(lambda z: act(z) ** 2)
    assert init.second_moment(name) == pytest.approx(want, rel=1e-11)
    assert init.gain(name) == pytest.approx(1 / math.sqrt(want), rel=1e-11)


def test_gains_against_closed_forms():
    assert init.gain("relu") == pytest.approx(math.sqrt(2), rel=1e-13)  # He: g² = 2
    assert init.gain("linear") == pytest.approx(1.0, rel=1e-13)
    for alpha in (0.01, 0.2, 0.5):
        assert init.gain("leaky_relu", alpha=alpha) == pytest.approx(math.sqrt(2 / (1 + alpha**2)), rel=1e-13)
    assert init.gain(actlib.get("prelu", alpha=0.25)) == pytest.approx(math.sqrt(2 / (1 + 0.25**2)), rel=1e-13)
    # SELU's λ and α are chosen so that E[selu(z)²] = 1: LeCun's variance 1/fan_in is its gain
    assert init.gain("selu") == pytest.approx(1.0, abs=1e-9)
    assert init.second_moment("relu", 3.0) == pytest.approx(1.5, rel=1e-13)


def test_tanh_gain_differs_from_the_table_heuristic():
    g = init.gain("tanh")
    assert g == pytest.approx(1.5925, abs=5e-4)
    assert init.TABLE_GAINS["tanh"] == pytest.approx(5 / 3)
    assert 0.04 < init.TABLE_GAINS["tanh"] / g - 1 < 0.06, "5/3 is about 5% above the variance-preserving gain"
    # where the table agrees with quadrature, and where it does not
    for name in ("linear", "relu", "leaky_relu"):
        assert init.gain(name) == pytest.approx(init.TABLE_GAINS[name], rel=1e-12)
    assert init.gain("sigmoid") > 1.8 > init.TABLE_GAINS["sigmoid"], "sigmoid's mean 1/2 adds to E[σ(z)²]; the table ignores it"


def test_gain_errors():
    with pytest.raises(ValueError, match="vector function"):
        init.gain("softmax")
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        init.gain("rellu")
    with pytest.raises(TypeError, match=r"actlib\.init\.second_moment"):
        init.gain("relu", beta=2.0)


# ---------------------------------------------------------------------------------------------
# Keras
def _keras_draw(keras, name, shape, seed=0):
    initializer = type(keras.initializers.get(name))(seed=seed)  # the class Keras uses for the name, seeded
    return np.asarray(keras.ops.convert_to_numpy(initializer(shape=shape, dtype="float32")), dtype=np.float64)


@pytest.mark.keras
@pytest.mark.parametrize("name", KERAS_NAMES)
def test_std_matches_keras_initializers(name, keras):
    shape = (300, 200)
    W = _keras_draw(keras, name, shape)
    assert W.std() == pytest.approx(init.std_of(name, *shape), rel=0.02), f"Keras' {name} has std {W.std():.5f}"


@pytest.mark.keras
@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal", "glorot_uniform", "he_uniform"])
def test_same_distribution_as_keras(name, keras):
    """Two-sample Kolmogorov–Smirnov test: ours and Keras' draws come from one distribution."""
    shape = (256, 128)
    ours = init.initialize(name, *shape, rng=0).ravel()
    theirs = _keras_draw(keras, name, shape).ravel()
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3, f"{name}: our draws and Keras' differ in distribution"
    if name.endswith("normal"):  # both truncated at the same two scales
        cut = 2.0 * init.std_of(name, *shape) / init.TRUNCATED_NORMAL_STD
        assert np.abs(theirs).max() <= cut * (1 + 1e-6) and np.abs(theirs).max() > 0.98 * cut


@pytest.mark.keras
def test_keras_orthogonal_is_orthogonal_like_ours(keras):
    W = _keras_draw(keras, "orthogonal", (64, 32))
    np.testing.assert_allclose(W.T @ W, np.eye(32), atol=1e-5)


@pytest.mark.keras
def test_every_recommended_initializer_is_known_here_and_to_keras(keras):
    for name in ELEMENTWISE:
        rec = actlib.get(name).init
        assert rec in init.INITIALIZERS, f"{name}'s recommended initializer {rec!r} is unknown to actlib.init"
        keras.initializers.get(rec)


def test_selu_constants_make_the_gain_one():
    """SELU's fixed point by construction: E[selu(z)] = 0 and E[selu(z)²] = 1 for z ~ N(0, 1)."""
    mean = init.gaussian_expectation(actlib.get("selu"))
    assert abs(mean) < 1e-9
    assert SELU_LAMBDA**2 * (0.5 + SELU_ALPHA**2 * (math.exp(2) * stats.norm.cdf(-2) - 2 * math.exp(0.5) * stats.norm.cdf(-1) + 0.5)) == pytest.approx(1.0, abs=1e-9)
