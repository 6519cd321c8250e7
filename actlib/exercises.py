"""Checkers for the exercises at the end of each notebook.

A checker never answers just True or False: it returns a ``Feedback`` that says what was tested,
and when something is wrong, the first input that fails, the value expected and the value received,
and a hint aimed at the usual mistake.

>>> import numpy as np
>>> from actlib import exercises
>>> exercises.check_activation(lambda x: np.maximum(0, x), "relu").passed
True
>>> print(exercises.check_value(0.3, 0.25, name="max of sigmoid'", rtol=1e-3))
✗ max of sigmoid': expected 0.25, got 0.3.
>>> def mean_square(x):
...     return np.mean(x) ** 2  # the square of the mean, not the mean of the squares
>>> print(exercises.check_function(mean_square, lambda x: np.mean(x**2), [np.array([1.0, 2.0, 3.0])], name="mean_square"))
✗ mean_square: on the input [1. 2. 3.], your result is 4, expected 4.66667.

``check_model`` checks a Keras model; it imports TensorFlow only when it is called.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import numpy as np

from ._validation import check_real
from .registry import get

__all__ = [
    "Feedback",
    "battery",
    "check_activation",
    "check_array",
    "check_choice",
    "check_derivative",
    "check_function",
    "check_model",
    "check_value",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` plus a message written for the student."""

    passed: bool
    message: str

    def __bool__(self):
        return self.passed

    def __str__(self):
        return ("✓ " if self.passed else "✗ ") + self.message

    def __repr__(self):
        return f"Feedback(passed={self.passed}, message={self.message!r})"

    def _repr_markdown_(self):
        colour = "#1b7f3b" if self.passed else "#b35900"
        mark = "✓" if self.passed else "✗"
        return f'<span style="color:{colour}; font-weight:bold">{mark}</span> {self.message}'


def _ok(message):
    return Feedback(True, message)


def _no(message):
    return Feedback(False, message)


def battery(kinks=(), *, wide=False) -> np.ndarray:
    """The inputs checkers use: a grid over [-6, 6], some random points, away from any kink.

    With ``wide``, also large magnitudes (±30, ±100, ±1000), to test numerical stability.
    """
    rng = np.random.default_rng(1234)
    x = np.concatenate([np.linspace(-6, 6, 49), rng.normal(0, 2.5, 32), [-1e-3, 1e-3]])
    if wide:
        x = np.concatenate([x, [-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0]])
    for k in kinks:
        x = x[np.abs(x - k) > 1e-6]
    return np.sort(x)


