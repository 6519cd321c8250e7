"""The activation explorer, headless: change controls from Python and check what is drawn.

Setting a control's ``.value`` runs the explorer's observers synchronously, exactly as a slider
moved in the browser does, so these tests exercise the real callbacks. Latency is measured by
``tools/bench_explorer.py``, not here (a timed test would be flaky on a shared machine).
"""

import importlib.util
import io
from pathlib import Path

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import actlib
from actlib import explorer
from actlib.plotting import color

CURVES = explorer.explorer_names()
ROOT = Path(__file__).resolve().parent.parent


def drawn(line):
    """A line's data without the NaN breaks inserted at kinks."""
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    keep = ~np.isnan(x)
    return x[keep], y[keep]


def assert_draws(line, act):
    x, y = drawn(line)
    np.testing.assert_array_equal(y, act(x))


def assert_draws_grad(line, act):
    x, y = drawn(line)
    np.testing.assert_array_equal(y, act.grad(x))


def png_pixels(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


@pytest.fixture
def w():
    return explorer.activation_explorer("relu")


@pytest.fixture
def custom():
    """A registered activation with a parameter the explorer has never heard of."""
    name = "bent_for_explorer_test"

    def fn(x, gamma=0.5):
        if gamma > 2.5:
            raise ValueError(f"bent: gamma must be at most 2.5; got {gamma}")
        return gamma * np.asarray(x, dtype=float) + np.sin(x)

    actlib.register(name, fn, lambda x, gamma=0.5: gamma + np.cos(np.asarray(x, dtype=float)), params={"gamma": 0.5},
                    formula=r"\gamma x + \sin x", derivative=r"\gamma + \cos x")
    yield name
    actlib.unregister(name)


# -- which activations ------------------------------------------------------------------------


def test_every_curve_of_the_registry_is_offered_and_softmax_is_not():
    assert "softmax" not in CURVES
    assert set(CURVES) == {n for n in actlib.names() if actlib.get(n).elementwise}
    w = explorer.activation_explorer()
    assert list(w.activation.options) == CURVES
    assert list(w.compare.options) == ["none", *CURVES]


def test_a_newly_registered_activation_appears_with_a_slider_for_its_parameter(custom):
    assert custom in explorer.explorer_names()
    w = explorer.activation_explorer(custom)
    gamma = w.controls["gamma"]
    assert isinstance(gamma, W.FloatSlider) and gamma.layout.display is None and gamma.value == 0.5
    assert gamma.min <= 0.5 <= gamma.max
    gamma.value = 1.25
    assert w.state.params == {"gamma": 1.25} and "gamma = 1.25" in w.state.label
    assert_draws(w.figure_state.f_line, actlib.get(custom, gamma=1.25))
    w.activation.value = "relu"
    assert gamma.layout.display == "none"


def test_softmax_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match=r"activation_explorer: softmax is a vector function.*notebook 05.*Choose one of: elu"):
        explorer.activation_explorer("softmax")
    with pytest.raises(ValueError, match="vector function"):
        explorer.activation_explorer("relu", compare="softmax")
    with pytest.raises(ValueError, match="explorer_data: softmax is a vector function"):
        explorer.explorer_data("softmax")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"name": "rleu"}, ValueError, "relu"),
        ({"name": "relu", "alpha": 0.1}, TypeError, "activation_explorer: relu takes no parameters"),
        ({"name": "elu", "alpha": -1.0}, ValueError, "activation_explorer: "),
        ({"name": "relu", "xlim": (3, -3)}, ValueError, "lo < hi"),
        ({"name": "relu", "xlim": "wide"}, TypeError, "pair of numbers"),
        ({"name": "relu", "n": 1}, ValueError, "activation_explorer: n must be an integer >= 2"),
    ],
)
def test_bad_arguments_name_the_function_and_the_fix(kwargs, error, words):
    with pytest.raises(error, match=words):
        explorer.activation_explorer(**kwargs)


def test_names_aliases_and_records_are_accepted():
    assert explorer.activation_explorer("SiLU").activation.value == "swish"
    w = explorer.activation_explorer(actlib.get("elu", alpha=0.4), compare=actlib.get("leaky_relu", alpha=0.2))
    assert w.state.params == {"alpha": 0.4} and w.state.compare_params == {"alpha": 0.2}
    assert_draws(w.figure_state.g_line, actlib.get("leaky_relu", alpha=0.2))


