"""actlib.simulate: deep-stack statistics (against closed forms and mean-field theory) and the mean-field tools."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy import integrate, stats

import actlib
from actlib import simulate as S
from actlib.activations import SELU_ALPHA, SELU_LAMBDA

RELU_STD_UNIT = math.sqrt(0.5 - 0.5 / math.pi)  # std of relu(z), z ~ N(0, 1)
PER_LAYER = ("preact_std", "act_mean", "act_std", "act_std_within", "act_mean_spread", "grad_std", "grad_act_std",
             "weight_grad_std", "saturated_fraction", "dead_fraction")


# ---------------------------------------------------------------------------------------------
# deep_stack: shape of the result
def test_result_has_one_entry_per_layer_and_is_immutable():
    s = S.deep_stack("tanh", "glorot_uniform", depth=7, width=32, n_samples=50)
    for name in PER_LAYER:
        arr = getattr(s, name)
        assert arr.shape == (7,), name
        assert not arr.flags.writeable, f"{name} should be read-only"
    assert s.layers.tolist() == list(range(1, 8))
    assert s.activations is None and s.weights is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.depth = 3
    assert "tanh" in repr(s) and "glorot_uniform" in repr(s)


def test_keep_activations_returns_the_arrays_behind_the_statistics():
    s = S.deep_stack("relu", "he_normal", depth=4, width=16, n_samples=30, input_dim=8, keep_activations=True)
    assert [a.shape for a in s.activations] == [(30, 16)] * 4
    assert [z.shape for z in s.preactivations] == [(30, 16)] * 4
    assert [g.shape for g in s.gradients] == [(30, 16)] * 4
    assert [w.shape for w in s.weights] == [(8, 16)] + [(16, 16)] * 3
    for k in range(4):
        np.testing.assert_allclose(s.act_std[k], s.activations[k].std(dtype=np.float64), rtol=1e-6)
        np.testing.assert_allclose(s.grad_std[k], s.gradients[k].std(dtype=np.float64), rtol=1e-6)
        np.testing.assert_allclose(s.activations[k], np.maximum(s.preactivations[k], 0))


def test_same_seed_same_numbers_and_common_weights_across_activations():
    a = S.deep_stack("tanh", "he_normal", 6, 32, 100, rng=3)
    b = S.deep_stack("tanh", "he_normal", 6, 32, 100, rng=3)
    for name in PER_LAYER:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.act_std, S.deep_stack("tanh", "he_normal", 6, 32, 100, rng=4).act_std)
    # the first layer's pre-activations depend only on inputs and weights: equal for any activation
    c = S.deep_stack("relu", "he_normal", 6, 32, 100, rng=3)
    assert a.preact_std[0] == c.preact_std[0]
    gen = np.random.default_rng(3)
    np.testing.assert_array_equal(S.deep_stack("tanh", "he_normal", 6, 32, 100, rng=gen).act_std, a.act_std)


# ---------------------------------------------------------------------------------------------
# deep_stack against closed forms
def test_he_relu_closed_forms():
    """He init, unit-variance inputs: z₁ ~ N(0, 2), so std(relu(z₁)) = √2·√(1/2 − 1/(2π)) = √(1 − 1/π),
    and E[relu(z)²] = 1 keeps z ~ N(0, 2) at every layer (in expectation over the weights)."""
    s = S.deep_stack("relu", "he_normal", depth=10, width=1024, n_samples=2000, rng=0)
    assert s.preact_std[0] == pytest.approx(math.sqrt(2), rel=0.02)
    assert s.act_std[0] == pytest.approx(math.sqrt(1 - 1 / math.pi), rel=0.02)
    assert s.act_std[0] == pytest.approx(math.sqrt(2) * RELU_STD_UNIT, rel=0.02)
    assert s.act_mean[0] == pytest.approx(math.sqrt(2) / math.sqrt(2 * math.pi), rel=0.02)  # E[relu(z)] = σ/√(2π)
    assert s.saturated_fraction[0] == pytest.approx(0.5, abs=0.01), "ReLU is flat for half of its inputs"
    # deeper layers: each layer keeps q in expectation (q_{l+1}/q_l averages to 1; a single finite
    # stack drifts like a random walk in log q, so average the per-layer ratios over layers and seeds)
    ratios = [np.diff(np.log(S.deep_stack("relu", "he_normal", 10, 512, 500, rng=seed).preact_std ** 2)) for seed in range(6)]
    assert np.mean(np.exp(ratios)) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_glorot_shrinks_a_deep_relu_stack_by_about_two_to_the_fifteen(seed):
    """He et al. 2015: with Glorot's variance (1/n for square layers), each ReLU layer halves q."""
    s = S.deep_stack("relu", "glorot_uniform", depth=30, width=256, n_samples=500, rng=seed)
    shrink = -math.log2(s.preact_std[-1])  # input std is 1; exactly 14.5 in expectation (q₁ = 1, q₃₀ = 2⁻²⁹)
    assert 13.0 < shrink < 17.0
    he = S.deep_stack("relu", "he_normal", depth=30, width=256, n_samples=500, rng=seed)
    assert abs(math.log2(he.preact_std[-1])) < 2.0


