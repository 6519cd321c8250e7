"""The registry API: names, aliases, lookup, records, display, register/unregister."""

from __future__ import annotations

import math

import _actlib_cases as cases
import numpy as np
import pytest
from _actlib_cases import ACTIVATIONS, each

import actlib
from actlib.registry import Activation

REQUIRED = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "softplus", "swish", "gelu", "mish", "softmax"]


def test_names_sorted_and_complete():
    names = actlib.names()
    assert isinstance(names, list)
    assert names == sorted(names)
    assert len(names) == len(set(names))
    missing = sorted(set(REQUIRED) - set(names))
    assert not missing, f"required activations missing: {missing}"
    assert "silu" not in names, "aliases are not repeated in names()"


def test_names_returns_a_copy():
    names = actlib.names()
    names.append("bogus")
    assert "bogus" not in actlib.names()


def test_aliases():
    assert actlib.aliases()["silu"] == "swish"
    assert actlib.get("silu").name == "swish"
    assert actlib.get("silu", beta=2.0).params["beta"] == 2.0
    for alias, target in actlib.aliases().items():
        assert target in actlib.names()
        assert actlib.get(alias).name == target
        assert alias not in actlib.names()


@pytest.mark.parametrize("spelling", ["ReLU", "RELU", " relu ", "Relu"])
def test_get_is_case_insensitive(spelling):
    assert actlib.get(spelling).name == "relu"


@pytest.mark.parametrize(("spelling", "name"), [("Leaky_ReLU", "leaky_relu"), ("leaky-relu", "leaky_relu"), ("SiLU", "swish"), ("GELU", "gelu"), ("Softmax", "softmax")])
def test_get_normalises_spellings(spelling, name):
    assert actlib.get(spelling).name == name


@each(ACTIVATIONS)
def test_get_of_an_activation_returns_it(act):
    assert actlib.get(act) is act
    again = actlib.get(act.name, **act.params)
    assert again.label == act.label and dict(again.params) == dict(act.params)
    x = np.linspace(-3, 3, 7) if act.elementwise else np.array([[0.1, 2.0, -1.0]])
    np.testing.assert_array_equal(again(x), act(x))


def test_get_of_an_activation_with_params():
    elu = actlib.get("elu")
    elu2 = actlib.get(elu, alpha=2.0)
    assert elu2.params["alpha"] == 2.0 and elu.params["alpha"] == 1.0
    assert elu2(-100.0) == pytest.approx(-2.0)


def test_get_none_is_linear():
    act = actlib.get(None)
    assert act.name == "linear"
    np.testing.assert_array_equal(act([1.0, -2.0]), [1.0, -2.0])


def test_defaults_from_the_contract():
    assert actlib.get("leaky_relu").params["alpha"] == 0.01
    assert actlib.get("prelu").params["alpha"] == 0.25
    assert actlib.get("elu").params["alpha"] == 1.0
    assert actlib.get("swish").params["beta"] == 1.0
    assert actlib.get("gelu").params["approximate"] is False
    assert dict(actlib.get("relu").params) == {}


def test_params_are_read_only_and_canonical():
    act = actlib.get("elu", alpha=2)
    with pytest.raises(TypeError):
        act.params["alpha"] = 3.0
    assert type(act.params["alpha"]) is float
    assert type(actlib.get("elu", alpha=np.float32(0.5)).params["alpha"]) is float
    assert actlib.get("elu", alpha=np.float32(0.5)).label == "elu(alpha=0.5)"
    with pytest.raises(AttributeError):
        act.name = "relu"  # records are frozen


def test_with_params():
    elu = actlib.get("elu")
    elu05 = elu.with_params(alpha=0.5)
    assert elu05.params["alpha"] == 0.5
    assert elu05(-100.0) == pytest.approx(-0.5)
    assert elu.params["alpha"] == 1.0, "with_params returns a new record"
    assert elu05.with_params().params["alpha"] == 0.5
    assert actlib.get("gelu").with_params(approximate="tanh").params["approximate"] == "tanh"


def test_label():
    assert actlib.get("relu").label == "relu"
    assert actlib.get("elu").label == "elu"
    assert actlib.get("elu", alpha=1.0).label == "elu"
    assert actlib.get("elu", alpha=0.5).label == "elu(alpha=0.5)"
    assert actlib.get("swish", beta=2).label == "swish(beta=2.0)"
    assert actlib.get("gelu", approximate="tanh").label == "gelu(approximate='tanh')"
    assert actlib.get("silu").label == "swish"


def test_repr():
    assert repr(actlib.get("relu")) == "Activation('relu')"
    assert repr(actlib.get("elu", alpha=0.5)) == "Activation('elu', alpha=0.5)"
    assert repr(actlib.get("gelu")) == "Activation('gelu', approximate=False)"