def _call(student, x, what):
    """Call the student's function; return (values, problem message or None)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            out = student(x.copy())
    except RuntimeWarning as w:
        return None, f"your {what} raised a RuntimeWarning ({w}) on inputs such as {x[[0, -1]]}: use a numerically stable formula"
    except Exception as exc:  # the student's code may raise anything
        return None, f"calling your {what} on a NumPy array raised {type(exc).__name__}: {exc}. It should accept an array and work element by element"
    try:
        out = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return None, f"your {what} returned {type(out).__name__}, not an array of numbers"
    if out.shape != x.shape:
        return None, f"your {what} returned shape {out.shape} for an input of shape {x.shape}: it should work element by element"
    return out, None


def _compare(got, want, x, rtol, atol, what, name, extra_hints=()):
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    msg = f"at x = {x[i]:.4g} your {what} gives {got[i]:.6g}, expected {want[i]:.6g} ({int(bad.sum())} of {x.size} test points differ)"
    for condition, hint in extra_hints:
        if condition:
            msg += f". Hint: {hint}"
            break
    return msg


def check_activation(student_fn, name, *, wide=False, rtol=1e-6, atol=1e-9, **params) -> Feedback:
    """Check a student's forward function against the registry's ``name`` (with ``params``).

    ``wide=True`` also tests large inputs (±1000) and requires no RuntimeWarning: use it for the
    "make it numerically stable" exercises.
    """
    act = get(name, **params)
    if not callable(student_fn):
        return _no(f"expected a function of x; got {student_fn!r}")
    x = battery(act.kinks, wide=wide)
    got, problem = _call(student_fn, x, "function")
    if problem:
        return _no(problem)
    want = act(x)
    if np.isnan(got).any() and not np.isnan(want).any():
        i = int(np.argmax(np.isnan(got)))
        return _no(f"your function returns NaN at x = {x[i]:.4g}; {act.label}({x[i]:.4g}) = {want[i]:.6g}. Look for inf − inf or 0 · inf in the formula")
    hints = [
        (np.allclose(got, -want, rtol=rtol, atol=atol), "your values have the wrong sign everywhere"),
        (np.allclose(got, act.grad(x), rtol=rtol, atol=atol), "this is the derivative, not the function"),
        (np.allclose(got[x > 0], want[x > 0], rtol=rtol, atol=atol), "positive inputs are right; look at the branch for x ≤ 0"),
        (np.allclose(got[x < 0], want[x < 0], rtol=rtol, atol=atol), "negative inputs are right; look at the branch for x > 0"),
    ]
    problem = _compare(got, want, x, rtol, atol, "function", act.label, hints)
    if problem:
        return _no(problem)
    where = "including |x| up to 1000 without warnings" if wide else "on [−6, 6]"
    return _ok(f"your function matches {act.label} at all {x.size} test points, {where}.")


def check_derivative(student_grad, name, *, rtol=1e-6, atol=1e-9, **params) -> Feedback:
    """Check a student's derivative against the registry's (away from kinks)."""
    act = get(name, **params)
    if not act.elementwise:
        raise ValueError(f"check_derivative: {name} is a vector function; check its Jacobian with check_array.")
    if not callable(student_grad):
        return _no(f"expected a function of x; got {student_grad!r}")
    x = battery(act.kinks)
    got, problem = _call(student_grad, x, "derivative")
    if problem:
        return _no(problem)
    want = act.grad(x)
    ratio = np.divide(got, want, out=np.full_like(got, np.nan), where=np.abs(want) > 1e-6)
    finite = ratio[np.isfinite(ratio)]
    constant_ratio = finite.size > 3 and np.allclose(finite, finite[0], rtol=1e-6) and not np.isclose(finite[0], 1.0) and finite[0] != 0
    hints = [
        (np.allclose(got, 0.0), "your derivative is 0 everywhere: is the function still a placeholder?"),
        (np.allclose(got, act(x), rtol=rtol, atol=atol), "this is the function itself, not its derivative"),
        (np.allclose(got, -want, rtol=rtol, atol=atol), "the sign is flipped everywhere"),
        (constant_ratio, f"your derivative is {finite[0]:.4g} times the right one everywhere: a constant factor (chain rule?) is off" if finite.size else ""),
        (np.allclose(got[x > 0], want[x > 0], rtol=rtol, atol=atol), "positive inputs are right; look at the branch for x < 0"),
        (np.allclose(got[x < 0], want[x < 0], rtol=rtol, atol=atol), "negative inputs are right; look at the branch for x > 0"),
    ]
    problem = _compare(got, want, x, rtol, atol, "derivative", act.label, hints)
    if problem:
        return _no(problem)
    kinks = f" (the kink at x = {', '.join(f'{k:g}' for k in act.kinks)} was left out)" if act.kinks else ""
    return _ok(f"your derivative matches {act.label}′ at all {x.size} test points{kinks}.")


def check_value(answer, expected, *, name="your answer", rtol=1e-6, atol=0.0, hint="") -> Feedback:
    """Check a number. ``hint`` is added when the answer is wrong."""
    try:
        value = check_real("check_value", name, answer)
    except (TypeError, ValueError) as exc:
        return _no(f"{name}: expected a finite number; got {answer!r} ({exc})")
    if math.isclose(value, expected, rel_tol=rtol, abs_tol=atol):
        return _ok(f"{name} = {value:.6g}, correct.")
    msg = f"{name}: expected {expected:.6g}, got {value:.6g}."
    if hint:
        msg += f" Hint: {hint}"
    return _no(msg)


def _array_problem(got, expected, rtol, atol, what=""):
    """What is wrong with ``got`` as a stand-in for ``expected`` (shape, then values), or None.

    ``what`` names the value in the message ("your result"), or nothing.
    """
    of = f" of {what}" if what else ""
    expected = np.asarray(expected, dtype=float)
    if got is None:
        return f"{what or 'the answer'} is None, not numbers (a missing `return`?)"
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected an array of numbers; got {type(got).__name__}"
    if got.shape != expected.shape:
        return f"expected shape {expected.shape}, got {got.shape}" + (f" ({what})" if what else "")
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    if got.ndim == 0:
        return f"{what or 'the value'} is {float(got):.6g}, expected {float(expected):.6g}"
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"entry {idx}{of} is {got[idx]:.6g}, expected {expected[idx]:.6g} ({int(bad.sum())} of {bad.size} entries differ)"


def check_array(answer, expected, *, name="your array", rtol=1e-6, atol=1e-9, hint="") -> Feedback:
    """Check an array: shape first, then values (reports the first entry that differs)."""
    problem = _array_problem(answer, expected, rtol, atol)
    if problem:
        return _no(f"{name}: {problem}." + (f" Hint: {hint}" if hint else ""))
    return _ok(f"{name}: all {np.size(expected)} entries correct.")


def _describe(value, limit=60):
    """A short description of a test input, for feedback messages."""
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            text = np.array2string(value, precision=4, separator=" ").replace("\n", "")
            return text if len(text) <= limit else f"an array of shape {value.shape}"
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= limit else f"a {type(value).__name__}"


def _result_problem(got, want, rtol, atol, what="your result"):
    """Compare a function's result with the reference's: numbers, arrays, or tuples/lists of them."""
    if got is None and want is not None:
        return "your function returned None: did you forget `return`?"
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            if isinstance(got, (tuple, list)):
                came = f"{len(got)}"
            elif isinstance(got, np.ndarray):
                came = f"a single array of shape {got.shape}"
            else:
                came = f"a single {type(got).__name__}"
            return f"expected {len(want)} results, as in `return {', '.join('abcdefgh'[: len(want)])}`; got {came}"
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            problem = _result_problem(g, w, rtol, atol, what=f"result {k + 1} of {len(want)}")
            if problem:
                return problem
        return None
    return _array_problem(got, want, rtol, atol, what=what)


def _fresh(value):
    """A copy of the arrays (and lists, tuples, dicts of them) in ``value``; other objects as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*(_fresh(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def _results_match(a, b, rtol, atol):
    try:
        return _result_problem(a, b, rtol, atol) is None
    except Exception:  # an odd result from a wrong-answer function
        return False


def check_function(student_fn, reference_fn, inputs, *, name="your function", labels=None, rtol=1e-6, atol=1e-9,
                   mistakes=(), hint="") -> Feedback:
    """Check a student's function against a reference function on a few test inputs.

    ``inputs`` is a list of test cases: a case that is a tuple is unpacked into the positional
    arguments, anything else is passed as the only argument (so ``[x1, x2]`` tests f(x1) and
    f(x2), and ``[(W, b), ...]`` tests f(W, b)). Results may be numbers, arrays, or tuples and
    lists of them. Each call gets its own copy of the input arrays (and of the lists, tuples and
    dicts that hold them), so a function that changes its input in place cannot spoil the next
    call. A RuntimeWarning (overflow, division by zero, ...) counts as a failure: it asks for a
    numerically stable formula.

    ``labels`` names the inputs in the feedback (default: a short description of the values).
    ``mistakes`` is a list of ``(wrong_fn, explanation)`` pairs: when the student's result equals
    what ``wrong_fn`` returns on the failing input, ``explanation`` is the hint. ``hint`` is the
    general hint, given when no listed mistake matches.
    """
    if not callable(student_fn):
        return _no(f"{name}: expected a function; got {student_fn!r}")
    cases = list(inputs)
    if not cases:
        raise ValueError("check_function: inputs must hold at least one test case; got none.")
    if labels is not None and len(labels) != len(cases):
        raise ValueError(f"check_function: labels must name each of the {len(cases)} inputs; got {len(labels)} labels.")

    def args_of(case):
        return _fresh(case) if isinstance(case, tuple) else (_fresh(case),)

    for k, case in enumerate(cases):
        if labels is not None:
            where = labels[k]
        elif isinstance(case, tuple):
            where = "the arguments (" + ", ".join(_describe(a) for a in case) + ")"
        else:
            where = f"the input {_describe(case)}"
        want = reference_fn(*args_of(case))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                got = student_fn(*args_of(case))
        except RuntimeWarning as w:
            return _no(f"{name}: on {where}, your function raised a RuntimeWarning ({w}): use a numerically stable formula."
                       + (f" Hint: {hint}" if hint else ""))
        except Exception as exc:  # the student's code may raise anything
            return _no(f"{name}: on {where}, your function raised {type(exc).__name__}: {str(exc).rstrip('.')}." + (f" Hint: {hint}" if hint else ""))
        problem = _result_problem(got, want, rtol, atol)
        if problem is None:
            continue
        message = f"{name}: on {where}, {problem}" + ("" if problem.endswith(("?", ".")) else ".")
        for wrong_fn, explanation in mistakes:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    wrong = wrong_fn(*args_of(case))
            except Exception:  # a wrong answer may not even run on this input
                continue
            if _results_match(got, wrong, rtol, atol):
                return _no(message + f" Hint: {explanation}")
        return _no(message + (f" Hint: {hint}" if hint else ""))
    count = f"all {len(cases)} test inputs" if len(cases) > 1 else "the test input"
    return _ok(f"{name} gives the right result on {count}.")


def check_choice(answer, correct, explanations: dict | None = None, *, name="your choice") -> Feedback:
    """Check a multiple-choice answer; ``explanations`` maps each option to why it is right or wrong."""
    explanations = explanations or {}
    options = set(explanations) | {correct}
    key = answer.strip().lower() if isinstance(answer, str) else answer
    normalised = {(o.lower() if isinstance(o, str) else o): o for o in options}
    if key not in normalised:
        return _no(f"{name}: {answer!r} is not one of the options {sorted(map(str, options))}.")
    option = normalised[key]
    why = explanations.get(option, "")
    if option == correct:
        return _ok(f"{name}: {option!r} is right." + (f" {why}" if why else ""))
    return _no(f"{name}: {option!r} is not right." + (f" {why}" if why else ""))


# ----------------------------------------------------------------------------------------------
# Keras models. TensorFlow is imported only when check_model is called with something that looks
# like a model (a model has ``layers``), through actlib's quiet loader.

_ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu", "Softmax": "softmax"}
_LOSS_SHORTCUTS = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "bce": "binary_crossentropy"}
_CROSS_ENTROPIES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _canonical_activation(name: str) -> str:
    from .registry import aliases

    name = name.lower()
    return aliases().get(name, name)


def _allowed(spec) -> tuple[str, ...]:
    """A name or a collection of names, as a tuple of canonical names."""
    names = (spec,) if isinstance(spec, str) else tuple(spec)
    return tuple(dict.fromkeys(_canonical_activation(n) for n in names))


def _initializer_name(initializer) -> str:
    if isinstance(initializer, str):
        return initializer.lower()
    return _snake(type(initializer).__name__)


def _activation_of(layer, keras) -> str | None:
    """The activation a layer applies: a canonical name, a description of a custom one, or None."""
    kind = type(layer).__name__
    if kind in _ACTIVATION_LAYERS:
        return _ACTIVATION_LAYERS[kind]
    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    if isinstance(fn, str):
        return _canonical_activation(fn)
    name = getattr(fn, "__name__", None)
    if name is None or name == "<lambda>":
        return "a custom function"
    return _canonical_activation(name)


def _dense_blocks(model, keras):
    """[(dense layer, activation name)] in order; a separate activation layer right after a Dense
    layer with no activation of its own counts as that layer's activation."""
    blocks = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            blocks.append([layer, _activation_of(layer, keras)])
        elif blocks and blocks[-1][1] == "linear":
            act = _activation_of(layer, keras)
            if act is not None and not isinstance(layer, keras.layers.Dense):
                blocks[-1][1] = act
    return [tuple(b) for b in blocks]


def _quote(names) -> str:
    names = list(names)
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _loss_of(model):
    """(canonical name, from_logits) of a compiled model's loss, or (None, False)."""
    loss = getattr(model, "loss", None)
    if loss is None:
        return None, False
    if isinstance(loss, str):
        name = loss.lower()
        return _LOSS_SHORTCUTS.get(name, name), False
    config = {}
    if hasattr(loss, "get_config"):
        try:
            config = loss.get_config()
        except Exception:  # a custom loss without a config
            config = {}
    if type(loss).__name__ not in ("LossFunctionWrapper", "function") and hasattr(loss, "get_config"):
        name = _snake(type(loss).__name__)
    else:
        name = config.get("name") or getattr(loss, "__name__", type(loss).__name__)
    return _LOSS_SHORTCUTS.get(name, name), bool(config.get("from_logits", False))


def _predict(model, x):
    return np.asarray(model(np.asarray(x, dtype="float32"), training=False), dtype=float)


def _accuracy(probs, y, output_activation):
    y = np.asarray(y)
    if probs.shape[-1] == 1:
        threshold = 0.5 if output_activation == "sigmoid" else 0.0  # a linear single output is read as a logit
        predicted = (probs[:, 0] > threshold).astype(int)
        labels = y.reshape(-1).astype(int)
    else:
        predicted = probs.argmax(axis=-1)
        labels = y.argmax(axis=-1) if y.ndim == 2 and y.shape[1] == probs.shape[-1] else y.reshape(-1).astype(int)
    return float(np.mean(predicted == labels))


def _gradient_ratio(model, blocks, x, y, output_activation, keras):
    """first hidden kernel's gradient norm / last hidden kernel's, for the loss that fits the output layer."""
    import tensorflow as tf

    n_out = blocks[-1][0].units
    y = np.asarray(y)
    if n_out == 1:
        if output_activation == "sigmoid":
            loss_fn = keras.losses.BinaryCrossentropy()
        else:
            loss_fn = keras.losses.MeanSquaredError()
        target = y.reshape(-1, 1).astype("float32")
    elif y.ndim == 2:
        loss_fn = keras.losses.CategoricalCrossentropy(from_logits=output_activation != "softmax")
        target = y.astype("float32")
    else:
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=output_activation != "softmax")
        target = y.astype("int32")
    kernels = [block[0].kernel for block in blocks[:-1]]
    with tf.GradientTape() as tape:
        loss = loss_fn(target, model(np.asarray(x, dtype="float32"), training=True))
    grads = tape.gradient(loss, kernels)
    norms = [float(tf.norm(g)) if g is not None else 0.0 for g in grads]
    return norms[0] / norms[-1] if norms[-1] > 0 else float("nan"), norms