def test_linear_orthogonal_preserves_norms_exactly():
    s = S.deep_stack("linear", "orthogonal", depth=20, width=64, n_samples=200, rng=1, precision="float64", keep_activations=True)
    norms = [np.linalg.norm(z) for z in s.preactivations]
    grads = [np.linalg.norm(g) for g in s.gradients]
    np.testing.assert_allclose(norms, norms[0], rtol=1e-10)
    np.testing.assert_allclose(grads, grads[-1], rtol=1e-10)


def test_zero_init_keeps_every_unit_identical():
    """Symmetry: with zero weights every unit computes the same thing and nothing flows down."""
    s = S.deep_stack("tanh", "zeros", depth=4, width=8, n_samples=20, keep_activations=True)
    assert not np.any(s.act_std) and not np.any(s.grad_std[:-1]) and not np.any(s.weight_grad_std)
    assert s.grad_std[-1] > 0.5  # the top layer's gradient is the noise times tanh'(0) = 1
    r = S.deep_stack("relu", "zeros", depth=3, width=8, n_samples=20)
    np.testing.assert_array_equal(r.dead_fraction, 1.0)


def test_dead_units_from_unstandardised_inputs():
    """Inputs with mean 5 give each unit a large random offset 5·Σw ~ N(0, 50): where it is below about
    −4 (P ≈ 0.28), the unit's noise (std √2) never lifts it above 0, and the ReLU never fires."""
    s = S.deep_stack("relu", "he_normal", depth=3, width=256, n_samples=500, input_mean=5.0)
    assert 0.2 < s.dead_fraction[0] < 0.4
    assert S.deep_stack("relu", "he_normal", 3, 256, 500).dead_fraction[0] == 0.0
    assert S.deep_stack("tanh", "he_normal", 3, 256, 500, input_mean=5.0).dead_fraction[0] == 0.0


def test_saturation_of_sigmoid_with_large_weights():
    big = S.deep_stack("sigmoid", 1.0, depth=3, width=256, n_samples=300)
    small = S.deep_stack("tanh", "lecun_normal", depth=3, width=256, n_samples=300)
    assert big.saturated_fraction[-1] > 0.5
    assert small.saturated_fraction[0] < 0.02
    assert S.deep_stack("linear", "he_normal", 3, 32, 50).saturated_fraction.max() == 0.0


