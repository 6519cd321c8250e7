"""Each checker accepts the reference solution and rejects the typical wrong answers, saying why."""

import numpy as np
import pytest

import actlib
from actlib import exercises


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("name", [n for n in actlib.names() if actlib.get(n).elementwise])
def test_registry_functions_pass_their_own_checks(name):
    act = actlib.get(name)
    assert exercises.check_activation(act, name, wide=True).passed
    assert exercises.check_derivative(act.grad, name).passed


def test_check_activation_accepts_and_explains():
    fb = exercises.check_activation(naive_sigmoid, "sigmoid")
    assert fb.passed and "matches sigmoid" in fb.message and str(fb).startswith("✓")


def test_naive_sigmoid_fails_the_stability_check_with_the_reason():
    fb = exercises.check_activation(naive_sigmoid, "sigmoid", wide=True)
    assert not fb.passed and "RuntimeWarning" in fb.message and "stable" in fb.message
    assert exercises.check_activation(stable_sigmoid, "sigmoid", wide=True).passed


@pytest.mark.parametrize(
    ("wrong", "name", "params", "expected_words"),
    [
        (lambda x: np.where(x > 0, x, 0.1 * np.expm1(x)), "elu", {}, "branch for x ≤ 0"),
        (lambda x: np.where(x > 0, 2 * x, np.expm1(x)), "elu", {}, "branch for x > 0"),
        (lambda x: -np.tanh(x), "tanh", {}, "wrong sign"),
        (lambda x: 1 - np.tanh(x) ** 2, "tanh", {}, "derivative, not the function"),
        (lambda x: float(np.tanh(x[0])), "tanh", {}, "shape"),
        (lambda x: np.where(x > 0, x, 0.01 * x), "leaky_relu", {"alpha": 0.2}, "x ≤ 0"),
    ],
)
def test_check_activation_rejects_typical_mistakes(wrong, name, params, expected_words):
    fb = exercises.check_activation(wrong, name, **params)
    assert not fb.passed
    assert expected_words in fb.message, fb.message
    assert "expected" in fb.message or "shape" in fb.message


@pytest.mark.parametrize(
    ("wrong", "name", "expected_words"),
    [
        (lambda x: np.where(x > 0, 1.0, np.exp(x) - 1), "elu", "branch for x < 0"),
        (lambda x: np.tanh(x), "tanh", "function itself"),
        (lambda x: 2 * naive_sigmoid(x) * (1 - naive_sigmoid(x)), "sigmoid", "2 times"),
        (lambda x: -(1 - np.tanh(x) ** 2), "tanh", "sign"),
        (lambda x: np.zeros_like(x), "sigmoid", "0 everywhere"),
    ],
)
def test_check_derivative_rejects_typical_mistakes(wrong, name, expected_words):
    fb = exercises.check_derivative(wrong, name)
    assert not fb.passed and expected_words in fb.message, fb.message


def test_check_derivative_accepts_a_correct_elu_derivative_and_mentions_the_kink():
    fb = exercises.check_derivative(lambda x: np.where(x > 0, 1.0, 0.5 * np.exp(x)), "elu", alpha=0.5)
    assert fb.passed and "kink" in fb.message


def test_student_code_that_raises_is_reported_not_propagated():
    def broken(x):
        return x.nonexistent

    fb = exercises.check_activation(broken, "relu")
    assert not fb.passed and "AttributeError" in fb.message


def test_check_value_and_array_and_choice():
    assert exercises.check_value(0.25, 0.25).passed
    fb = exercises.check_value(0.5, 0.25, name="max slope", hint="σ'(0) = σ(0)(1 − σ(0))")
    assert not fb.passed and "expected 0.25, got 0.5" in fb.message and "Hint" in fb.message
    assert not exercises.check_value("a lot", 0.25).passed
    assert exercises.check_array([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]])).passed
    fb = exercises.check_array([[1, 2], [3, 5]], [[1, 2], [3, 4]])
    assert not fb.passed and "(1, 1)" in fb.message
    assert "shape" in exercises.check_array([1, 2, 3], [[1, 2, 3]]).message
    expl = {"relu": "it is not bounded", "tanh": "(−1, 1), centred on zero"}
    assert exercises.check_choice("TANH", "tanh", expl).passed
    fb = exercises.check_choice("relu", "tanh", expl)
    assert not fb.passed and "not bounded" in fb.message
    assert "not one of the options" in exercises.check_choice("gelu", "tanh", expl).message