# -- the plain functions ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CURVES)
def test_explorer_data_is_the_registry_evaluated_on_the_grid(name):
    d = explorer.explorer_data(name, compare="tanh", xlim=(-4, 3), n=301)
    act = actlib.get(name)
    np.testing.assert_array_equal(d.x, np.linspace(-4, 3, 301))
    np.testing.assert_array_equal(d.f, act(d.x))
    np.testing.assert_array_equal(d.df, act.grad(d.x))
    np.testing.assert_array_equal(d.g, np.tanh(d.x))
    assert d.color == color(name) and d.compare_color == color("tanh")
    assert d.label.startswith(name) and d.compare_label == "tanh"
    for lim, arrays in ((d.ylim_f, (d.f, d.g)), (d.ylim_df, (d.df, d.dg))):
        assert lim[0] < lim[1]
        assert all(lim[0] <= a.min() and a.max() <= lim[1] for a in arrays)


def test_explorer_data_without_comparison():
    d = explorer.explorer_data("sigmoid", n=11)
    assert d.g is None and d.dg is None and d.compare_act is None and d.compare_label == ""
    assert explorer.explorer_data("sigmoid", compare="none").compare_act is None


@pytest.mark.parametrize(("name", "param", "values"), [("leaky_relu", "alpha", (0.0, 0.37, 1.0)), ("swish", "beta", (0.0, 2.0, 10.0)),
                                                       ("elu", "alpha", (0.1, 3.0)), ("gelu", "approximate", (False, "tanh", "sigmoid"))])
def test_stable_limits_stay_put_while_a_parameter_moves(name, param, values):
    frames = [explorer.explorer_data(name, {param: v}, compare="relu") for v in values]
    assert len({(f.ylim_f, f.ylim_df) for f in frames}) == 1
    auto = [explorer.explorer_data(name, {param: v}, compare="relu", ylim="auto") for v in values]
    assert len({a.ylim_f for a in auto}) > 1 or name == "gelu"


def test_limits_grow_when_code_sets_a_parameter_beyond_the_slider():
    d = explorer.explorer_data("leaky_relu", {"alpha": 3.0})
    assert d.ylim_f[0] <= d.f.min() == -15.0


def test_labels_show_every_parameter():
    assert explorer.curve_label(actlib.get("relu")) == "relu"
    assert explorer.curve_label(actlib.get("leaky_relu")) == "leaky_relu (α = 0.01)"
    assert explorer.curve_label(actlib.get("prelu", alpha=-0.5)) == "prelu (α = −0.50)"
    assert explorer.curve_label(actlib.get("swish", beta=2)) == "swish (β = 2.00)"
    assert explorer.curve_label(actlib.get("gelu", approximate=True)) == "gelu (tanh approx.)"
    assert explorer.curve_label(actlib.get("gelu")) == "gelu (exact)"


@pytest.mark.parametrize("name", actlib.names())
def test_range_latex_agrees_with_the_registry_card(name):
    act = actlib.get(name)
    assert f"${explorer.range_latex(act)}$" in act.card()


def test_param_ranges_are_valid_for_the_registry():
    for (name, param), (lo, hi, step) in explorer.PARAM_RANGES.items():
        default = actlib.get(name).params[param]
        assert lo <= default <= hi and 0 < step < hi - lo
        for value in (lo, hi):
            actlib.get(name, **{param: value})  # both ends of the slider are accepted
    assert explorer.param_range("elu", "alpha") == (0.1, 3.0, 0.05)


def test_param_range_for_a_parameter_the_table_does_not_know(custom):
    assert explorer.param_range(custom, "gamma") == (0.0, 1.5, 0.01)


def test_render_updates_one_figure_in_place_and_returns_png():
    fs = explorer.new_explorer_figure()
    lines = (fs.f_line, fs.df_line, fs.g_line, fs.dg_line)
    png1 = explorer.render(fs, explorer.explorer_data("elu", {"alpha": 0.5}, compare="selu"))
    assert fs.g_line.get_visible() and fs.dg_line.get_linestyle() == "--"
    assert_draws(fs.f_line, actlib.get("elu", alpha=0.5))
    assert_draws_grad(fs.dg_line, actlib.get("selu"))
    assert [t.get_text() for t in fs.legend.get_texts()] == ["elu (α = 0.50)", "selu"]
    png2 = explorer.render(fs, explorer.explorer_data("sigmoid"))
    assert (fs.f_line, fs.df_line, fs.g_line, fs.dg_line) == lines and len(fs.fig.axes) == 2
    assert not fs.g_line.get_visible() and [t.get_text() for t in fs.legend.get_texts()] == ["sigmoid"]
    assert fs.max_text.get_text() == "max f′ = 0.250 at x = 0.00"
    assert png_pixels(png1).shape == png_pixels(png2).shape == (*fs.size_px[::-1], 3)
    assert png1 != png2