def test_pooled_std_decomposes_into_within_unit_and_between_unit_parts():
    s = S.deep_stack("selu", "lecun_normal", depth=5, width=64, n_samples=400, input_mean=2.0, keep_activations=True)
    for k in range(5):
        a = s.activations[k].astype(np.float64)
        np.testing.assert_allclose(s.act_std[k] ** 2, a.var(axis=0).mean() + a.mean(axis=0).var(), rtol=1e-9)
        np.testing.assert_allclose(s.act_mean_spread[k], a.mean(axis=0).std(), rtol=1e-9)
        np.testing.assert_allclose(s.act_std_within[k], a.std(axis=0).mean(), rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# SELU self-normalisation (Klambauer et al. 2017)
@pytest.mark.parametrize("input_std", [0.5, 1.0, 2.0])
def test_selu_with_lecun_normal_converges_to_mean_0_variance_1(input_std):
    s = S.deep_stack("selu", "lecun_normal", depth=40, width=256, n_samples=500, input_std=input_std, rng=1)
    assert abs(s.act_mean[-1]) < 0.1
    assert s.act_std[-1] == pytest.approx(1.0, abs=0.1)


def test_what_breaks_selu():
    he = S.deep_stack("selu", "he_normal", depth=30, width=256, n_samples=500)
    assert he.act_std[-1] > 3.0, "He's doubled variance makes SELU's variance grow layer after layer"
    drop = S.deep_stack("selu", "lecun_normal", depth=30, width=256, n_samples=500, dropout=0.2)
    assert drop.act_std[-1] > 1.25, "inverted dropout divides the second moment by 1 − rate: the variance settles above 1"
    alpha = S.deep_stack("selu", "lecun_normal", depth=30, width=256, n_samples=500, dropout=0.2, dropout_type="alpha")
    assert alpha.act_std[-1] == pytest.approx(1.0, abs=0.1) and abs(alpha.act_mean[-1]) < 0.1


# ---------------------------------------------------------------------------------------------
# precision
def test_exploding_and_vanishing_stacks_are_measured_in_float64():
    boom = S.deep_stack("relu", 3.0, depth=50, width=256, n_samples=200)
    assert boom.precision == "float64" and np.all(np.isfinite(boom.act_std))
    assert boom.act_std[-1] > 1e60
    forced = S.deep_stack("relu", 3.0, depth=50, width=256, n_samples=200, precision="float32")
    assert not np.all(np.isfinite(forced.act_std)), "float32 overflows past 3.4e38, as Keras would"
    tiny = S.deep_stack("sigmoid", "standard", depth=50, width=128, n_samples=200)
    assert tiny.precision == "float64" and 0 < tiny.grad_std[0] < 1e-30
    assert S.deep_stack("tanh", "lecun_normal", 10, 64, 100).precision == "float32"


# ---------------------------------------------------------------------------------------------
# deep_stack errors
@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(activation="rellu"), ValueError, "Did you mean 'relu'"),
        (dict(activation="softmax"), ValueError, "vector function"),
        (dict(init="he_norm"), ValueError, "actlib.simulate.deep_stack: unknown initializer 'he_norm'. Did you mean 'he_normal'"),
        (dict(init=None), TypeError, "initializer name"),
        (dict(depth=0), ValueError, "depth must be a positive int"),
        (dict(width=2.5), ValueError, "width must be a positive int"),
        (dict(n_samples=-1), ValueError, "n_samples must be a positive int"),
        (dict(input_std=-1.0), ValueError, "input_std must be >= 0"),
        (dict(dropout=1.0), ValueError, "dropout must be < 1"),
        (dict(dropout_type="gaussian"), ValueError, "dropout_type must be"),
        (dict(precision="half"), ValueError, "precision must be"),
        (dict(rng="seed"), TypeError, "rng must be"),
    ],
)
def test_deep_stack_rejects_bad_arguments(kwargs, error, pattern):
    args = dict(activation="relu", init="he_normal", depth=3, width=8) | kwargs
    with pytest.raises(error, match=pattern.replace("(", r"\(").replace(".", r"\.")):
        S.deep_stack(**args)