def test_feedback_displays_in_a_notebook():
    fb = exercises.check_value(1.0, 1.0)
    assert "✓" in fb._repr_markdown_() and bool(fb) is True


def test_check_array_reports_none_and_values():
    fb = exercises.check_array(None, [1.0, 2.0], name="grad")
    assert not fb.passed and "None" in fb.message and "return" in fb.message
    fb = exercises.check_array(3.0, 2.0, name="loss")
    assert not fb.passed and "is 3, expected 2" in fb.message


# ---------------------------------------------------------------------------------------------
# check_function: any function against a reference, on a few inputs


def log_softmax_ref(z):
    return actlib.activations.log_softmax(z)


LOG_SOFTMAX_INPUTS = [np.array([1.0, 2.0, 3.0]), np.array([1000.0, 999.0, 990.0])]


def test_check_function_accepts_a_right_answer():
    def mine(z):
        m = z.max()
        return z - m - np.log(np.sum(np.exp(z - m)))

    fb = exercises.check_function(mine, log_softmax_ref, LOG_SOFTMAX_INPUTS, name="my_log_softmax")
    assert fb.passed and fb.message == "my_log_softmax gives the right result on all 2 test inputs."


@pytest.mark.parametrize(
    ("wrong", "expected_words"),
    [
        (lambda z: z, ["on the input [1. 2. 3.]", "entry (0,) of your result is 1, expected -2.40761", "3 of 3 entries differ"]),
        (lambda z: z - np.log(np.sum(np.exp(z))), ["on the input [1000.  999.  990.]", "RuntimeWarning", "overflow", "numerically stable"]),
        (lambda z: None, ["returned None", "forget `return`"]),
        (lambda z: z.logsumexp(), ["AttributeError", "logsumexp"]),
        (lambda z: z[:2], ["expected shape (3,), got (2,)"]),
    ],
)
def test_check_function_says_what_failed_where(wrong, expected_words):
    fb = exercises.check_function(wrong, log_softmax_ref, LOG_SOFTMAX_INPUTS, name="my_log_softmax")
    assert not fb.passed and fb.message.startswith("my_log_softmax: on the input ")
    for words in expected_words:
        assert words in fb.message, fb.message


def fold_ref(layers):
    W, b = layers[0]
    for W_next, b_next in layers[1:]:
        W, b = W_next @ W, W_next @ b + b_next
    return W, b


def fold_without_bias_propagation(layers):
    W, _ = fold_ref(layers)
    return W, layers[-1][1]  # only the last layer's bias


def test_check_function_with_several_results_labels_and_known_mistakes():
    gen = np.random.default_rng(3)
    stack = [(gen.normal(size=(n_out, n_in)), gen.normal(size=n_out)) for n_in, n_out in [(4, 5), (5, 5), (5, 2)]]
    label = ["a 3-layer stack 4 → 5 → 5 → 2"]
    mistakes = [(fold_without_bias_propagation, "each bias passes through the layers after it")]
    assert exercises.check_function(fold_ref, fold_ref, [stack], labels=label, name="fold").passed

    fb = exercises.check_function(fold_without_bias_propagation, fold_ref, [stack], labels=label, name="fold", mistakes=mistakes, hint="general")
    assert not fb.passed and "on a 3-layer stack 4 → 5 → 5 → 2" in fb.message and "result 2 of 2" in fb.message
    assert "Hint: each bias passes through the layers after it" in fb.message and "general" not in fb.message

    fb = exercises.check_function(lambda layers: fold_ref(layers)[0], fold_ref, [stack], labels=label, name="fold")
    assert not fb.passed and "expected 2 results" in fb.message and "a single array of shape (2, 4)" in fb.message

    fb = exercises.check_function(lambda layers: (fold_ref(layers)[0].T, fold_ref(layers)[1]), fold_ref, [stack], labels=label,
                                  name="fold", mistakes=mistakes, hint="the first layer's W is the rightmost factor")
    assert "expected shape (2, 4), got (4, 2) (result 1 of 2)" in fb.message and "Hint: the first layer's W is the rightmost factor" in fb.message