def _data_checks(model, blocks, data, output_act, min_accuracy, min_gradient_ratio, keras):
    """The checks that run the model on data: (problems, measurements)."""
    x, y = data
    problems, measured = [], []
    hidden = blocks[:-1]
    if min_accuracy is not None:
        accuracy = _accuracy(_predict(model, x), y, output_act)
        if accuracy < min_accuracy:
            problems.append(f"its accuracy is {accuracy:.2f} on the data you gave, needs ≥ {min_accuracy:g} (train it longer, or check the architecture)")
        else:
            measured.append(f"accuracy {accuracy:.2f} (≥ {min_accuracy:g})")
    if min_gradient_ratio is not None:
        if len(hidden) < 2:
            problems.append("a gradient ratio needs at least two hidden Dense layers")
        else:
            ratio, _ = _gradient_ratio(model, blocks, x, y, output_act, keras)
            first, last = hidden[0][0].name, hidden[-1][0].name
            if not ratio >= min_gradient_ratio:
                problems.append(f"the gradient of the first hidden kernel ('{first}') is {ratio:.2g} times the last one's ('{last}'), "
                                f"needs ≥ {min_gradient_ratio:g}: the gradient vanishes on its way down")
            else:
                measured.append(f"first / last hidden kernel gradient {ratio:.2g} (≥ {min_gradient_ratio:g})")
    return problems, measured