# ---------------------------------------------------------------------------------------------
# atlas
def test_atlas_shapes_records_and_agreement_with_deep_stack():
    acts, inits, depths = ["relu", "tanh", "selu"], ["he_normal", "glorot_uniform"], [20]
    a = S.atlas(acts, inits, depths, width=64, n_samples=128, rng=5)
    assert a.act_std.shape == a.grad_ratio.shape == (3, 2, 1)
    recs = a.records()
    assert len(recs) == 6 and set(recs[0]) == {"activation", "init", "depth", "act_std", "preact_std", "grad_ratio", "dead_fraction"}
    for i, act in enumerate(acts):
        for j, w in enumerate(inits):
            s = S.deep_stack(act, w, 20, 64, 128, rng=5)
            assert a.act_std[i, j, 0] == pytest.approx(s.act_std[-1], rel=1e-6)
            assert a.grad_ratio[i, j, 0] == pytest.approx(s.grad_ratio, rel=1e-6)


def test_atlas_tells_good_pairs_from_bad():
    a = S.atlas(["relu", "tanh"], ["he_normal", "glorot_uniform", "standard"], [5, 40], width=128, n_samples=256)
    relu_he, relu_glorot = a.act_std[0, 0, -1], a.act_std[0, 1, -1]
    assert relu_glorot < 1e-3 * relu_he
    tanh_standard = a.grad_ratio[1, 2, -1]
    assert tanh_standard < 1e-6, "Glorot & Bengio's 'standard' init makes tanh gradients vanish"
    with pytest.raises(ValueError, match="at least one"):
        S.atlas([], ["he_normal"], [5])
    with pytest.raises(ValueError, match="each depth must be a positive int"):
        S.atlas(["relu"], ["he_normal"], [0])


# ---------------------------------------------------------------------------------------------
# mean-field: variance map and q*
def test_fixed_points_against_closed_forms():
    for wv, bv in [(1.0, 0.5), (1.5, 0.2), (0.5, 1.0)]:
        assert S.fixed_point_variance("relu", wv, bv) == pytest.approx(bv / (1 - wv / 2), rel=1e-12)
        assert S.fixed_point_variance("linear", wv / 2, bv) == pytest.approx(bv / (1 - wv / 2), rel=1e-12)
    # ReLU at σ_w² = 2, σ_b² = 0: every q is a fixed point (He's init keeps any input scale)
    assert S.fixed_point_variance("relu", 2.0, 0.0) == pytest.approx(1.0, rel=1e-12)
    assert S.fixed_point_variance("relu", 2.0, 0.0, q0=3.0) == pytest.approx(3.0, rel=1e-12)
    # SELU with LeCun's variance: q* = 1 by construction
    assert S.fixed_point_variance("selu", 1.0, 0.0) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("wv", [0.3, 0.9, 1.0])
def test_tanh_below_criticality_loses_its_signal(wv):
    assert S.fixed_point_variance("tanh", wv, 0.0) == 0.0


@pytest.mark.parametrize("act, wv, bv", [("tanh", 2.0, 0.0), ("tanh", 1.5, 0.1), ("sigmoid", 4.0, 0.0), ("gelu", 1.0, 0.3), ("elu", 1.5, 0.05)])
def test_fixed_point_is_a_fixed_point(act, wv, bv):
    q = S.fixed_point_variance(act, wv, bv)
    assert q > 0
    assert S.variance_map(act, q, wv, bv) == pytest.approx(q, rel=1e-11)
    traj = S.variance_trajectory(act, wv, bv, q0=5.0, depth=400)
    assert traj.shape == (401,) and traj[-1] == pytest.approx(q, rel=1e-3), "iterating the map approaches q*"


def test_divergence_is_an_error_that_explains():
    with pytest.raises(ValueError, match=r"diverges.*relu.*σ_w² = 3.*multiplies it by about 1\.5"):
        S.fixed_point_variance("relu", 3.0, 0.0)
    with pytest.raises(ValueError, match="diverges"):
        S.fixed_point_variance("relu", 2.0, 0.1)  # q grows by σ_b² every layer


def test_variance_map_vectorises():
    q = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(S.variance_map("relu", q, 2.0, 0.1), q + 0.1, rtol=1e-13)
    with pytest.raises(ValueError, match="q must be finite and >= 0"):
        S.variance_map("relu", -1.0, 2.0)