@each(ACTIVATIONS)
def test_markdown_and_card(act):
    md = act._repr_markdown_()
    assert md.startswith(f"**{act.label}**")
    assert act.formula in md, "the formula is shown"
    assert f"${act.formula}$" in md, "as LaTeX between dollars"
    assert act.reference.replace("|", "\\|") in md
    assert act.keras_code in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") - line.count("\\|") >= 1 for line in rows), "each row has two cells"
    card = act.card()
    assert card.splitlines()[0].startswith(act.label)
    assert "formula" in card and "output range" in card
    assert actlib.describe(act) == card
    if act.minimum is not None:
        assert "minimum" in md


def test_describe_by_name():
    text = actlib.describe("elu", alpha=0.5)
    assert text.startswith("elu(alpha=0.5)")
    assert "kinks" in text and "α" in text


def test_kink_conventions_are_shown():
    md = actlib.get("relu")._repr_markdown_()
    assert "x = 0" in md and "TensorFlow" in md


def test_records_are_cached_consistently():
    """Two lookups give equal records (same numbers, same minimum)."""
    a, b = actlib.get("swish", beta=0.5), actlib.get("swish", beta=0.5)
    assert a.minimum == b.minimum and a.output_range == b.output_range


# ---------------------------------------------------------------------------------------------
# register(): a custom activation gets the same treatment as the built-ins
@pytest.fixture(params=[("test_softsign", {}), ("test_logish", {}), ("test_logish", {"beta": 2.5})], ids=["softsign", "logish", "logish-beta=2.5"])
def custom(request, monkeypatch):
    name, params = request.param
    spec = cases.CUSTOM[name]
    act = actlib.register(name, spec["fn"], spec["grad"], params=spec.get("params"), **spec["fields"])
    request.addfinalizer(lambda: actlib.unregister(name))
    monkeypatch.setitem(cases.MP_REFERENCES, name, spec["mp"])
    monkeypatch.setitem(cases.LIMITS, name, spec["limits"])
    return act.with_params(**params) if params else act


def test_registered_activation_is_known(custom):
    assert custom.name in actlib.names()
    assert actlib.names() == sorted(actlib.names())
    assert actlib.get(custom.name.upper()).name == custom.name
    assert isinstance(custom, Activation)


def test_registered_activation_values_vs_mpmath(custom):
    cases.check_values_mp(custom)
    cases.check_values_mp_float32(custom)


def test_registered_activation_derivative_vs_central_differences(custom):
    cases.check_central_difference(custom)


@pytest.mark.parametrize("dtype", cases.FLOATS, ids=lambda d: d.__name__)
def test_registered_activation_numerics(custom, dtype):
    cases.check_extremes(custom, dtype)
    cases.check_nan(custom, dtype)
    if dtype is not np.float16:
        cases.check_infinities(custom, dtype)


def test_registered_activation_dtypes_and_shapes(custom):
    cases.check_dtypes(custom)
    cases.check_shapes(custom)


def test_registered_activation_flags(custom):
    cases.check_monotonic_flag(custom)
    cases.check_output_range(custom)
    cases.check_smooth_flag(custom)
    cases.check_zero_centered_flag(custom)
    if not custom.monotonic:
        cases.check_minimum(custom)


def test_registered_activation_errors(custom):
    with pytest.raises(TypeError, match=rf"^{custom.name}: expected real numbers"):
        custom("abc")
    with pytest.raises(TypeError, match=rf"^{custom.name}\.grad: expected real numbers"):
        custom.grad([1.0, None])


def test_registered_activation_in_plots(custom):
    from actlib import plotting

    fig = plotting.plot_activations([custom, "relu"])
    assert fig.axes[0].lines[0].get_label() == custom.label
    assert plotting.color(custom.name) == plotting.color(custom)


def test_unregister_removes_it():
    act = actlib.register("test_tmp", lambda x: 2 * x, lambda x: np.full_like(x, 2.0), formula="2x")
    assert act.formula == "2x" and "test_tmp" in actlib.names()
    actlib.unregister("test_tmp")
    assert "test_tmp" not in actlib.names()
    with pytest.raises(ValueError, match="unknown activation 'test_tmp'"):
        actlib.get("test_tmp")


def test_registered_parameters():
    spec = cases.CUSTOM["test_logish"]
    act = actlib.register("test_logish", spec["fn"], spec["grad"], params=spec["params"], **spec["fields"])
    try:
        assert dict(act.params) == {"beta": 1.0}
        assert act.label == "test_logish"
        steeper = actlib.get("test_logish", beta=3.0)
        assert steeper.label == "test_logish(beta=3.0)"
        assert steeper(2.0) == pytest.approx(2.0 * math.log1p(1 / (1 + math.exp(-6.0))), rel=1e-15)
        # the dip is located for each parameter value
        assert steeper.minimum[0] == pytest.approx(act.minimum[0] / 3.0, rel=1e-9)
        with pytest.raises(TypeError, match=r"test_logish takes parameters 'beta'; got 'alpha'"):
            actlib.get("test_logish", alpha=1.0)
    finally:
        actlib.unregister("test_logish")