def check_model(model, *, input_shape=None, n_outputs=None, n_hidden=None, hidden_activation=None, hidden_initializer=None,
                output_activation=None, loss=None, max_params=None, data=None, min_accuracy=None, min_gradient_ratio=None,
                name="your model", hint="") -> Feedback:
    """Check a student's Keras model and say what is wrong with it, layer by layer.

    Every option is a requirement; leave it ``None`` to skip it.

    - ``input_shape``: the shape of one example, such as ``(2,)``;
    - ``n_outputs``: units of the output layer (the last ``Dense`` layer);
    - ``n_hidden``: the number of hidden ``Dense`` layers (every ``Dense`` layer but the last);
    - ``hidden_activation``, ``output_activation``: an activation name (Keras' or the course's:
      ``"silu"`` and ``"swish"`` are the same) or a collection of accepted names. A separate
      activation layer (``keras.layers.Activation``, ``ReLU``, ``LeakyReLU``, ...) right after a
      ``Dense`` layer without activation counts as that layer's activation;
    - ``hidden_initializer``: the Keras name of the hidden layers' ``kernel_initializer`` (or a collection);
    - ``loss``: the model must be compiled with this loss (a Keras name such as
      ``"sparse_categorical_crossentropy"``). A compiled cross-entropy loss must also match the output
      layer: ``from_logits=True`` with a linear output, ``False`` with softmax or sigmoid;
    - ``max_params``: an upper bound on ``model.count_params()``;
    - ``data=(x, y)``, with ``min_accuracy``: the classification accuracy on that data (argmax of
      the outputs, or a threshold for one output unit: 0.5 after a sigmoid, 0 for a logit);
    - ``data=(x, y)``, with ``min_gradient_ratio``: the gradient norm of the first hidden kernel
      divided by the last hidden kernel's, for the loss that fits the output layer, at least this
      (a small ratio means vanishing gradients).

    ``hint`` is added to the feedback when something is wrong.
    """
    if model is None or not hasattr(model, "layers") or not hasattr(model, "count_params"):
        return _no(f"{name}: expected a Keras model (keras.Sequential([...]) or keras.Model(inputs, outputs)); got {model!r}.")
    from .keras_loader import keras as _load_keras

    keras = _load_keras()
    if not isinstance(model, keras.Model):
        return _no(f"{name}: expected a Keras model (keras.Sequential([...]) or keras.Model(inputs, outputs)); got {type(model).__name__}.")
    try:
        model_input_shape = model.input_shape
        model_output_shape = model.output_shape
    except (AttributeError, ValueError) as exc:
        return _no(f"{name}: Keras does not know the model's input shape yet ({exc}). Start it with keras.Input(shape=...).")
    if isinstance(model_input_shape, list) or isinstance(model_output_shape, list):
        return _no(f"{name}: expected one input and one output; this model has {len(model.inputs)} input(s) and {len(model.outputs)} output(s).")

    blocks = _dense_blocks(model, keras)
    if not blocks:
        return _no(f"{name}: has no Dense layer; build it from keras.layers.Dense layers.")
    problems = []
    wrong_shape = False
    if input_shape is not None and tuple(model_input_shape[1:]) != tuple(input_shape):
        problems.append(f"its input has shape {tuple(model_input_shape[1:])}, expected {tuple(input_shape)} (keras.Input(shape={tuple(input_shape)}))")
        wrong_shape = True

    output_layer, output_act = blocks[-1]
    hidden = blocks[:-1]
    if n_outputs is not None and output_layer.units != n_outputs:
        problems.append(f"its output layer '{output_layer.name}' has {output_layer.units} unit{'s' if output_layer.units != 1 else ''}, expected {n_outputs}")
    if n_hidden is not None and len(hidden) != n_hidden:
        problems.append(f"it has {len(hidden)} hidden Dense layer{'s' if len(hidden) != 1 else ''}, expected {n_hidden}")
    if hidden_activation is not None:
        allowed = _allowed(hidden_activation)
        for layer, act in hidden:
            if act not in allowed:
                shown = act if act == "a custom function" else f"'{act}'"
                problems.append(f"layer '{layer.name}' uses activation {shown}; expected {_quote(allowed)} in every hidden layer")
                break
    if hidden_initializer is not None:
        allowed = tuple(n.lower() for n in ((hidden_initializer,) if isinstance(hidden_initializer, str) else hidden_initializer))
        for layer, _ in hidden:
            used = _initializer_name(layer.kernel_initializer)
            if used not in allowed:
                problems.append(f"layer '{layer.name}' uses kernel_initializer '{used}'; expected {_quote(allowed)} in every hidden layer")
                break
    if output_activation is not None:
        allowed = _allowed(output_activation)
        if output_act not in allowed:
            shown = output_act if output_act == "a custom function" else f"'{output_act}'"
            problems.append(f"its output layer '{output_layer.name}' uses activation {shown}; expected {_quote(allowed)}")

    loss_name, from_logits = _loss_of(model)
    if loss is not None:
        wanted = tuple(_LOSS_SHORTCUTS.get(n.lower(), n.lower()) for n in ((loss,) if isinstance(loss, str) else loss))
        if loss_name is None:
            problems.append(f"it is not compiled: call model.compile(optimizer=..., loss={_quote(wanted)})")
        elif loss_name not in wanted:
            problems.append(f"it is compiled with the loss '{loss_name}'; expected {_quote(wanted)}")
    if loss_name in _CROSS_ENTROPIES:
        if output_act in ("softmax", "sigmoid") and from_logits:
            problems.append(f"its output layer applies {output_act}, but the loss has from_logits=True: "
                            f"the loss would apply {output_act} a second time (use from_logits=False, or a linear output)")
        elif output_act == "linear" and not from_logits:
            problems.append("its output layer is linear (it outputs logits), but the loss expects probabilities: pass from_logits=True to the loss")

    if output_act == "softmax" and output_layer.units == 1:
        problems.append(f"its output layer '{output_layer.name}' is a softmax over 1 unit, which outputs exactly 1 for every input: "
                        "use a sigmoid for one yes/no output, or one unit per class")

    n_params = model.count_params()
    if max_params is not None and n_params > max_params:
        problems.append(f"it has {n_params:,} parameters, more than the {max_params:,} allowed")

    measured = []
    if (min_accuracy is not None or min_gradient_ratio is not None) and data is None:
        raise ValueError("check_model: min_accuracy and min_gradient_ratio need data=(x, y).")
    if data is not None and not wrong_shape:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # what is wrong goes into the feedback, not into warnings
                found, measured = _data_checks(model, blocks, data, output_act, min_accuracy, min_gradient_ratio, keras)
            problems += found
        except Exception as exc:  # the student's model may fail on the data
            problems.append(f"running it on the data you gave raised {type(exc).__name__}: {exc}")

    if problems:
        if len(problems) == 1:
            text = f"{name}: {problems[0]}."
        else:
            text = f"{name} has {len(problems)} problems: " + "; ".join(f"({k}) {p}" for k, p in enumerate(problems, 1)) + "."
        return _no(text + (f" Hint: {hint}" if hint else ""))
    acts = sorted({act for _, act in hidden})
    summary = [f"input {tuple(model_input_shape[1:])}"]
    if hidden:
        summary.append(f"{len(hidden)} hidden Dense layer{'s' if len(hidden) != 1 else ''} ({', '.join(acts)})")
    summary.append(f"output {output_layer.units} unit{'s' if output_layer.units != 1 else ''} ({output_act})")
    if loss_name is not None:
        summary.append(f"loss {loss_name}" + (" from logits" if from_logits else ""))
    summary.append(f"{n_params:,} parameters")
    return _ok(f"{name} passes every check: " + ", ".join(summary + measured) + ".")