def test_blitted_frames_look_like_full_redraws():
    data = explorer.explorer_data("swish", {"beta": 2.5}, compare="gelu")
    blit, full = explorer.new_explorer_figure(), explorer.new_explorer_figure(blit=False)
    explorer.render(blit, explorer.explorer_data("tanh"))  # a different frame first: the pasted background must not leak
    a, b = png_pixels(explorer.render(blit, data)), png_pixels(explorer.render(full, data))
    assert (np.abs(a - b) > 40).mean() < 1e-3


def test_moving_a_slider_reuses_the_axes_and_changing_the_limits_redraws_them():
    fs = explorer.new_explorer_figure()
    for beta in np.linspace(0.5, 5, 10):
        explorer.render(fs, explorer.explorer_data("swish", {"beta": float(beta)}))
    assert fs.full_draws == 1
    explorer.render(fs, explorer.explorer_data("tanh"))
    explorer.render(fs, explorer.explorer_data("swish", {"beta": 1.0}))  # limits seen before: cached
    assert fs.full_draws == 2


def test_derivative_jumps_are_drawn_as_gaps_on_the_side_of_the_kink_convention():
    fs = explorer.new_explorer_figure()
    explorer.render(fs, explorer.explorer_data("relu", compare="selu", xlim=(-1, 1), n=5), png=False)
    x, y = fs.df_line.get_xdata(), fs.df_line.get_ydata()
    np.testing.assert_array_equal(x[:3], [-1, -0.5, 0])
    np.testing.assert_array_equal(y[:3], [0, 0, 0])  # f'(0) = 0 joins the left branch
    assert np.isnan(x[3]) and np.isnan(y[3]) and y[4] == 1
    xs, ys = fs.dg_line.get_xdata(), fs.dg_line.get_ydata()
    assert np.isnan(xs[2]) and xs[3] == 0 and ys[3] == pytest.approx(1.0507, abs=1e-4)  # SELU: f'(0) = λ joins the right
    explorer.render(fs, explorer.explorer_data("elu", compare="tanh", n=5), png=False)  # no kinks: nothing inserted
    assert len(fs.df_line.get_xdata()) == len(fs.dg_line.get_xdata()) == 5


def test_output_range_bounds_and_the_dip_are_marked():
    fs = explorer.new_explorer_figure()
    explorer.render(fs, explorer.explorer_data("sigmoid"), png=False)
    assert [line.get_visible() for line in fs.bound_lines] == [False, True]  # 0 is the axis line already
    assert not fs.min_marker.get_visible()
    explorer.render(fs, explorer.explorer_data("swish"), png=False)
    assert fs.min_marker.get_visible()
    np.testing.assert_allclose(np.ravel(fs.min_marker.get_data()), actlib.get("swish").minimum)


def test_static_figure_for_github_readers():
    fig = explorer.explorer_figure("leaky_relu", compare="relu", alpha=0.2)
    assert isinstance(fig, Figure)
    ax_f = fig.axes[0]
    assert_draws(ax_f.lines[2], actlib.get("leaky_relu", alpha=0.2))  # after the two zero lines
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # nothing is "animated": savefig draws every curve
    assert png_pixels(buf.getvalue()).shape[0] > 300


def test_card_html_has_formulas_for_mathjax_and_escapes_html():
    html = explorer.card_html(actlib.get("leaky_relu", alpha=0.2), actlib.get("gelu"))
    assert html.count("<th") >= 3 and "leaky_relu (α = 0.20)" in html and "gelu (exact)" in html
    assert r"$\begin{cases} x &amp; x &gt; 0" in html  # & and > escaped; MathJax reads the text
    assert "negative_slope=0.2" in html and "minimum" in html  # a row only gelu has
    assert "Maas, Hannun &amp; Ng (2013)" in html


# -- the widget -------------------------------------------------------------------------------