def test_check_function_unpacks_tuples_and_copies_inputs():
    def scaled_sum(x, c):
        return c * x.sum()

    def sloppy(x, c):
        x *= c  # changes the caller's array in place
        return x.sum()

    x = np.array([1.0, 2.0])
    assert exercises.check_function(sloppy, scaled_sum, [(x, 3.0), (x, 2.0)]).passed
    np.testing.assert_array_equal(x, [1.0, 2.0])
    fb = exercises.check_function(lambda x, c: x.sum() + c, scaled_sum, [(x, 3.0)], name="f")
    assert not fb.passed and "the arguments ([1. 2.], 3.0)" in fb.message and "your result is 6, expected 9" in fb.message


def test_check_function_passes_objects_that_cannot_be_copied():
    def step(g, act):
        return g * act.grad(g)

    cases = [(np.array([-1.0, 0.5, 2.0]), actlib.get("sigmoid")), (np.array([-1.0, 0.5, 2.0]), actlib.get("tanh"))]
    assert exercises.check_function(step, step, cases).passed
    fb = exercises.check_function(lambda g, act: g * act(g), step, cases, labels=["sigmoid", "tanh"], mistakes=[(lambda g, act: g * act(g), "φ, not φ'")])
    assert not fb.passed and fb.message.startswith("your function: on sigmoid, entry (0,)") and fb.message.endswith("Hint: φ, not φ'")


def test_check_function_rejects_bad_calls():
    assert "expected a function" in exercises.check_function(3.0, np.sin, [1.0]).message
    with pytest.raises(ValueError, match="at least one test case"):
        exercises.check_function(np.sin, np.sin, [])
    with pytest.raises(ValueError, match="labels"):
        exercises.check_function(np.sin, np.sin, [1.0, 2.0], labels=["one"])


# ---------------------------------------------------------------------------------------------
# check_model: a student's Keras model


def test_check_model_rejects_a_non_model_without_importing_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\nfrom actlib import exercises\n"
        "fb = exercises.check_model(None)\n"
        "assert not fb.passed and 'expected a Keras model' in fb.message, fb.message\n"
        "assert 'tensorflow' not in sys.modules, 'check_model(None) imported TensorFlow'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def _mlp(keras, hidden=("relu", "relu"), units=8, n_in=2, n_out=3, output="softmax", init="he_normal", seed=0):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(n_in,), name="x")]
    for i, act in enumerate(hidden):
        layers.append(keras.layers.Dense(units, activation=act, kernel_initializer=init, name=f"dense_{i + 1}"))
    layers.append(keras.layers.Dense(n_out, activation=output, name="out"))
    return keras.Sequential(layers, name="student")


SPEC = dict(input_shape=(2,), n_outputs=3, n_hidden=2, hidden_activation="relu", hidden_initializer=("he_normal", "he_uniform"),
            output_activation="softmax", max_params=200)


@pytest.mark.keras
def test_check_model_accepts_the_right_model(keras):
    model = _mlp(keras)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    fb = exercises.check_model(model, loss="sparse_categorical_crossentropy", **SPEC)
    assert fb.passed, fb.message
    assert "2 hidden Dense layers (relu)" in fb.message and "output 3 units (softmax)" in fb.message and "123 parameters" in fb.message


