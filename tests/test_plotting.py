"""actlib.plotting: Figures (not pyplot), one colour per activation, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colors as mcolors
from matplotlib.figure import Figure

import actlib
from actlib import plotting


@pytest.fixture(autouse=True)
def no_pyplot_figures(monkeypatch):
    """Every test here: pyplot's figure list is unchanged and plt.show() is never called."""
    import matplotlib.pyplot as plt

    def _no_show(*args, **kwargs):
        raise AssertionError("actlib.plotting called plt.show()")

    monkeypatch.setattr(plt, "show", _no_show)
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "actlib.plotting created pyplot figures"


def _hex(c):
    return mcolors.to_hex(c)


@pytest.mark.parametrize("derivative", [True, False])
def test_plot_activations_returns_a_figure_with_the_course_colours(derivative):
    names = ["relu", "sigmoid", actlib.get("elu", alpha=0.5), "gelu"]
    fig = plotting.plot_activations(names, derivative=derivative)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == (2 if derivative else 1)
    for ax in fig.axes:
        lines = [line for line in ax.lines if line.get_label() and not line.get_label().startswith("_")]
        assert len(lines) == len(names)
        for line, a in zip(lines, names, strict=True):
            assert _hex(line.get_color()) == _hex(plotting.color(a)), f"{line.get_label()}: {line.get_color()}"
    labels = [line.get_label() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    assert labels == ["relu", "sigmoid", "elu(alpha=0.5)", "gelu"]


def test_plotted_data_are_the_activation_and_its_derivative():
    x = np.linspace(-3, 3, 61)
    fig = plotting.plot_activations("swish", x=x)
    f_line, d_line = fig.axes[0].lines[0], fig.axes[1].lines[0]
    np.testing.assert_array_equal(f_line.get_xdata(), x)
    np.testing.assert_array_equal(f_line.get_ydata(), actlib.get("swish")(x))
    np.testing.assert_array_equal(d_line.get_ydata(), actlib.get("swish").grad(x))


def test_same_activation_twice_gets_the_same_colour_different_dashes():
    fig = plotting.plot_activations([actlib.get("elu"), actlib.get("elu", alpha=0.3)], derivative=False)
    a, b = fig.axes[0].lines[:2]
    assert _hex(a.get_color()) == _hex(b.get_color()) == _hex(plotting.color("elu"))
    assert a.get_linestyle() != b.get_linestyle()


def test_draws_on_given_axes():
    fig, axes = plotting.new_figure(2)
    out = plotting.plot_activations(["tanh"], axes=axes[0])
    assert out is fig
    assert len(axes[0][0].lines) >= 1
    with pytest.raises(ValueError, match=r"^plot_activations: expected 2 axes \(derivative=True\); got 1\.$"):
        plotting.plot_activations("tanh", axes=[axes[0][0]])


def test_rejects_softmax():
    with pytest.raises(ValueError, match=r"^plot_activations: softmax is a vector function, not a curve"):
        plotting.plot_activations(["relu", "softmax"])


@pytest.mark.parametrize("empty", [[], ()], ids=["list", "tuple"])
def test_rejects_an_empty_list(empty):
    with pytest.raises(ValueError, match=r"^plot_activations: expected at least one activation; got an empty list\.$"):
        plotting.plot_activations(empty)


def test_unknown_name_in_a_plot():
    with pytest.raises(ValueError, match=r"Did you mean 'relu'"):
        plotting.plot_activations(["relo"])


@pytest.mark.parametrize("name", actlib.names())
def test_every_activation_has_its_own_colour(name):
    c = plotting.color(name)
    assert mcolors.is_color_like(c)
    assert plotting.color(actlib.get(name)) == c
    assert plotting.color(name.upper()) == c


def test_colours_are_distinct():
    cols = [plotting.color(n) for n in actlib.names()]
    assert len(set(cols)) == len(cols)


def test_colour_is_the_same_for_aliases_and_parameters():
    for alias, target in actlib.aliases().items():
        assert plotting.color(alias) == plotting.color(target)
    assert plotting.color("silu") == plotting.color("swish")
    assert plotting.color(actlib.get("elu", alpha=0.5)) == plotting.color("elu")


def test_colour_of_an_unknown_name_is_stable():
    assert plotting.color("my_activation") == plotting.color("my_activation")
    assert mcolors.is_color_like(plotting.color("my_activation"))


def test_figures_are_not_registered_with_pyplot():
    """Widgets redraw many times: pyplot must not keep (leak) the figures."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for _ in range(3):
        plotting.plot_activations(["relu", "tanh"])
        plotting.new_figure(3, 2)
    assert plt.get_fignums() == before
