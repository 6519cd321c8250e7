"""Every error message: which function, what was expected, what came (DESIGN.md §8)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _actlib_cases import ACTIVATIONS, ELEMENTWISE, each

import actlib
from actlib import activations as A

# ---------------------------------------------------------------------------------------------
# unknown names


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("relo", "relu"),
        ("sigmoidd", "sigmoid"),
        ("leaky", "leaky_relu"),
        ("gleu", "gelu"),
        ("tahn", "tanh"),
        ("sillu", "silu"),
        ("softmx", "softmax"),
    ],
)
def test_unknown_name_suggests_the_closest_and_lists_all(typo, suggestion):
    with pytest.raises(ValueError) as info:
        actlib.get(typo)
    msg = str(info.value)
    assert msg.startswith("actlib.get:")
    assert repr(typo) in msg, "the message repeats what was received"
    assert re.search(r"[Dd]id you mean [^?]*" + re.escape(repr(suggestion)), msg), f"no suggestion of {suggestion!r} in: {msg}"
    for name in actlib.names():
        assert name in msg, f"{name!r} missing from the list of known names: {msg}"
    assert "silu" in msg, "aliases are listed too"


def test_unknown_name_without_close_match_still_lists_all():
    with pytest.raises(ValueError, match=r"unknown activation 'zzzzzz'\. Known: ") as info:
        actlib.get("zzzzzz")
    assert "Did you mean" not in str(info.value)
    assert all(name in str(info.value) for name in actlib.names())


@pytest.mark.parametrize("bad", [3, 1.5, ["relu"], b"relu", object()], ids=["int", "float", "list", "bytes", "object"])
def test_name_of_the_wrong_type(bad):
    with pytest.raises(TypeError, match=r"^actlib\.get: expected an activation name \(str\) or an Activation; got .* of type"):
        actlib.get(bad)


# ---------------------------------------------------------------------------------------------
# parameter values
BAD_PARAMS = [
    ("elu", {"alpha": 0}, ValueError, r"^elu: alpha must be > 0; got 0\.$"),
    ("elu", {"alpha": -1.5}, ValueError, r"^elu: alpha must be > 0; got -1\.5\.$"),
    ("leaky_relu", {"alpha": -1}, ValueError, r"^leaky_relu: alpha must be >= 0; got -1\.$"),
    ("swish", {"beta": -1}, ValueError, r"^swish: beta must be >= 0; got -1\.$"),
    ("gelu", {"approximate": "cubic"}, ValueError, r"^gelu: approximate must be False \(exact.*'tanh' or 'sigmoid'; got 'cubic'\.$"),
    ("gelu", {"approximate": 1.5}, TypeError, r"^gelu: approximate must be False .*; got 1\.5 of type float\.$"),
    ("gelu", {"approximate": 0}, TypeError, r"^gelu: approximate must be False .*; got 0 of type int\.$"),
    ("gelu", {"approximate": ["tanh"]}, TypeError, r"^gelu: approximate must be False .*; got \['tanh'\] of type list\.$"),
    ("elu", {"alpha": "x"}, TypeError, r"^elu: alpha must be a real number; got 'x' of type str\.$"),
    ("elu", {"alpha": None}, TypeError, r"^elu: alpha must be a real number; got None of type NoneType\.$"),
    ("elu", {"alpha": True}, TypeError, r"^elu: alpha must be a real number; got True of type bool\.$"),
    ("elu", {"alpha": 1 + 2j}, TypeError, r"^elu: alpha must be a real number; got \(1\+2j\) of type complex\.$"),
    ("elu", {"alpha": float("nan")}, ValueError, r"^elu: alpha must be finite; got nan\.$"),
    ("prelu", {"alpha": float("inf")}, ValueError, r"^prelu: alpha must be finite; got inf\.$"),
    ("leaky_relu", {"alpha": np.nan}, ValueError, r"^leaky_relu: alpha must be finite; got nan\.$"),
    ("swish", {"beta": "2"}, TypeError, r"^swish: beta must be a real number; got '2' of type str\.$"),
]


@pytest.mark.parametrize(
    ("name", "params", "exc", "pattern"),
    BAD_PARAMS,
    ids=[f"{n}-" + ",".join(f"{k}={v!r}" for k, v in p.items()) for n, p, _, _ in BAD_PARAMS],
)
def test_bad_parameter_value(name, params, exc, pattern):
    """The message names the function, the expectation and the value received."""
    with pytest.raises(exc, match=pattern):
        actlib.get(name, **params)


@pytest.mark.parametrize(
    ("name", "params", "pattern"),
    [
        ("elu", {"beta": 1}, r"^actlib\.get: elu takes parameters 'alpha'; got 'beta'\."),
        ("swish", {"alpha": 1}, r"^actlib\.get: swish takes parameters 'beta'; got 'alpha'\."),
        ("swish", {"betta": 1}, r"^actlib\.get: swish takes parameters 'beta'; got 'betta'\. Did you mean 'beta'\?$"),
        ("gelu", {"approx": "tanh"}, r"^actlib\.get: gelu takes parameters 'approximate'; got 'approx'\. Did you mean 'approximate'\?$"),
        ("leaky_relu", {"alpah": 0.1}, r"Did you mean 'alpha'\?$"),
        ("relu", {"alpha": 0.1}, r"^actlib\.get: relu takes no parameters; got 'alpha'\.$"),
        ("softmax", {"axis": 0}, r"^actlib\.get: softmax takes no parameters; got 'axis'\.$"),
    ],
)
def test_unknown_parameter_name(name, params, pattern):
    with pytest.raises(TypeError, match=pattern):
        actlib.get(name, **params)


def test_with_params_reports_like_get():
    with pytest.raises(TypeError, match="elu takes parameters 'alpha'; got 'beta'"):
        actlib.get("elu").with_params(beta=2.0)
    with pytest.raises(ValueError, match="elu: alpha must be > 0; got -2"):
        actlib.get("elu").with_params(alpha=-2.0)


@pytest.mark.parametrize("bad", ["cubic", 2, None.__class__], ids=["str", "int", "type"])
def test_module_level_gelu_rejects_unknown_approximations(bad):
    """actlib.activations.gelu never falls back silently to another formula."""
    with pytest.raises((ValueError, TypeError), match=r"^gelu: approximate must be"):
        A.gelu(1.0, approximate=bad)
    with pytest.raises((ValueError, TypeError), match=r"^gelu: approximate must be"):
        A.gelu_grad(1.0, approximate=bad)


def test_gelu_approximate_spellings():
    """True means 'tanh' (Keras' meaning); None, 'exact', 'erf' mean the exact form."""
    exact, tanh = actlib.get("gelu"), actlib.get("gelu", approximate="tanh")
    x = np.linspace(-4, 4, 9)
    for spelling in (True, "tanh", "TANH", np.True_):
        act = actlib.get("gelu", approximate=spelling)
        assert act.params["approximate"] == "tanh"
        np.testing.assert_array_equal(act(x), tanh(x))
    for spelling in (False, None, "exact", "erf", np.False_):
        act = actlib.get("gelu", approximate=spelling)
        assert act.params["approximate"] is False
        np.testing.assert_array_equal(act(x), exact(x))
    np.testing.assert_array_equal(A.gelu(x, approximate=True), tanh(x))


# ---------------------------------------------------------------------------------------------
# non-numeric input
BAD_INPUTS = [
    ("string", "abc"),
    ("bytes", b"abc"),
    ("list-of-strings", ["1.0", "2.0"]),
    ("complex", 1 + 2j),
    ("complex-array", np.array([1.0, 2j])),
    ("ragged", [[1.0, 2.0], [3.0]]),
    ("None", None),
    ("list-with-None", [1.0, None]),
    ("dict", {"a": 1.0}),
    ("object-array-with-string", np.array([1.0, "2"], dtype=object)),
    ("datetime", np.datetime64("2020-01-01")),
]


@pytest.mark.parametrize(("kind", "bad"), BAD_INPUTS, ids=[k for k, _ in BAD_INPUTS])
@each(ACTIVATIONS)
def test_non_numeric_input_is_a_type_error_naming_the_function(act, kind, bad):
    for what, fun in (("f", act), ("grad", act.grad)):
        with pytest.raises(TypeError) as info:
            fun(bad)
        msg = str(info.value)
        assert msg.startswith(act.name), f"{act.label} {what}({kind}): the message should start with the function's name: {msg}"
        assert "expected real numbers" in msg, msg


def test_messages_say_what_came():
    relu = actlib.get("relu")
    with pytest.raises(TypeError, match=r"got the string 'abc'"):
        relu("abc")
    with pytest.raises(TypeError, match=r"complex values .*Pass x\.real"):
        relu(np.array([1 + 1j]))
    with pytest.raises(TypeError, match=r"inhomogeneous"):
        relu([[1.0], [2.0, 3.0]])
    with pytest.raises(TypeError, match=r"got None, which contains None \(use np\.nan for a missing value\)"):
        relu(None)
    with pytest.raises(TypeError, match=r"got \[1\.0, None\], which contains None"):
        relu([1.0, None])
    long_string = "x" * 500
    with pytest.raises(TypeError) as info:
        relu(long_string)
    assert len(str(info.value)) < 200, "long inputs are shortened in messages"


def test_numeric_object_arrays_are_accepted():
    np.testing.assert_array_equal(actlib.get("relu")(np.array([-1.0, 2], dtype=object)), [0.0, 2.0])


# ---------------------------------------------------------------------------------------------
# softmax specifics
SOFTMAX = actlib.get("softmax")


@pytest.mark.parametrize("scalar", [3.0, 0, np.float32(1.0), np.array(2.0)], ids=["float", "int", "float32", "0-d-array"])
def test_softmax_of_a_scalar(scalar):
    with pytest.raises(ValueError, match=r"^softmax: expected a vector \(at least 1-D.*\); got the scalar"):
        SOFTMAX(scalar)
    with pytest.raises(ValueError, match=r"^softmax_grad: expected a vector"):
        SOFTMAX.grad(scalar)
    with pytest.raises(ValueError, match=r"^log_softmax: expected a vector"):
        A.log_softmax(scalar)


def test_softmax_empty_and_bad_axis():
    with pytest.raises(ValueError, match=r"^softmax: expected at least one entry along axis -1; got an input of shape \(0,\)\.$"):
        SOFTMAX([])
    with pytest.raises(ValueError, match=r"^softmax: axis must be between -1 and 0 for a 1-D input; got 1\.$"):
        SOFTMAX([1.0, 2.0], axis=1)
    with pytest.raises(TypeError, match=r"^softmax: axis must be an int; got 'last' of type str\.$"):
        SOFTMAX([1.0, 2.0], axis="last")
    with pytest.raises(ValueError, match=r"^log_softmax: axis must be between -2 and 1"):
        A.log_softmax(np.ones((2, 2)), axis=-3)


@each(ELEMENTWISE)
def test_elementwise_activations_take_no_axis(act):
    with pytest.raises(TypeError, match="axis"):
        act([1.0, 2.0], axis=0)


# ---------------------------------------------------------------------------------------------
# register / unregister
def _f(x):
    return x


def test_register_errors():
    with pytest.raises(ValueError, match=r"^actlib\.register: name must be a lower-case Python identifier .*; got 'my-act'\.$"):
        actlib.register("my-act", _f, _f)
    with pytest.raises(ValueError, match=r"got 'MyAct'"):
        actlib.register("MyAct", _f, _f)
    with pytest.raises(ValueError, match=r"got 3\.$"):
        actlib.register(3, _f, _f)
    with pytest.raises(ValueError, match=r"^actlib\.register: 'relu' is a built-in activation and cannot be replaced"):
        actlib.register("relu", _f, _f)
    with pytest.raises(ValueError, match=r"^actlib\.register: 'relu' is a built-in activation"):
        actlib.register("relu", _f, _f, replace_existing=True)
    with pytest.raises(ValueError, match=r"^actlib\.register: 'silu' is an alias of the built-in 'swish'"):
        actlib.register("silu", _f, _f, replace_existing=True)
    with pytest.raises(TypeError, match=r"^actlib\.register: grad must be a function of x; got 1\.$"):
        actlib.register("test_bad", _f, 1)
    with pytest.raises(TypeError, match=r"^actlib\.register: unknown field\(s\) colour, formla; allowed: .*formula"):
        actlib.register("test_bad", _f, _f, formla="x", colour="red")
    assert "test_bad" not in actlib.names(), "a failed register leaves nothing behind"


def test_register_that_cannot_build_leaves_no_trace():
    """A dip that cannot be located (f' never negative) is an error, and the name stays free."""
    with pytest.raises(ValueError, match=r"derivative is never negative for x < 0"):
        actlib.register("test_nodip", _f, lambda x: np.ones_like(x), output_range=(None, np.inf))
    assert "test_nodip" not in actlib.names()


def test_register_twice_needs_replace_existing():
    actlib.register("test_twice", _f, lambda x: np.ones_like(x))
    try:
        with pytest.raises(ValueError, match=r"^actlib\.register: 'test_twice' is already registered; pass replace_existing=True"):
            actlib.register("test_twice", _f, lambda x: np.ones_like(x))
        act = actlib.register("test_twice", lambda x: 2 * x, lambda x: np.full_like(x, 2.0), replace_existing=True)
        assert act(1.5) == 3.0
    finally:
        actlib.unregister("test_twice")


def test_unregister_errors():
    with pytest.raises(ValueError, match=r"^actlib\.unregister: 'relu' is built in and cannot be removed\.$"):
        actlib.unregister("relu")
    with pytest.raises(ValueError, match=r"^actlib\.unregister: 'silu' is built in"):
        actlib.unregister("silu")
    with pytest.raises(ValueError, match=r"^actlib\.unregister: unknown activation 'nope': no custom activations are registered"):
        actlib.unregister("nope")
    actlib.register("test_mine", _f, lambda x: np.ones_like(x))
    try:
        with pytest.raises(ValueError, match=r"unknown custom activation 'test_mien'\. Did you mean 'test_mine'\? Known: test_mine\."):
            actlib.unregister("test_mien")
    finally:
        actlib.unregister("test_mine")


def test_keras_function_without_equivalent():
    act = actlib.register("test_nokeras", _f, lambda x: np.ones_like(x))
    try:
        with pytest.raises(ValueError, match=r"^test_nokeras\.keras_function: this activation has no Keras equivalent\.$"):
            act.keras_function()
    finally:
        actlib.unregister("test_nokeras")