@pytest.mark.keras
@pytest.mark.parametrize(
    ("changes", "expected_words"),
    [
        (dict(hidden=("relu", "sigmoid")), "layer 'dense_2' uses activation 'sigmoid'; expected 'relu' in every hidden layer"),
        (dict(n_out=1), "its output layer 'out' has 1 unit, expected 3"),
        (dict(output="sigmoid"), "its output layer 'out' uses activation 'sigmoid'; expected 'softmax'"),
        (dict(init="glorot_uniform"), "layer 'dense_1' uses kernel_initializer 'glorot_uniform'; expected 'he_normal' or 'he_uniform'"),
        (dict(hidden=("relu",)), "it has 1 hidden Dense layer, expected 2"),
        (dict(n_in=4), "its input has shape (4,), expected (2,)"),
        (dict(units=16), "it has 371 parameters, more than the 200 allowed"),
        (dict(hidden=(lambda t: t, "relu")), "layer 'dense_1' uses activation a custom function"),
    ],
)
def test_check_model_names_the_problem(keras, changes, expected_words):
    fb = exercises.check_model(_mlp(keras, **changes), **SPEC)
    assert not fb.passed and expected_words in fb.message, fb.message


@pytest.mark.keras
def test_check_model_lists_every_problem_and_adds_the_hint(keras):
    fb = exercises.check_model(_mlp(keras, hidden=("sigmoid", "sigmoid"), n_out=1, output=None), hint="see section 3", **SPEC)
    assert not fb.passed and "3 problems: (1)" in fb.message and "(3)" in fb.message and fb.message.endswith("Hint: see section 3")


@pytest.mark.keras
def test_check_model_reads_activation_layers_and_aliases(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4, name="h1"), keras.layers.LeakyReLU(negative_slope=0.1),
                              keras.layers.Dense(4, activation="silu", name="h2"), keras.layers.Dense(3, name="out"), keras.layers.Softmax()])
    assert exercises.check_model(model, hidden_activation=("leaky_relu", "swish"), output_activation="softmax").passed
    fb = exercises.check_model(model, hidden_activation="swish")
    assert not fb.passed and "layer 'h1' uses activation 'leaky_relu'" in fb.message


@pytest.mark.keras
def test_check_model_checks_the_loss_and_from_logits(keras):
    model = _mlp(keras)
    fb = exercises.check_model(model, loss="sparse_categorical_crossentropy")
    assert not fb.passed and "not compiled" in fb.message and "model.compile" in fb.message
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    fb = exercises.check_model(model)
    assert not fb.passed and "from_logits=True" in fb.message and "softmax a second time" in fb.message
    logits = _mlp(keras, output=None)
    logits.compile(loss="sparse_categorical_crossentropy")
    fb = exercises.check_model(logits)
    assert not fb.passed and "logits" in fb.message and "pass from_logits=True" in fb.message
    logits.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert exercises.check_model(logits, output_activation=("softmax", "linear"), loss="sparse_categorical_crossentropy").passed
    logits.compile(loss="mse")
    fb = exercises.check_model(logits, loss="sparse_categorical_crossentropy")
    assert not fb.passed and "compiled with the loss 'mean_squared_error'" in fb.message


@pytest.mark.keras
def test_check_model_measures_accuracy_on_the_data_given(keras):
    # hand-set weights: class 1 exactly when x0 > 0
    model = _mlp(keras, hidden=("relu",), units=2, n_out=2)
    model.set_weights([np.array([[1.0, -1.0], [0.0, 0.0]], "float32"), np.zeros(2, "float32"),
                       np.array([[-1.0, 1.0], [1.0, -1.0]], "float32"), np.zeros(2, "float32")])
    x = np.random.default_rng(0).normal(size=(200, 2))
    y = (x[:, 0] > 0).astype(int)
    fb = exercises.check_model(model, data=(x, y), min_accuracy=0.9)
    assert fb.passed and "accuracy 1.00" in fb.message
    fb = exercises.check_model(model, data=(x, 1 - y), min_accuracy=0.9)
    assert not fb.passed and "its accuracy is 0.00 on the data you gave, needs ≥ 0.9" in fb.message
    assert exercises.check_model(model, data=(x, np.eye(2)[y]), min_accuracy=0.9).passed, "one-hot labels work too"
    fb = exercises.check_model(_mlp(keras, n_in=3), input_shape=(2,), data=(x, y), min_accuracy=0.9)
    assert "input has shape (3,)" in fb.message and "accuracy" not in fb.message, "a wrong input shape is reported, not run"
    with pytest.raises(ValueError, match="need data"):
        exercises.check_model(model, min_accuracy=0.9)