def test_simulation_follows_the_variance_map():
    """A wide random stack's q_l matches the mean-field trajectory (tanh, σ_w² = 2.5, σ_b² = 0.1)."""
    wv, bv, width = 2.5, 0.1, 1024
    s = S.deep_stack("tanh", math.sqrt(wv / width), depth=12, width=width, n_samples=1000, input_std=0.5, bias_std=math.sqrt(bv))
    traj = S.variance_trajectory("tanh", wv, bv, q0=wv * 0.25 + bv, depth=11)
    np.testing.assert_allclose(s.preact_std**2, traj, rtol=0.08)


# ---------------------------------------------------------------------------------------------
# mean-field: χ₁, the edge of chaos, correlations
def test_chi1_closed_forms():
    assert S.chi1("relu", 2.0) == pytest.approx(1.0, rel=1e-13)
    assert S.chi1("relu", 1.2, 0.3) == pytest.approx(0.6, rel=1e-13)  # σ_w²/2 whatever q*
    assert S.chi1("tanh", 0.7) == pytest.approx(0.7, rel=1e-12)  # q* = 0: σ_w² tanh'(0)²
    assert S.chi1("linear", 1.3, q=5.0) == pytest.approx(1.3, rel=1e-13)
    # SELU with LeCun (q* = 1): λ²/2 + λ²α² e² Φ(−2), slightly chaotic
    want = SELU_LAMBDA**2 * (0.5 + SELU_ALPHA**2 * math.exp(2) * stats.norm.cdf(-2))
    assert S.chi1("selu", 1.0) == pytest.approx(want, rel=1e-9)
    assert want > 1.0


def test_critical_weight_variance_closed_forms():
    assert S.critical_weight_variance("relu", 0.0) == pytest.approx(2.0, rel=1e-10)  # He
    assert S.critical_weight_variance("relu", 0.2) == pytest.approx(2.0, rel=1e-10)  # reached only as q* → ∞
    assert S.critical_weight_variance("tanh", 0.0) == pytest.approx(1.0, rel=1e-6)  # LeCun
    assert S.critical_weight_variance("linear", 0.0) == pytest.approx(1.0, rel=1e-10)
    assert S.critical_weight_variance("leaky_relu", 0.0) == pytest.approx(2 / (1 + 0.01**2), rel=1e-10)
    # SELU at σ_b² = 0: q* → 0, where E[selu'²] → λ²(1 + α²)/2
    assert S.critical_weight_variance("selu", 0.0) == pytest.approx(2 / (SELU_LAMBDA**2 * (1 + SELU_ALPHA**2)), rel=1e-8)


def test_tanh_critical_line_rises_with_bias_variance():
    bvs = [0.0, 0.01, 0.05, 0.1, 0.2]
    crit = [S.critical_weight_variance("tanh", bv) for bv in bvs]
    assert all(a < b for a, b in itertools.pairwise(crit))
    for bv, wv in zip(bvs[1:], crit[1:], strict=True):
        assert S.chi1("tanh", wv, bv) == pytest.approx(1.0, abs=1e-9)
        assert 0 < S.fixed_point_variance("tanh", wv, bv) < wv + bv


def test_no_edge_of_chaos_is_an_error():
    with pytest.raises(ValueError, match="no edge of chaos with a finite q\\* for gelu"):
        S.critical_weight_variance("gelu", 0.0)
    with pytest.raises(ValueError, match="does not cross 1"):
        S.critical_weight_variance("tanh", 0.0, bounds=(0.1, 0.5))


def _direct_correlation(act, q, c):
    """E[f(u₁)f(u₂)] by nested adaptive quadrature (an independent oracle)."""
    f, s = actlib.get(act), math.sqrt(1 - c * c)
    pdf = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    def inner(z1):
        return integrate.quad(lambda z2: float(f(math.sqrt(q) * (c * z1 + s * z2))) * pdf(z2), -14, 14, points=[-c * z1 / s], limit=200, epsabs=1e-13)[0]

    return integrate.quad(lambda z1: float(f(math.sqrt(q) * z1)) * inner(z1) * pdf(z1), -14, 14, points=[0.0], limit=200, epsabs=1e-12)[0]