def test_widget_structure_and_first_frame(w):
    assert isinstance(w, W.VBox)
    assert isinstance(w.activation, W.Dropdown) and isinstance(w.compare, W.Dropdown) and w.compare.value == "none"
    assert isinstance(w.alpha, W.FloatSlider) and isinstance(w.beta, W.FloatSlider)
    assert isinstance(w.approximate, W.ToggleButtons)
    assert isinstance(w.card, W.HTMLMath) and isinstance(w.figure_widget, W.Image)
    assert w.figure_widget.format == "png" and w.figure_widget.value[:4] == b"\x89PNG"
    assert all(s.continuous_update for s in (w.alpha, w.beta))
    assert all(c.layout.display == "none" for c in (w.alpha, w.beta, w.approximate))
    assert w.no_params in w.children[1].children
    assert w.state.name == "relu" and w.state.label == "relu" and w.state.compare is None and w.state.error == ""
    assert w.state.card == actlib.get("relu").card() and "relu" in w.card.value
    assert w.figure is w.figure_state.fig and w.n_updates == 1
    assert_draws(w.figure_state.f_line, actlib.get("relu"))


def test_changing_the_activation_redraws_and_shows_its_controls(w):
    png = w.figure_widget.value
    w.activation.value = "elu"
    elu = actlib.get("elu")
    assert w.state.name == "elu" and w.state.params == {"alpha": 1.0}
    assert_draws(w.figure_state.f_line, elu)
    assert_draws_grad(w.figure_state.df_line, elu)
    assert w.figure_widget.value != png
    assert "elu" in w.card.value and "exponential linear unit" in w.card.value and w.state.card.startswith("elu")
    assert w.alpha.layout.display is None and w.beta.layout.display == "none" and w.approximate.layout.display == "none"
    assert (w.alpha.min, w.alpha.max, w.alpha.value) == (0.1, 3.0, 1.0)
    assert w.children[1].children == (w.alpha,)
    w.activation.value = "swish"
    assert w.beta.layout.display is None and w.alpha.layout.display == "none" and (w.beta.min, w.beta.max) == (0.0, 10.0)
    w.activation.value = "gelu"
    assert w.approximate.layout.display is None and w.beta.layout.display == "none"
    w.activation.value = "tanh"
    assert w.children[1].children == (w.no_params,)


@pytest.mark.parametrize(("name", "lo", "hi"), [("leaky_relu", 0.0, 1.0), ("prelu", -1.0, 1.0), ("elu", 0.1, 3.0)])
def test_alpha_slider_range_follows_the_activation(name, lo, hi):
    w = explorer.activation_explorer(name)
    assert (w.alpha.min, w.alpha.max) == (lo, hi) and w.alpha.value == actlib.get(name).params["alpha"]
    assert w.alpha.readout_format == ".2f"


def test_moving_alpha_redraws_with_the_new_parameter():
    w = explorer.activation_explorer("leaky_relu", compare="relu")
    ylim, pngs = w.state.ylim_f, {w.figure_widget.value}
    for alpha in (0.1, 0.35, 0.8):
        w.alpha.value = alpha
        act = actlib.get("leaky_relu", alpha=alpha)
        assert w.state.params == {"alpha": alpha} and w.state.label == f"leaky_relu (α = {alpha:.2f})"
        assert_draws(w.figure_state.f_line, act)
        assert_draws_grad(w.figure_state.df_line, act)
        assert f"negative_slope={alpha}" in w.card.value and w.state.ylim_f == ylim
        pngs.add(w.figure_widget.value)
    assert len(pngs) == 4 and w.n_updates == 4


def test_beta_and_approximate():
    w = explorer.activation_explorer("swish")
    w.beta.value = 4.0
    assert_draws(w.figure_state.f_line, actlib.get("swish", beta=4.0))
    w.activation.value = "gelu"
    png = w.figure_widget.value
    w.approximate.value = "tanh"
    assert w.state.params == {"approximate": "tanh"} and w.state.label == "gelu (tanh approx.)"
    assert_draws(w.figure_state.f_line, actlib.get("gelu", approximate="tanh"))
    assert "approximate=True" in w.card.value and w.figure_widget.value != png


def test_compare_overlays_a_dashed_curve_and_none_removes_it(w):
    w.compare.value = "tanh"
    fs = w.figure_state
    assert fs.g_line.get_visible() and fs.g_line.get_linestyle() == "--" and fs.g_line.get_color() == color("tanh")
    assert_draws(fs.g_line, actlib.get("tanh"))
    assert_draws_grad(fs.dg_line, actlib.get("tanh"))
    assert w.state.compare == "tanh" and "tanh" in w.card.value and "tanh" in w.state.card
    w.compare.value = "none"
    assert not fs.g_line.get_visible() and not fs.dg_line.get_visible() and w.state.compare is None
    assert "tanh" not in w.card.value