@pytest.mark.keras
def test_check_model_measures_vanishing_gradients(keras):
    x = np.random.default_rng(1).normal(size=(256, 8))
    y = np.random.default_rng(2).integers(0, 3, 256)
    deep = dict(n_in=8, units=32, output=None, hidden=("sigmoid",) * 6, init="glorot_uniform")
    fb = exercises.check_model(_mlp(keras, **deep), data=(x, y), min_gradient_ratio=0.1)
    assert not fb.passed and "first hidden kernel ('dense_1')" in fb.message and "last one's ('dense_6')" in fb.message
    assert "vanishes" in fb.message
    fb = exercises.check_model(_mlp(keras, **(deep | dict(hidden=("relu",) * 6, init="he_normal"))), data=(x, y), min_gradient_ratio=0.1)
    assert fb.passed and "first / last hidden kernel gradient" in fb.message


@pytest.mark.keras
def test_check_model_flags_a_one_unit_softmax_quietly(keras):
    import warnings

    model = _mlp(keras, n_out=1, output="softmax")
    x = np.random.default_rng(0).normal(size=(50, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fb = exercises.check_model(model, data=(x, (x[:, 0] > 0).astype(int)), min_accuracy=0.9)
    assert not fb.passed and "softmax over 1 unit, which outputs exactly 1" in fb.message
    assert not seen, f"the checker reports problems in its feedback, not as warnings: {[str(w.message) for w in seen]}"


@pytest.mark.keras
def test_check_model_reports_a_model_that_fails_on_the_data(keras):
    fb = exercises.check_model(_mlp(keras), data=(np.zeros((4, 5)), np.zeros(4, int)), min_accuracy=0.5)
    assert not fb.passed and "running it on the data you gave raised" in fb.message


# ---------------------------------------------------------------------------------------------
# Every lesson (01-12) ends with 3 to 5 exercises, each with a checker, then hidden solutions and a
# final Check that the checkers accept the solutions (the structure of notebook 03).


def _lessons():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
    return sorted(p for p in root.glob("[0-9][0-9]_*.ipynb") if 1 <= int(p.name[:2]) <= 12)


@pytest.mark.parametrize("path", _lessons(), ids=lambda p: p.stem)
def test_lesson_ends_with_checked_exercises(path):
    import json
    import re

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = ["".join(c["source"]) for c in cells]
    start = next((i for i, t in enumerate(text) if cells[i]["cell_type"] == "markdown" and re.search(r"^## Exercises\b", t, re.M)), None)
    assert start is not None, f"{path.name}: no '## Exercises' section"
    solutions = next((i for i in range(start, len(cells)) if text[i].lstrip().startswith("### Solutions")), None)
    assert solutions is not None, f"{path.name}: the exercises need a '### Solutions' heading after them"
    section = range(start, solutions)
    numbers = [int(n) for i in section if cells[i]["cell_type"] == "markdown" for n in re.findall(r"^\*\*(\d)\. ", text[i], re.M)]
    assert 3 <= len(numbers) <= 5 and numbers == list(range(1, len(numbers) + 1)), f"{path.name}: expected exercises **1.** to **3.**-**5.**; found {numbers}"
    checkers = [i for i in section if cells[i]["cell_type"] == "code" and "exercises.check_" in text[i]]
    assert len(checkers) >= len(numbers), f"{path.name}: {len(numbers)} exercises but only {len(checkers)} checker cells (calls of exercises.check_*)"
    hidden = [i for i in range(solutions, len(cells)) if cells[i]["cell_type"] == "code" and cells[i]["metadata"].get("jupyter", {}).get("source_hidden")]
    assert hidden, f"{path.name}: the solutions should be in hidden code cells (metadata.jupyter.source_hidden)"
    final = [i for i in range(hidden[-1], len(cells)) if cells[i]["cell_type"] == "code" and text[i].startswith("# Check:")]
    assert final, f"{path.name}: after the solutions, a '# Check:' cell should prove the checkers accept them and reject wrong answers"
    assert "assert not" in text[final[-1]] or "not exercises." in text[final[-1]], f"{path.name}: the final Check should also reject a wrong answer"
