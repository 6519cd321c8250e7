"""actlib.nn: gradients by central differences and against tf.GradientTape, training, determinism, errors."""

import re

import numpy as np
import pytest

import actlib
from actlib import nn

ELEMENTWISE = [name for name in actlib.names() if actlib.get(name).elementwise]
# every elementwise activation, plus the parameters that change its formula
HIDDEN = [(name, {}) for name in ELEMENTWISE] + [
    ("leaky_relu", {"alpha": 0.2}),
    ("elu", {"alpha": 0.5}),
    ("prelu", {"alpha": -0.3}),
    ("swish", {"beta": 2.0}),
    ("gelu", {"approximate": "tanh"}),
    ("gelu", {"approximate": "sigmoid"}),
]
OUTPUTS = ["softmax", "sigmoid", "linear"]
KINK_MARGIN = 1e-4


def _ids(case):
    name, params = case
    return name + "".join(f"-{k}={v}" for k, v in params.items())


def _problem(output, n=7, sizes=(3, 5, 4, 3), seed=0):
    """Inputs and targets of the right kind for the output layer."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    if output == "softmax":
        y = rng.integers(0, sizes[-1], size=n)
    elif output == "sigmoid":
        y = (rng.random((n, sizes[-1])) < 0.5).astype(float)
    else:
        y = rng.normal(size=(n, sizes[-1]))
    return X, y


def _model_away_from_kinks(sizes, activation, output, params, X, seed=0):
    """A model whose hidden pre-activations all keep KINK_MARGIN away from the activation's kinks.

    Central differences straddling a kink would measure the average of two one-sided slopes, not
    the derivative; we redraw the weights until no pre-activation comes that close.
    """
    for attempt in range(100):
        model = nn.MLP(list(sizes), activation=activation, init="glorot_normal", output=output, bias_init=0.1, rng=seed + attempt, **params)
        _, cache = model.forward(X)
        kinks = np.array(model.activation.kinks)
        if kinks.size == 0 or all(np.abs(z[..., None] - kinks).min() > KINK_MARGIN for z in cache["z"][:-1]):
            return model
    raise AssertionError(f"could not draw weights whose pre-activations avoid the kinks {model.activation.kinks}")


def _numeric_grads(model, X, y, h=1e-6):
    """∂L/∂θ for every weight and bias by central differences (float64)."""
    grads = {"W": [], "b": []}
    for key in ("W", "b"):
        for p in getattr(model, key):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                up = model.loss(X, y)
                p[idx] = old - h
                down = model.loss(X, y)
                p[idx] = old
                g[idx] = (up - down) / (2 * h)
            grads[key].append(g)
    return grads


def _assert_grads_close(analytic, numeric, rtol, atol, what):
    for key in ("W", "b"):
        for layer, (a, n) in enumerate(zip(analytic[key], numeric[key], strict=True)):
            np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"{what}: ∂L/∂{key}[{layer}] differs from central differences")


# -- gradients -------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", HIDDEN, ids=_ids)
def test_backprop_matches_central_differences_for_every_hidden_activation(case):
    name, params = case
    X, y = _problem("softmax")
    model = _model_away_from_kinks((3, 5, 4, 3), name, "softmax", params, X)
    loss, grads = model.loss_and_grads(X, y)
    assert np.isfinite(loss) and loss == pytest.approx(model.loss(X, y), rel=1e-15)
    _assert_grads_close(grads, _numeric_grads(model, X, y), rtol=1e-5, atol=1e-8, what=f"{name} {params}")


@pytest.mark.parametrize(("output", "n_out"), [("softmax", 2), ("softmax", 3), ("sigmoid", 1), ("sigmoid", 3), ("linear", 1), ("linear", 3)])
def test_backprop_matches_central_differences_for_every_output_and_loss(output, n_out):
    sizes = (3, 6, n_out)
    X, y = _problem(output, sizes=sizes)
    if output != "softmax" and n_out == 1:
        y = y[:, 0]  # a 1-D target is accepted for a single output unit
    model = _model_away_from_kinks(sizes, "tanh", output, {}, X)
    _, grads = model.loss_and_grads(X, y)
    _assert_grads_close(grads, _numeric_grads(model, X, y), rtol=1e-6, atol=1e-9, what=f"{output} output")


def test_softmax_cross_entropy_gradient_is_p_minus_y():
    X, y = _problem("softmax", n=5, sizes=(3, 3))
    model = nn.MLP([3, 3], output="softmax", rng=1)
    p, _ = model.forward(X)
    _, grads = model.loss_and_grads(X, y)
    dz = (p - np.eye(3)[y]) / len(y)  # the gradient of the mean loss w.r.t. the logits
    np.testing.assert_allclose(grads["b"][0], dz.sum(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grads["W"][0], X.T @ dz, rtol=1e-12, atol=1e-15)


def test_losses_have_their_textbook_values():
    X = np.zeros((4, 2))
    soft = nn.MLP([2, 5], output="softmax", init="zeros", rng=0)
    assert soft.loss(X, [0, 1, 2, 4]) == pytest.approx(np.log(5), rel=1e-14)  # uniform guess over 5 classes
    sig = nn.MLP([2, 1], output="sigmoid", init="zeros", rng=0)
    assert sig.loss(X, [0, 1, 1, 0]) == pytest.approx(np.log(2), rel=1e-14)
    lin = nn.MLP([2, 2], output="linear", init="zeros", rng=0)
    assert lin.loss(X, np.full((4, 2), 3.0)) == pytest.approx(9.0, rel=1e-14)


def test_forward_cache_holds_each_layers_pre_activations_and_inputs():
    X, _ = _problem("softmax", n=4)
    model = nn.MLP([3, 5, 4, 3], activation="elu", rng=0)
    out, cache = model.forward(X)
    assert [z.shape for z in cache["z"]] == [(4, 5), (4, 4), (4, 3)]
    assert len(cache["a"]) == 4 and cache["a"][0] is not None and cache["a"][-1] is out
    np.testing.assert_array_equal(cache["a"][0], X)
    for layer in range(2):
        np.testing.assert_allclose(cache["z"][layer], cache["a"][layer] @ model.W[layer] + model.b[layer], rtol=1e-15)
        np.testing.assert_allclose(cache["a"][layer + 1], actlib.get("elu")(cache["z"][layer]), rtol=1e-15)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-14)


@pytest.mark.keras
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "elu", "selu", "tanh", "swish", "gelu"])
@pytest.mark.parametrize("output", OUTPUTS)
def test_loss_and_grads_agree_with_gradient_tape(activation, output, keras, tf):
    sizes = (4, 6, 5, 3)
    X, y = _problem(output, n=9, sizes=sizes)
    model = _model_away_from_kinks(sizes, activation, output, {"alpha": 0.2} if activation == "leaky_relu" else {}, X)
    # The same network in Keras, float64, with our weights; the output layer emits logits.
    inputs = keras.Input(shape=(sizes[0],), dtype="float64")
    h = inputs
    for width in sizes[1:-1]:
        h = keras.layers.Dense(width, activation=model.activation.keras_function(), dtype="float64")(h)
    logits = keras.layers.Dense(sizes[-1], dtype="float64")(h)
    kmodel = keras.Model(inputs, logits)
    kmodel.set_weights([p for pair in zip(model.W, model.b, strict=True) for p in pair])
    loss_fn = {
        "softmax": keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"),
        "sigmoid": keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64"),
        "linear": keras.losses.MeanSquaredError(dtype="float64"),
    }[output]
    with tf.GradientTape() as tape:
        k_logits = kmodel(tf.constant(X), training=False)
        k_loss = loss_fn(tf.constant(y), k_logits)
    k_grads = tape.gradient(k_loss, kmodel.trainable_weights)
    loss, grads = model.loss_and_grads(X, y)
    _, cache = model.forward(X)
    # In float64, TensorFlow's leaky_relu keeps its slope as a float32 attribute (0.2 → 0.200000003)
    # and its exact gelu has float32 constants too: they agree with us to about 1e-8, not 1e-12.
    rtol = 1e-6 if activation in ("leaky_relu", "gelu") else 1e-9
    np.testing.assert_allclose(cache["z"][-1], k_logits.numpy(), rtol=rtol, atol=1e-12, err_msg="forward pass differs from Keras")
    assert loss == pytest.approx(float(k_loss), rel=rtol), f"{output} loss differs from Keras"
    ours = [g for pair in zip(grads["W"], grads["b"], strict=True) for g in pair]
    for i, (a, k) in enumerate(zip(ours, k_grads, strict=True)):
        np.testing.assert_allclose(a, k.numpy(), rtol=rtol, atol=1e-12, err_msg=f"gradient {i} ({activation}, {output}) differs from tf.GradientTape")


# -- training ------------------------------------------------------------------------------------------
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_training_solves_xor(output):
    model = nn.MLP([2, 8, 2 if output == "softmax" else 1], activation="tanh", init="glorot_uniform", output=output, rng=0)
    before = model.loss(XOR_X, XOR_Y)
    history = model.fit(XOR_X, XOR_Y, epochs=800, lr=0.5)
    assert history["loss"][-1] < 0.1 * before, f"the loss should fall by 10×; went from {before:.3f} to {history['loss'][-1]:.3f}"
    assert model.accuracy(XOR_X, XOR_Y) == 1.0 and history["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(model.predict(XOR_X), XOR_Y)


def test_minibatch_training_with_momentum_reduces_the_loss_on_a_regression():
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(2 * X[:, 0])
    model = nn.MLP([1, 32, 1], activation="relu", output="linear", rng=0)
    before = model.loss(X, y)
    history = model.fit(X, y, epochs=60, lr=0.02, batch_size=20, momentum=0.9)
    assert set(history) == {"epoch", "loss"}, "a regression has no accuracy"
    assert history["epoch"] == list(range(1, 61))
    assert model.loss(X, y) < 0.1 * before


def test_step_returns_the_loss_before_the_step_and_lowers_it():
    X, y = _problem("softmax", n=30)
    model = nn.MLP([3, 5, 4, 3], rng=0)
    before = model.loss(X, y)
    assert model.step(X, y, lr=0.1) == pytest.approx(before, rel=1e-15)
    assert model.loss(X, y) < before


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_step_is_exactly_w_minus_lr_times_the_gradient(momentum):
    model = nn.MLP([3, 5, 4, 3], activation="elu", rng=0)
    velocity = [np.zeros_like(p) for p in model.W + model.b]
    for n in (7, 5, 7):  # batches of two sizes, as at the end of an epoch
        X, y = _problem("softmax", n=n, seed=n)
        _, grads = model.loss_and_grads(X, y)
        velocity = [momentum * v - 0.1 * g for v, g in zip(velocity, grads["W"] + grads["b"], strict=True)]
        expected = [p + v for p, v in zip(model.W + model.b, velocity, strict=True)]
        model.step(X, y, lr=0.1, momentum=momentum)
        for got, want in zip(model.W + model.b, expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_same_seed_same_numbers_and_another_seed_other_numbers():
    X, y = _problem("softmax", n=40)
    runs = []
    for seed in (5, 5, 6):
        model = nn.MLP([3, 8, 3], activation="relu", rng=seed)
        runs.append((model.fit(X, y, epochs=5, lr=0.1, batch_size=8)["loss"], model.W[0].copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert runs[0][0] != runs[2][0]
    # an explicit shuffling rng gives the same run as well
    a, b = (nn.MLP([3, 8, 3], rng=1).fit(X, y, epochs=3, lr=0.1, batch_size=8, rng=np.random.default_rng(9))["loss"] for _ in range(2))
    assert a == b


def test_copy_is_independent():
    X, y = _problem("softmax", n=10)
    model = nn.MLP([3, 4, 3], rng=0)
    twin = model.copy()
    model.step(X, y, lr=1.0)
    assert not np.array_equal(model.W[0], twin.W[0])


def test_callback_values_are_recorded_per_epoch():
    X, y = _problem("softmax", n=20)
    model = nn.MLP([3, 6, 6, 3], rng=0)
    history = model.fit(X, y, epochs=4, lr=0.1, callback=lambda epoch, m: {"dead": m.dead_fraction(X), "e": epoch})
    assert history["e"] == [1, 2, 3, 4] and len(history["dead"]) == 4 and history["dead"][0].shape == (2,)


def test_divergence_raises_instead_of_returning_nan():
    X, y = _problem("linear", n=20, sizes=(3, 8, 1))
    model = nn.MLP([3, 8, 1], output="linear", rng=0)
    with pytest.raises(FloatingPointError, match=r"MLP\.fit: .*smaller learning rate"):
        model.fit(X, y * 1e6, epochs=50, lr=10.0)


# -- initializers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("init", "variance"),
    [
        ("glorot_uniform", 2 / (400 + 300)),
        ("glorot_normal", 2 / (400 + 300)),
        ("he_normal", 2 / 400),
        ("he_uniform", 2 / 400),
        ("lecun_normal", 1 / 400),
        ("lecun_uniform", 1 / 400),
        (0.05, 0.05**2),
    ],
)
def test_initializers_have_the_keras_variance(init, variance):
    W = nn.MLP([400, 300, 2], init=init, rng=0).W[0]
    assert W.shape == (400, 300)
    assert W.var() == pytest.approx(variance, rel=0.02)
    assert abs(W.mean()) < 0.02 * np.sqrt(variance)
    if isinstance(init, str) and init.endswith("_normal"):
        assert np.abs(W).max() <= 2 * np.sqrt(variance) / 0.87962566103423978 + 1e-12, "Keras truncates at two standard deviations"


def test_zeros_init_and_bias_init():
    model = nn.MLP([3, 4, 4, 2], init="zeros", bias_init=-1.5, rng=0)
    assert all((w == 0).all() for w in model.W)
    assert (model.b[0] == -1.5).all() and (model.b[1] == -1.5).all()
    assert (model.b[-1] == 0).all(), "the output bias starts at 0 whatever bias_init is"


def test_activation_by_record_and_parameters():
    record = actlib.get("leaky_relu", alpha=0.3)
    assert nn.MLP([2, 3, 2], activation=record).activation.params["alpha"] == 0.3
    assert nn.MLP([2, 3, 2], activation="leaky_relu", alpha=0.1).activation.params["alpha"] == 0.1
    assert nn.MLP([2, 3, 2], activation=record, alpha=0.05).activation.params["alpha"] == 0.05


# -- dead units --------------------------------------------------------------------------------------
def test_dead_fraction_matches_a_hand_computation():
    model = nn.MLP([2, 4, 3, 2], activation="relu", rng=0)
    model.W[0] = np.array([[1.0, -1.0, 0.0, 2.0], [1.0, -1.0, 0.0, -1.0]])
    model.b[0] = np.array([0.0, 0.0, 0.0, 0.0])
    model.W[1] = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    model.b[1] = np.array([0.5, 0.0, -0.1])
    X = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 3.0]])
    # layer 1: z = [x1+x2, −x1−x2, 0, 2x1−x2] → rows [2,−2,0,1], [2,−2,0,4], [3,−3,0,−3]
    #   unit 0 alive, unit 1 ≤ 0 everywhere (dead), unit 2 exactly 0 everywhere (dead), unit 3 alive → 2/4
    # layer 2: a1 = relu(z1); z = [a1₀ + 0.5, −a1₀, −0.1] → unit 0 alive, units 1 and 2 dead → 2/3
    np.testing.assert_array_equal(model.dead_fraction(X), [0.5, 2 / 3])


def test_dead_relu_units_get_exactly_zero_gradient():
    X, y = _problem("softmax", n=50, sizes=(3, 6, 3))
    model = nn.MLP([3, 6, 3], activation="relu", rng=0)
    model.b[0][2] = -100.0  # unit 2 is negative on every example
    assert model.dead_fraction(X)[0] == pytest.approx(1 / 6)
    _, grads = model.loss_and_grads(X, y)
    assert (grads["W"][0][:, 2] == 0).all() and grads["b"][0][2] == 0
    assert (grads["W"][1][2] == 0).all(), "a dead unit outputs 0, so its outgoing weights get no gradient either"
    leaky = nn.MLP([3, 6, 3], activation="leaky_relu", rng=0)
    leaky.b[0][2] = -100.0
    _, grads = leaky.loss_and_grads(X, y)
    assert (grads["W"][0][:, 2] != 0).any(), "with Leaky ReLU the same unit still learns"


def test_no_hidden_layer_means_no_dead_fraction():
    assert nn.MLP([3, 2]).dead_fraction(np.ones((2, 3))).shape == (0,)


# -- predictions -----------------------------------------------------------------------------------------
def test_predict_and_accuracy_by_output():
    X = np.array([[1.0], [-1.0]])
    sig = nn.MLP([1, 1], output="sigmoid", init="zeros", rng=0)
    sig.W[0][:] = 5.0
    np.testing.assert_array_equal(sig.predict(X), [1, 0])
    assert sig.accuracy(X, [1, 1]) == 0.5
    lin = nn.MLP([1, 2], output="linear", init="zeros", rng=0)
    assert lin.predict(X).shape == (2, 2)
    with pytest.raises(ValueError, match=r"MLP\.accuracy: .*classification output.*'linear'"):
        lin.accuracy(X, np.zeros((2, 2)))


# -- errors ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"sizes": [3]}, ValueError, r"MLP: sizes needs at least an input and an output width.*got \[3\]"),
        ({"sizes": [3, 0, 2]}, ValueError, r"MLP: every layer width in sizes must be a positive int; got \[3, 0, 2\]"),
        ({"sizes": [3, 2.5, 2]}, ValueError, r"positive int"),
        ({"sizes": "3,2"}, TypeError, r"MLP: sizes must be a list of layer widths"),
        ({"activation": "relo"}, ValueError, r"unknown activation 'relo'\. Did you mean 'relu'"),
        ({"activation": np.tanh}, TypeError, r"MLP: activation must be a registry name"),
        ({"activation": "softmax"}, ValueError, r"MLP: the hidden activation must act element by element; got 'softmax'"),
        ({"activation": "relu", "alpha": 0.1}, TypeError, r"relu takes no parameters; got 'alpha'"),
        ({"activation": "leaky_relu", "alpha": -1}, ValueError, r"leaky_relu: alpha must be >= 0; got -1"),
        ({"init": "he_norm"}, ValueError, r"MLP: unknown initializer 'he_norm'\. Did you mean 'he_normal'"),
        ({"init": "orthogonal"}, ValueError, r"Known: glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal, lecun_uniform, zeros"),
        ({"init": None}, TypeError, r"MLP: init must be a Keras initializer name.*got None"),
        ({"init": -0.1}, ValueError, r"MLP: init \(a standard deviation\) must be >= 0; got -0\.1"),
        ({"output": "softmx"}, ValueError, r"MLP: unknown output 'softmx'\. Did you mean 'softmax'.*Known: linear, sigmoid, softmax"),
        ({"sizes": [3, 1], "output": "softmax"}, ValueError, r"MLP: a softmax output needs at least 2 units.*got sizes\[-1\] = 1"),
        ({"bias_init": "0"}, TypeError, r"MLP: bias_init must be a real number; got '0'"),
        ({"bias_init": float("nan")}, ValueError, r"MLP: bias_init must be finite; got nan"),
        ({"rng": -1}, TypeError, r"MLP: rng must be a non-negative int seed.*got -1"),
        ({"rng": 1.5}, TypeError, r"MLP: rng must be"),
    ],
)
def test_constructor_errors_name_the_function_the_expectation_and_the_value(kwargs, error, pattern):
    kwargs = {"sizes": [3, 4, 2], **kwargs}
    sizes = kwargs.pop("sizes")
    with pytest.raises(error, match=pattern):
        nn.MLP(sizes, **kwargs)


@pytest.fixture
def model():
    return nn.MLP([3, 4, 3], rng=0)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda m: m.forward(np.ones((5, 2))), ValueError, r"MLP\.forward: X must have shape \(n_examples, 3\) for this model; got shape \(5, 2\)"),
        (lambda m: m.forward(np.ones(3)), ValueError, r"MLP\.forward: X must have shape .*got shape \(3,\)"),
        (lambda m: m.forward([["a", "b", "c"]]), TypeError, r"MLP\.forward: X must be a 2-D array of numbers"),
        (lambda m: m.forward(np.full((2, 3), np.nan)), ValueError, r"MLP\.forward: X contains NaN or inf"),
        (lambda m: m.loss_and_grads(np.ones((4, 3)), [0, 1, 2]), ValueError, r"MLP\.loss_and_grads: .*integer class labels of shape \(4,\); got shape \(3,\)"),
        (lambda m: m.loss_and_grads(np.ones((2, 3)), [0, 3]), ValueError, r"class labels must lie in 0\.\.2 \(the model has 3 outputs\); got labels from 0 to 3"),
        (lambda m: m.loss_and_grads(np.ones((2, 3)), [0.5, 1]), ValueError, r"integer class labels 0\.\.2; got non-integer values"),
        (lambda m: m.loss_and_grads(np.ones((2, 3)), np.eye(3)[:2]), ValueError, r"integer class labels of shape \(2,\); got shape \(2, 3\)"),
        (lambda m: m.loss(np.ones((2, 3)), ["a", "b"]), TypeError, r"MLP\.loss: y must contain numbers; got dtype <U1"),
        (lambda m: m.step(np.ones((2, 3)), [0, 1], lr=0), ValueError, r"MLP\.step: lr must be > 0; got 0"),
        (lambda m: m.step(np.ones((2, 3)), [0, 1], lr=0.1, momentum=1.0), ValueError, r"MLP\.step: momentum must be < 1; got 1"),
        (lambda m: m.fit(np.ones((2, 3)), [0, 1], epochs=0), ValueError, r"MLP\.fit: epochs must be a positive int; got 0"),
        (lambda m: m.fit(np.ones((2, 3)), [0, 1], batch_size=2.0), ValueError, r"MLP\.fit: batch_size must be a positive int; got 2\.0"),
        (lambda m: m.fit(np.ones((2, 3)), [0, 1], callback=3), TypeError, r"MLP\.fit: callback must be a function callback\(epoch, model\) or None; got 3"),
        (lambda m: m.fit(np.ones((2, 3)), [0, 1], callback=lambda e, mm: 3), TypeError, r"MLP\.fit: callback must return a dict.*got 3"),
        (lambda m: m.fit(np.ones((2, 3)), [0, 1], rng="seed"), TypeError, r"MLP\.fit: rng must be a non-negative int seed"),
        (lambda m: m.dead_fraction(np.ones((2, 4))), ValueError, r"MLP\.dead_fraction: X must have shape \(n_examples, 3\)"),
    ],
)
def test_method_errors_name_the_function_the_expectation_and_the_value(model, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(model)


@pytest.mark.parametrize(
    ("output", "sizes", "y", "pattern"),
    [
        ("sigmoid", [3, 1], [0, 2], r"MLP\.loss: for a sigmoid output, targets must lie in \[0, 1\]; got values from 0 to 2"),
        ("sigmoid", [3, 2], [0, 1], r"MLP\.loss: for a sigmoid output with 2 unit\(s\), y must have shape \(2, 2\); got shape \(2,\)"),
        ("linear", [3, 1], [[0.0, 1.0]], r"for a linear output with 1 unit\(s\), y must have shape \(2, 1\) or \(2,\); got shape \(1, 2\)"),
        ("linear", [3, 1], [np.inf, 0.0], r"MLP\.loss: y contains NaN or inf"),
    ],
)
def test_target_errors_for_sigmoid_and_linear(output, sizes, y, pattern):
    with pytest.raises(ValueError, match=pattern):
        nn.MLP(sizes, output=output).loss(np.ones((2, 3)), y)


def test_repr_and_sizes():
    model = nn.MLP([64, 32, 10], activation="leaky_relu", alpha=0.1, bias_init=-1)
    assert re.fullmatch(r"MLP\(\[64, 32, 10\], activation=Activation\('leaky_relu', alpha=0\.1\), init='he_normal', output='softmax', bias_init=-1\)", repr(model))
    assert model.n_layers == 2 and model.n_params == 64 * 32 + 32 + 32 * 10 + 10


def test_divergence_keeps_the_history_so_far_and_the_last_good_weights():
    X, y = _problem("softmax", n=64, sizes=(3, 16, 16, 3))
    X = X * 50
    model = nn.MLP([3, 16, 16, 3], activation="leaky_relu", rng=0)
    with pytest.raises(FloatingPointError, match=r"MLP\.fit: .* with lr = 100 .*\(epoch \d+; the history so far") as info:
        model.fit(X, y, epochs=200, lr=100.0, batch_size=8)
    err = info.value
    assert len(err.history["loss"]) == err.epoch - 1
    assert all(np.isfinite(w).all() for w in model.W + model.b), "the step that would blow up is not taken"


def test_overflowing_weights_raise_instead_of_warning():
    model = nn.MLP([3, 4, 2], activation="linear", rng=0)
    model.W[0][:] = 1e200
    model.W[1][:] = 1e200
    for call in (model.forward, model.predict, model.dead_fraction):
        with pytest.raises(FloatingPointError, match=r"MLP\.\w+: the network's pre-activations overflowed .* learning rate too large"):
            call(np.ones((2, 3)))
    huge = nn.MLP([1, 1], output="linear", init="zeros", rng=0)
    huge.W[0][:] = 1e200  # finite outputs, but the squared error overflows
    with pytest.raises(FloatingPointError, match=r"MLP\.loss: the loss overflowed"):
        huge.loss([[1.0]], [0.0])
    with pytest.raises(FloatingPointError, match=r"MLP\.loss_and_grads: the loss or its gradient overflowed"):
        huge.loss_and_grads([[1.0]], [0.0])