def test_compare_with_itself_shows_the_default_parameters():
    w = explorer.activation_explorer("gelu", compare="gelu", approximate="sigmoid")
    assert w.state.label == "gelu (sigmoid approx.)" and w.state.compare_label == "gelu (exact)"
    assert_draws(w.figure_state.g_line, actlib.get("gelu"))


def test_parameters_are_remembered_per_activation():
    w = explorer.activation_explorer("leaky_relu", alpha=0.3)
    assert w.alpha.value == 0.3
    w.activation.value = "elu"
    assert w.alpha.value == 1.0
    w.alpha.value = 2.0
    w.activation.value = "leaky_relu"
    assert w.alpha.value == 0.3 and w.state.params == {"alpha": 0.3}
    w.activation.value = "elu"
    assert w.alpha.value == 2.0 and w.params == {"alpha": 2.0}


def test_a_value_given_in_code_beyond_the_slider_extends_its_range():
    w = explorer.activation_explorer("leaky_relu", alpha=1.5)
    assert w.alpha.max == 1.5 and w.alpha.value == 1.5 and w.state.params == {"alpha": 1.5}


def test_an_error_in_an_update_is_shown_in_the_widget(custom):
    w = explorer.activation_explorer(custom)
    w.controls["gamma"].value = 1.4  # the slider goes to 1.5; the function refuses gamma > 2.5
    assert w.state.error == "" and w.message.value == ""
    png, n = w.figure_widget.value, w.n_updates
    w.controls["gamma"].max = 3.0
    w.controls["gamma"].value = 2.9
    assert "gamma must be at most 2.5" in w.message.value and "gamma must be at most 2.5" in w.state.error
    assert w.figure_widget.value == png and w.n_updates == n  # the last good frame stays
    w.controls["gamma"].value = 1.0
    assert w.state.error == "" and w.message.value == ""


def test_no_pyplot_figures_are_created():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    explorer.activation_explorer("mish", compare="swish").activation.value = "tanh"
    explorer.explorer_figure("relu")
    assert plt.get_fignums() == before


def test_benchmark_script_runs_and_every_update_draws_a_new_image():
    spec = importlib.util.spec_from_file_location("bench_explorer", ROOT / "tools" / "bench_explorer.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    times, cpu, kinds, w = bench.bench_widget(20, warmup=1)  # raises SystemExit if an update drew nothing
    assert len(times) == len(cpu) >= 15 and {"activation", "alpha"} <= set(kinds)
    assert w.figure_state.full_draws < w.n_updates


def test_set_moves_several_controls_with_one_redraw():
    w = explorer.activation_explorer("relu")
    n = w.n_updates
    state = w.set(activation="elu", alpha=0.4, compare="tanh")
    assert w.n_updates == n + 1 and state is w.state
    assert (state.name, state.params, state.compare) == ("elu", {"alpha": 0.4}, "tanh")
    assert w.alpha.value == 0.4 and w.compare.value == "tanh" and w.widget is w
    assert_draws(w.figure_state.f_line, actlib.get("elu", alpha=0.4))
    w.set(alpha=4.0)  # beyond the slider: the range widens instead of clamping
    assert w.alpha.max == 4.0 and w.state.params == {"alpha": 4.0}
    w.set(compare="none")
    assert w.state.compare is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"alpha": 0.5}, TypeError, "ActivationExplorer.set: swish has beta; got alpha"),
        ({"activation": "elu", "alpha": -1.0}, ValueError, "ActivationExplorer.set: elu: alpha must be > 0"),
        ({"activation": "softmax"}, ValueError, "vector function"),
        ({"compare": "rleu"}, ValueError, "relu"),
    ],
)
def test_set_refuses_bad_values_before_moving_anything(kwargs, error, words):
    w = explorer.activation_explorer("swish", beta=2.0)
    before = (w.activation.value, w.compare.value, w.beta.value, w.figure_widget.value)
    with pytest.raises(error, match=words):
        w.set(**kwargs)
    assert (w.activation.value, w.compare.value, w.beta.value, w.figure_widget.value) == before
    assert w.state.name == "swish"


def test_text_fallback_is_readable_where_widgets_do_not_render():
    w = explorer.activation_explorer("elu", compare="relu", alpha=0.5)
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "[activation explorer: elu (α = 0.50) vs relu; run the notebook to use its controls]"
