"""actlib against Keras/TensorFlow: forward values, tf.GradientTape derivatives, identifiers, initializers.

Keras computes in float32, so the comparisons are float32-sized (1e−6 relative and absolute), made
against actlib in float64 at the same (float32) inputs. Keras is imported once per session through
``actlib.keras()`` (the ``keras`` fixture in conftest.py), and every test here is skipped with a
message when TensorFlow is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from _actlib_cases import ACTIVATIONS, ELEMENTWISE, KINK_CONVENTIONS, each

import actlib

pytestmark = pytest.mark.keras

#: float32 inputs: a dense stretch, the kink 0 and its neighbours, the tails.
X32 = np.concatenate([np.linspace(-8.0, 8.0, 161), [-30.0, -20.0, -12.0, -1e-3, -1e-6, 0.0, 1e-6, 1e-3, 12.0, 20.0, 30.0]]).astype(np.float32)
RTOL = ATOL = 1e-6
KINKED = [a for a in ELEMENTWISE if a.kinks]


def _as_numpy(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def _apply(fn_or_layer, x, keras):
    """A Keras activation function or layer applied to a (1, N) float32 tensor."""
    xt = keras.ops.convert_to_tensor(x.reshape(1, -1))
    return _as_numpy(fn_or_layer(xt)).reshape(x.shape)


def _tape_grad(fn, x, tf):
    """d fn(x)_i / d x_i for an elementwise fn, from tf.GradientTape."""
    xt = tf.constant(x.reshape(1, -1))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt)
    return tape.gradient(y, xt).numpy().reshape(x.shape)


def _eval_keras_code(act, keras, xt):
    """``act.keras_code`` evaluated with ``keras`` and ``x`` in scope (a layer is called on x)."""
    result = eval(act.keras_code, {"keras": keras, "x": xt})  # the record's own spelling, as a lesson would type it
    if isinstance(result, keras.layers.Layer):
        result = result(xt)
    return _as_numpy(result)


# ---------------------------------------------------------------------------------------------
# forward
@each(ELEMENTWISE)
def test_forward_matches_keras_function(act, keras):
    want = act(X32.astype(np.float64))
    got = _apply(act.keras_function(), X32, keras)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=f"{act.label} vs its keras_function()")


@each(ELEMENTWISE)
def test_keras_code_evaluates_to_the_same(act, keras):
    xt = keras.ops.convert_to_tensor(X32.reshape(1, -1))
    got = _eval_keras_code(act, keras, xt).reshape(X32.shape)
    np.testing.assert_allclose(got, act(X32.astype(np.float64)), rtol=RTOL, atol=ATOL, err_msg=f"{act.label}: {act.keras_code}")


def test_float32_in_float32_out_like_keras(keras):
    for act in ELEMENTWISE:
        ours = act(X32)
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, _apply(act.keras_function(), X32, keras), rtol=2e-6, atol=2e-6, err_msg=act.label)


# ---------------------------------------------------------------------------------------------
# derivatives: tf.GradientTape
@each(ELEMENTWISE)
def test_grad_matches_gradient_tape(act, keras, tf):
    """TensorFlow differentiates tanh as 1 − tanh² in float32: where tanh saturates that leaves an
    absolute error of a few eps32 (1.2e−7), multiplied by the chain-rule factor x·u' in mish and in
    the tanh form of GELU (mish'(8) comes out as exactly 1.0 instead of 1.0000034). Hence an
    absolute tolerance growing like 1e−6·(1 + |x|); actlib's own values are checked against the
    50-digit oracle in test_values.py."""
    got = _tape_grad(act.keras_function(), X32, tf)
    want = act.grad(X32.astype(np.float64))
    atol = ATOL * (1 + np.abs(X32.astype(np.float64)))
    bad = np.abs(got - want) > RTOL * np.abs(want) + atol
    assert not bad.any(), f"{act.label}: tf.GradientTape vs grad at x = {X32[bad]}: TensorFlow {got[bad]}, actlib {want[bad]}"


@each(KINKED)
def test_kink_convention_is_tensorflows(act, keras, tf):
    """At x = 0 exactly, tf.GradientTape through the record's Keras function gives actlib's documented value."""
    x = np.array([-0.0, 0.0], dtype=np.float32)
    got = _tape_grad(act.keras_function(), x, tf)
    np.testing.assert_array_equal(got, act.grad(x), err_msg=f"{act.label}'(0): TensorFlow {got}, actlib {act.grad(x)}")
    value, _ = KINK_CONVENTIONS[act.name]
    np.testing.assert_allclose(got, value(**act.params), rtol=1e-7)


@pytest.mark.parametrize(
    ("call", "want"),
    [
        ("tf.nn.relu(x)", 0.0),
        ("tf.nn.leaky_relu(x, alpha=0.2)", 0.2),
        ("tf.nn.elu(x)", 1.0),
        ("keras.activations.elu(x, alpha=0.5)", 0.5),
        ("tf.nn.selu(x)", 1.0507009873554805),
        ("keras.activations.leaky_relu(x, negative_slope=0.3)", 0.3),
    ],
)
def test_tensorflow_raw_ops_at_zero(call, want, keras, tf):
    """The raw ops behind the conventions (so a change in TensorFlow shows up here, by name)."""
    x = tf.constant([0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = eval(call, {"tf": tf, "keras": keras, "x": x})
    assert tape.gradient(y, x).numpy()[0] == pytest.approx(want, rel=1e-7)


def test_prelu_layer_gradient_at_zero_is_documented(keras, tf):
    """keras.layers.PReLU computes relu(x) − α·relu(−x), whose tape gradient at 0 is 0, not α.

    actlib follows tf.nn.leaky_relu / where(x > 0, x, αx) (α at 0); away from 0 all agree. This
    test pins the layer's behaviour so that the record's keras_note, which says so, stays true.
    """
    layer = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))
    x = tf.constant([[-1.0, 0.0, 1.0]])
    layer.build(x.shape)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
    g = tape.gradient(y, x).numpy()[0]
    np.testing.assert_allclose(g[[0, 2]], actlib.get("prelu").grad([-1.0, 1.0]), rtol=1e-7)
    assert g[1] == 0.0
    assert "gives 0 at exactly x = 0" in actlib.get("prelu").keras_note


# ---------------------------------------------------------------------------------------------
# softmax
def test_softmax_forward_and_jacobian_vs_keras(keras, tf):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(scale=3.0, size=(6, 5)), [[1000.0, 1000.0, 0.0, -1000.0, 3.0]]]).astype(np.float32)
    sm = actlib.get("softmax")
    xt = tf.constant(x)
    np.testing.assert_allclose(_as_numpy(sm.keras_function()(xt)), sm(x.astype(np.float64)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_eval_keras_code(sm, keras, xt), sm(x.astype(np.float64)), rtol=RTOL, atol=ATOL)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = sm.keras_function()(xt)
    jac = tape.batch_jacobian(y, xt).numpy()
    ours = sm.grad(x.astype(np.float64))
    assert jac.shape == ours.shape == (7, 5, 5)
    np.testing.assert_allclose(jac, ours, rtol=RTOL, atol=ATOL)


def test_softmax_jacobian_of_a_single_vector_vs_tape_jacobian(keras, tf):
    x = np.array([0.3, -1.2, 2.0, 0.0], dtype=np.float32)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = keras.activations.softmax(xt[None, :], axis=-1)[0]
    np.testing.assert_allclose(tape.jacobian(y, xt).numpy(), actlib.get("softmax").grad(x.astype(np.float64)), rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------------------------
# the record's Keras fields
@each(ACTIVATIONS)
def test_keras_identifier_is_accepted(act, keras):
    try:
        fn = keras.activations.get(act.keras)
    except ValueError:
        layer_cls = getattr(keras.layers, act.keras, None)
        assert isinstance(layer_cls, type) and issubclass(layer_cls, keras.layers.Layer), (
            f"{act.label}: {act.keras!r} is neither a keras.activations identifier nor a keras.layers class"
        )
        layer_cls()  # constructible with defaults
    else:
        assert callable(fn)
        keras.layers.Dense(2, activation=act.keras)  # what a lesson writes


@each(ACTIVATIONS)
def test_init_is_a_keras_initializer(act, keras):
    init = keras.initializers.get(act.init)
    assert isinstance(init, keras.initializers.Initializer)
    keras.layers.Dense(2, kernel_initializer=act.init)


@each(ELEMENTWISE)
def test_bare_identifier_differences_are_noted(act, keras):
    """Where ``activation=act.keras`` would compute something else (other defaults or no such
    parameter in Keras), the record says so in ``keras_note``."""
    try:
        fn = keras.activations.get(act.keras)
    except ValueError:  # a layer such as PReLU: the note must say it is a layer
        assert "layer" in act.keras_note
        return
    same = np.allclose(_apply(fn, X32, keras), act(X32.astype(np.float64)), rtol=RTOL, atol=ATOL)
    if not same:
        assert act.keras_note, f"{act.label}: activation={act.keras!r} in Keras differs from actlib, but keras_note is empty"