def test_correlation_map_against_closed_form_and_direct_integration():
    wv, bv = 1.5, 0.5
    q = S.fixed_point_variance("relu", wv, bv)
    for c in (-0.5, 0.0, 0.5, 0.9):
        arccos = q / (2 * math.pi) * (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c)  # E[relu(u₁)relu(u₂)]
        assert S.correlation_map("relu", c, wv, bv) == pytest.approx((wv * arccos + bv) / q, abs=1e-9)
    q = S.fixed_point_variance("tanh", 2.0, 0.1)
    want = (2.0 * _direct_correlation("tanh", q, 0.6) + 0.1) / q
    assert S.correlation_map("tanh", 0.6, 2.0, 0.1) == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(S.correlation_map("tanh", np.array([1.0]), 2.0, 0.1), [1.0], rtol=1e-9)
    with pytest.raises(ValueError, match="between -1 and 1"):
        S.correlation_map("tanh", 1.5, 2.0, 0.1)
    with pytest.raises(ValueError, match="q\\* = 0"):
        S.correlation_map("tanh", 0.5, 0.5, 0.0)


def test_correlation_fixed_point_and_depth():
    assert S.correlation_fixed_point("tanh", 1.2, 0.2) == 1.0  # ordered
    assert S.correlation_fixed_point("tanh", 4.0, 0.0) == pytest.approx(0.0, abs=1e-12)  # chaotic, odd f, no bias
    c = S.correlation_fixed_point("tanh", 4.0, 0.2)
    assert 0 < c < 1 and S.correlation_map("tanh", c, 4.0, 0.2) == pytest.approx(c, abs=1e-10)
    # ξ_c: −1/ln χ₁ in the ordered phase, infinite on the edge of chaos
    assert S.correlation_depth("relu", 1.0, 0.5) == pytest.approx(1 / math.log(2), rel=1e-12)
    assert S.correlation_depth("relu", 2.0, 0.0) == math.inf
    assert S.correlation_depth("tanh", 1.0, 0.0) == math.inf
    crit = S.critical_weight_variance("tanh", 0.05)
    xs = [S.correlation_depth("tanh", wv, 0.05) for wv in (0.5, 1.0, 0.95 * crit, 1.05 * crit, 2.5, 4.0)]
    assert all(0 < x < math.inf for x in xs)
    assert xs[0] < xs[1] < xs[2] and xs[3] > xs[4] > xs[5], "ξ_c grows towards the critical line from both sides"
    with pytest.raises(ValueError, match="diverges"):
        S.correlation_depth("relu", 3.0, 0.0)


def test_phase_diagram_is_consistent_with_the_pointwise_tools():
    wvs, bvs = np.array([0.5, 1.0, 2.0, 3.0]), np.array([0.0, 0.1])
    pd = S.phase_diagram("tanh", wvs, bvs)
    assert pd.q_star.shape == pd.chi1.shape == pd.xi_c.shape == (2, 4) and pd.critical.shape == (2,)
    assert pd.xi_c[0, 1] == math.inf
    assert pd.q_star[1, 2] == pytest.approx(S.fixed_point_variance("tanh", 2.0, 0.1), rel=1e-12)
    assert pd.xi_c[1, 3] == pytest.approx(S.correlation_depth("tanh", 3.0, 0.1), rel=1e-9)
    assert pd.critical[1] == pytest.approx(S.critical_weight_variance("tanh", 0.1), rel=1e-8)
    with pytest.raises(ValueError, match="weight_variances must be"):
        S.phase_diagram("tanh", [], [0.0])


def test_mean_field_argument_errors():
    with pytest.raises(ValueError, match="weight_variance must be >= 0"):
        S.fixed_point_variance("tanh", -1.0, 0.0)
    with pytest.raises(TypeError, match="bias_variance must be a real number"):
        S.chi1("tanh", 1.0, "0.1")
    with pytest.raises(ValueError, match="vector function"):
        S.critical_weight_variance("softmax", 0.0)
