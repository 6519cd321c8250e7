"""Headless tests of actlib.playground: the data sets, the training session (steps against hand
computations, regularisation gradients against finite differences, the lessons of notebook 11),
the Keras export, the drawing, and the widget's wiring and training thread.

The network's own backpropagation is tested in test_nn.py (finite differences and tf.GradientTape).
"""

import threading
import time

import numpy as np
import pytest

import actlib
from actlib import nn, playground
from actlib.playground import DATASETS, Playground, Settings


@pytest.fixture
def custom():
    """A registered activation with a parameter and no Keras spelling (removed afterwards)."""
    act = actlib.register("half_tanh", lambda x, k=0.5: np.tanh(k * x), lambda x, k=0.5: k / np.cosh(k * x) ** 2, params={"k": 0.5})
    yield act
    actlib.unregister("half_tanh")


# -- data ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DATASETS)
def test_every_data_set_has_both_classes_split_into_train_and_test(name):
    d = playground.make_dataset(name, 200, train_fraction=0.3, seed=0)
    assert d.X_train.shape == (60, 2) and d.X_test.shape == (140, 2)
    assert d.y_train.dtype == np.int64 and set(d.y.tolist()) == {0, 1}
    assert 0.35 < d.y.mean() < 0.65, "the classes are balanced"
    assert np.abs(d.X.mean(axis=0)).max() < 0.35, "the data are centred on the origin"
    assert np.abs(d.X).max() <= d.extent, "the plotted square holds every point"
    assert d.noise == playground.DEFAULT_NOISE[name]


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_same_points_other_seed_other_points(name):
    a, b, c = (playground.make_dataset(name, 40, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X, c.X)


def test_noise_zero_gives_the_clean_shapes():
    circles = playground.make_dataset("circles", 100, noise=0.0)
    radii = np.sort(np.unique(np.round(np.hypot(*circles.X.T), 12)))
    np.testing.assert_allclose(radii, [0.5, 1.0])
    xor = playground.make_dataset("xor", 100, noise=0.0)
    assert set(map(tuple, xor.X.tolist())) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    np.testing.assert_array_equal(xor.y, (np.sign(xor.X[:, 0]) != np.sign(xor.X[:, 1])).astype(int))


def test_blobs_are_centred_where_the_docstring_says():
    X, y = playground.blobs(4000, noise=0.3, rng=0)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-0.5, -0.5], atol=0.03)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [0.5, 0.5], atol=0.03)
    np.testing.assert_allclose(X[y == 1].std(axis=0), [0.3, 0.3], rtol=0.06)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"name": "spiral"}, ValueError, "spirals"),
        ({"name": "xor", "n": 2}, ValueError, "n"),
        ({"name": "xor", "noise": -0.1}, ValueError, "noise"),
        ({"name": "xor", "train_fraction": 1.0}, ValueError, "train_fraction"),
        ({"name": "xor", "seed": -1}, TypeError, "seed"),
    ],
)
def test_make_dataset_errors_name_the_function_and_the_fix(kwargs, error, words):
    with pytest.raises(error, match="make_dataset") as info:
        playground.make_dataset(**kwargs)
    assert words in str(info.value)


# -- settings and building ----------------------------------------------------------------------------
def test_the_network_follows_the_settings_and_auto_init_is_the_activation_s_recommendation():
    pg = Playground(dataset="moons", activation="selu", depth=3, width=5)
    assert pg.model.sizes == (2, 5, 5, 5, 1) and pg.model.output == "sigmoid"
    assert pg.model.init == actlib.get("selu").init == "lecun_normal"
    assert Playground(activation="relu", init="glorot_uniform").model.init == "glorot_uniform"
    assert pg.history["step"] == [0] and pg.steps == 0


def test_activation_parameters_are_bound_and_a_new_activation_starts_at_its_defaults():
    pg = Playground(activation="leaky_relu", params={"alpha": 0.2})
    assert pg.activation.params["alpha"] == 0.2
    pg.configure(activation="elu")
    assert dict(pg.activation.params) == {"alpha": 1.0}


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"dataset": "ring"}, ValueError, "circles"),
        ({"activation": "softmax"}, ValueError, "element by element"),
        ({"activation": "relux"}, ValueError, "relu"),
        ({"depth": 0}, ValueError, "depth"),
        ({"width": 99}, ValueError, "width"),
        ({"init": "he"}, ValueError, "he_normal"),
        ({"regularization": "L3"}, ValueError, "L2"),
        ({"lr": 0}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"learning_rate": 0.1}, TypeError, "lr"),
        ({"params": {"alpha": "big"}, "activation": "elu"}, TypeError, "alpha"),
    ],
)
def test_bad_settings_name_the_setting_and_the_fix(kwargs, error, words):
    with pytest.raises(error, match="Playground") as info:
        Playground(**kwargs)
    assert words in str(info.value)


def test_live_settings_keep_the_weights_and_the_others_rebuild():
    pg = Playground(dataset="xor", lr=0.1)
    pg.train(20)
    W = [w.copy() for w in pg.model.W]
    assert pg.configure(lr=0.3, batch_size=None, regularization="L2", reg_rate=0.01) is False
    assert pg.steps == 20 and all(np.array_equal(a, b) for a, b in zip(W, pg.model.W, strict=True))
    assert pg.configure(width=4) is True
    assert pg.steps == 0 and pg.model.sizes == (2, 4, 4, 1)


def test_reset_gives_the_same_start_and_another_seed_another_one():
    pg = Playground(dataset="circles")
    W0 = [w.copy() for w in pg.model.W]
    pg.train(10)
    pg.reset()
    assert pg.steps == 0 and all(np.array_equal(a, b) for a, b in zip(W0, pg.model.W, strict=True))
    pg.reset(seed=5)
    assert pg.settings.seed == 5 and not np.array_equal(W0[0], pg.model.W[0])


# -- training ---------------------------------------------------------------------------------------
def test_a_full_batch_step_is_w_minus_lr_times_the_gradient():
    pg = Playground(dataset="moons", activation="tanh", batch_size=None, lr=0.3)
    twin = pg.model.copy()
    loss, grads = twin.loss_and_grads(pg.data.X_train, pg.data.y_train)
    pg.step()
    for new, old, g in zip(pg.model.W + pg.model.b, twin.W + twin.b, grads["W"] + grads["b"], strict=True):
        np.testing.assert_allclose(new, old - 0.3 * g, rtol=1e-13, atol=1e-15)
    assert pg.history["train_loss"][0] == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize(("reg", "penalty"), [("L2", lambda W, lam: 0.5 * lam * sum((w**2).sum() for w in W)),
                                              ("L1", lambda W, lam: lam * sum(np.abs(w).sum() for w in W))])
def test_regularised_gradient_matches_central_differences(reg, penalty):
    lam = 0.05
    pg = Playground(dataset="xor", activation="tanh", depth=1, width=3, regularization=reg, reg_rate=lam, batch_size=None)
    X, y = pg.data.X_train, pg.data.y_train
    total, grads = pg.gradients(X, y)
    assert total == pytest.approx(pg.model.loss(X, y) + penalty(pg.model.W, lam), rel=1e-12)
    h = 1e-6
    for layer, W in enumerate(pg.model.W):
        numeric = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = pg.model.loss(X, y) + penalty(pg.model.W, lam)
            W[idx] = old - h
            down = pg.model.loss(X, y) + penalty(pg.model.W, lam)
            W[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads["W"][layer], numeric, rtol=1e-5, atol=1e-8, err_msg=f"{reg}: layer {layer}")
    _, plain = pg.model.loss_and_grads(X, y)
    for g, p in zip(grads["b"], plain["b"], strict=True):
        np.testing.assert_array_equal(g, p)  # biases are not regularised


def test_minibatches_visit_every_training_point_once_per_epoch():
    pg = Playground(dataset="circles", n_points=100, train_fraction=0.5, batch_size=10)
    seen = np.concatenate([pg._batch()[0] for _ in range(5)])
    assert len(np.unique(seen, axis=0)) == 50
    assert len(pg._batch()[0]) == 10


def test_history_records_every_step_and_train_can_thin_it():
    pg = Playground(dataset="xor")
    pg.train(30)
    assert pg.history["step"] == list(range(31)) and len(pg.history["test_loss"]) == 31
    pg.reset()
    pg.train(30, record_every=10)
    assert pg.history["step"] == [0, 10, 20, 30]


def test_same_settings_same_training():
    a, b = Playground(dataset="moons", seed=4), Playground(dataset="moons", seed=4)
    a.train(50)
    b.train(50)
    assert a.history == b.history


def test_linear_network_on_xor_stays_at_chance_with_a_straight_boundary():
    pg = Playground(dataset="xor", activation="linear", depth=3, width=8, lr=0.03)
    e = pg.train(600, record_every=50)
    assert e["test_loss"] > 0.65 and e["train_accuracy"] <= 0.75, f"no line solves XOR; got {e}"
    xs, ys, P = pg.decision_grid(30)
    logit = np.log(P / (1 - P))
    gx, gy = np.meshgrid(xs, ys)
    A = np.column_stack([gx.ravel(), gy.ravel(), np.ones(gx.size)])
    coef, *_ = np.linalg.lstsq(A, logit.ravel(), rcond=None)
    np.testing.assert_allclose(A @ coef, logit.ravel(), atol=1e-9, err_msg="a linear network's logit is an affine function of x")


def test_relu_with_he_init_solves_spirals_within_the_budget():
    pg = Playground(dataset="spirals", activation="relu", init="he_normal", depth=3, width=16, lr=0.1, seed=0)
    e = pg.train(3000, record_every=100)
    assert e["train_accuracy"] >= 0.97 and e["test_accuracy"] >= 0.9, e


def test_deep_sigmoid_trains_slower_than_deep_relu():
    losses = {}
    for act in ("sigmoid", "relu"):
        pg = Playground(dataset="moons", activation=act, depth=4, width=8, lr=0.1, seed=0)
        losses[act] = pg.train(1000, record_every=100)["train_loss"]
    assert losses["sigmoid"] > 0.6 > 0.1 > losses["relu"], losses


def test_too_large_a_learning_rate_makes_the_loss_grow():
    pg = Playground(dataset="circles", activation="tanh", lr=10.0, seed=0)
    pg.train(500, record_every=10)
    assert pg.history["train_loss"][-1] > 2 * pg.history["train_loss"][0]


def test_l2_shrinks_the_weights_and_shortens_the_boundary():
    common = dict(dataset="moons", noise=0.3, train_fraction=0.2, activation="relu", depth=3, width=16, lr=0.1, seed=0)
    plain, l2 = Playground(**common), Playground(**common, regularization="L2", reg_rate=0.01)
    plain.train(3000, record_every=100)
    l2.train(3000, record_every=100)
    assert l2.weight_norm() < 0.6 * plain.weight_norm()
    assert l2.boundary_length() < plain.boundary_length()
    assert l2.evaluate()["test_loss"] < plain.evaluate()["test_loss"]


def test_boundary_length_of_a_known_line():
    pg = Playground(dataset="xor", activation="linear", depth=1, width=1)
    pg.model.W = [np.array([[1.0], [0.0]]), np.array([[1.0]])]  # P > 0.5 exactly where x1 > 0
    pg.model.b = [np.zeros(1), np.zeros(1)]
    assert pg.boundary_length(400) == pytest.approx(2 * pg.data.extent * np.pi / 4, rel=0.02)  # grid estimate of a vertical line


def test_divergence_stops_training_and_keeps_finite_weights():
    pg = Playground(dataset="circles", activation="elu", lr=1e6, batch_size=None)
    e = pg.train(200)
    assert pg.diverged.startswith("diverged at step") and "learning rate" in pg.diverged
    assert pg.steps < 200 and e["step"] == pg.steps
    assert all(np.isfinite(w).all() for w in pg.model.W)
    steps = pg.steps
    pg.step(5)
    assert pg.steps == steps, "no step after divergence until reset"
    pg.reset()
    assert not pg.diverged and pg.steps == 0


def test_hidden_activations_are_the_layers_outputs():
    pg = Playground(activation="tanh", depth=2, width=3)
    acts = pg.hidden_activations(pg.data.X_test)
    _, cache = pg.model.forward(pg.data.X_test)
    assert len(acts) == 2 and acts[0].shape == (len(pg.data.y_test), 3)
    np.testing.assert_array_equal(acts[1], cache["a"][2])
    np.testing.assert_allclose(pg.predict_proba(pg.data.X_test), cache["a"][-1][:, 0])


# -- Keras export -------------------------------------------------------------------------------------
@pytest.mark.keras
@pytest.mark.parametrize(("name", "params"), [("relu", {}), ("leaky_relu", {"alpha": 0.1}), ("prelu", {"alpha": 0.3}),
                                              ("gelu", {"approximate": "tanh"}), ("swish", {"beta": 2.0}), ("linear", {})])
def test_exported_keras_model_reproduces_the_numpy_predictions(name, params, keras):
    pg = Playground(dataset="moons", activation=name, params=params, depth=2, width=6, lr=0.1)
    pg.train(100, record_every=100)
    code = pg.keras_code()
    assert "keras.Input(shape=(2,)" in code and "set_weights" in code and "import keras\n" not in code
    namespace = {}
    exec(compile(code, "<playground export>", "exec"), namespace)
    model = namespace["model"]
    assert [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)] == ["hidden_1", "hidden_2", "output"]
    np.testing.assert_allclose(model.predict(pg.data.X, verbose=0)[:, 0], pg.predict_proba(pg.data.X), atol=2e-6, rtol=0)


def test_export_passes_parameters_explicitly():
    code = Playground(activation="leaky_relu", params={"alpha": 0.05}).keras_code()
    assert "negative_slope=0.05" in code and "activation=phi" in code
    assert "activation='relu'" in Playground(activation="relu").keras_code()


def test_export_of_an_activation_without_keras_spelling_is_refused_clearly(custom):
    pg = Playground(activation="half_tanh")
    with pytest.raises(ValueError, match=r"half_tanh has no Keras equivalent"):
        pg.keras_code()


# -- drawing ------------------------------------------------------------------------------------------
def test_frames_are_jpeg_and_reuse_the_background_while_the_limits_stay():
    pg = Playground(dataset="circles")
    fs = playground.new_playground_figure()
    fs.update(pg)
    first = fs.render()
    assert first[:2] == b"\xff\xd8" and fs.full_draws == 1
    pg.step()
    fs.update(pg)
    second = fs.render()
    assert second != first and fs.full_draws == 1, "a frame with the same limits pastes the cached background"
    pg.configure(depth=3)
    fs.update(pg)
    fs.render()
    assert fs.full_draws == 2 and len(fs.polygons) == 3


def test_histograms_show_each_layer_on_its_own_row():
    pg = Playground(activation="sigmoid", depth=3, width=8)
    fs = playground.new_playground_figure()
    fs.update(pg)
    for i, poly in enumerate(fs.polygons):
        y = poly.get_xy()[:, 1]
        assert y.min() == pytest.approx(i) and i < y.max() <= i + 0.86
        assert poly.get_xy()[:, 0].min() >= -0.05 and poly.get_xy()[:, 0].max() <= 1.05  # sigmoid's range (0, 1)


def test_static_figure_has_three_panels_and_the_boundary_line():
    pg = Playground(dataset="xor", lr=0.1)
    pg.train(300)
    fig = playground.playground_figure(pg)
    assert len(fig.axes) == 3
    assert fig.axes[0].collections, "the P = 0.5 contour is drawn"
    assert "step 300" in fig.axes[0].texts[0].get_text()


def test_no_pyplot_figures_are_created():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    w = playground.playground()
    w.run(2)
    playground.playground_figure(w.session)
    assert plt.get_fignums() == before


# -- the widget ----------------------------------------------------------------------------------------
@pytest.fixture
def w():
    widget = playground.playground(dataset="circles", activation="tanh", depth=2, width=8, lr=0.1)
    yield widget
    widget.stop()


def test_widget_offers_every_activation_of_the_registry_that_is_a_curve(w):
    assert set(w.activation.options) == {n for n in actlib.names() if actlib.get(n).elementwise}
    assert "softmax" not in w.activation.options and list(w.dataset.options) == list(DATASETS)


def test_a_newly_registered_activation_gets_a_slider_for_its_parameter(custom):
    widget = playground.playground(activation="half_tanh")
    assert "k" in widget.param_controls and widget.param_controls["k"].value == 0.5
    widget.param_controls["k"].value = 1.0
    assert widget.session.activation.params["k"] == 1.0


def test_step_button_takes_a_frame_of_steps_and_redraws(w):
    before = w.image.value
    w.speed.value = 5
    w.step_button.click()
    assert w.session.steps == 5 and w.image.value != before
    assert "step <b>5</b>" in w.status.value


def test_structural_controls_rebuild_and_live_controls_keep_the_weights(w):
    w.run(3)
    w.lr.value = 0.3
    assert w.session.steps == 3 and w.session.settings.lr == 0.3
    before = w.image.value
    w.width.value = 4
    assert w.session.steps == 0 and w.session.model.sizes == (2, 4, 4, 1) and w.image.value != before
    w.dataset.value = "spirals"
    assert w.noise.value == playground.DEFAULT_NOISE["spirals"] and w.session.data.name == "spirals"
    w.noise.value = 0.2
    assert w.session.data.noise == 0.2


def test_activation_controls_follow_the_activation(w):
    w.activation.value = "leaky_relu"
    assert list(w._param_box.children) == [w.param_controls["alpha"]]
    assert w.init.options[0][0] == "recommended (he_normal)"
    w.param_controls["alpha"].value = 0.3
    assert w.session.activation.params["alpha"] == 0.3
    w.activation.value = "gelu"
    approx = w.param_controls["approximate"]
    assert list(w._param_box.children) == [approx] and approx.value is False
    approx.value = "tanh"
    assert w.session.activation.params["approximate"] == "tanh"
    w.activation.value = "relu"
    assert w._param_box.children == ()
    w.activation.value = "leaky_relu"
    assert w.param_controls["alpha"].value == 0.3, "parameters are remembered per activation"


def test_reset_and_export_buttons(w):
    w.run(4)
    w.reset_button.click()
    assert w.session.steps == 0
    w.export_button.click()
    assert w.exported_code == w.session.keras_code() and "keras.Sequential" in w.code.value
    w.lr.value = 0.3
    assert "keras.Sequential" in w.code.value, "a live setting keeps the network (and its code)"
    w.width.value = 3
    assert w.code.value == "", "code exported for another network is removed"


def test_set_moves_several_controls_with_one_rebuild(w):
    frames = w.frames
    s = w.set(dataset="xor", activation="relu", depth=3, width=5, lr=0.01, regularization="L2", reg_rate=0.003)
    assert (s.dataset, s.activation, s.depth, s.width, s.lr, s.regularization, s.reg_rate) == ("xor", "relu", 3, 5, 0.01, "L2", 0.003)
    assert w.frames == frames + 1
    assert w.set(lr=0.05).lr == 0.05 and 0.05 in [v for _, v in w.lr.options], "a value from code is added to the choices"
    with pytest.raises(TypeError, match="unknown control"):
        w.set(colour="red")
    with pytest.raises(TypeError, match="parameters of relu"):
        w.set(alpha=0.2)
    assert w.set(activation="elu", alpha=0.5).params == {"alpha": 0.5}
    assert w.set(noise=0.8).noise == 0.8 and w.noise.max >= 0.8, "a value beyond a slider widens it instead of being clamped"


def test_an_error_is_shown_in_the_widget_not_lost(w):
    w.set(lr=-1.0)
    assert "lr" in w.message.value and "⚠" in w.message.value
    w.set(lr=0.1)
    assert w.message.value == ""


def test_divergence_is_shown_and_stops_the_run(w):
    w.set(activation="elu", lr=1e6, batch_size=None)
    w.run(50)
    assert w.session.diverged and "diverged" in w.message.value
    assert "DIVERGED" in playground.playground_figure(w.session).axes[0].texts[0].get_text()


def test_train_button_runs_a_thread_that_redraws_until_paused(w):
    before = w.image.value
    w.train_button.value = True
    deadline = time.monotonic() + 20
    while w.session.steps < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.running and w.train_button.description == "pause"
    w.train_button.value = False
    assert not w.running and w.train_button.description == "train"
    steps = w.session.steps
    assert steps >= 5 and w.image.value != before and w.frames >= 5
    time.sleep(0.1)
    assert w.session.steps == steps, "no step after pause"


def test_controls_can_move_while_training(w):
    w.start()
    try:
        w.width.value = 3
        w.lr.value = 0.3
        deadline = time.monotonic() + 20
        while w.session.steps < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        w.stop()
    assert w.session.model.sizes == (2, 3, 3, 1) and w.session.steps >= 3 and w.message.value == ""


def test_the_thread_stops_by_itself_at_max_steps_and_releases_the_button(w):
    w.max_steps = 4
    w.start()
    w._thread.join(10)
    assert not w.running and w.train_button.value is False and w.session.steps == 4


def test_benchmark_measures_frames(w):
    result = w.benchmark(5)
    assert result["frames"] == 5 and result["fps"] > 0 and result["ms_draw"] > 0
    assert w.session.steps == 5


def test_text_fallback_is_readable_where_widgets_do_not_render(w):
    text = w._repr_mimebundle_()["text/plain"]
    assert text.startswith("[playground: circles, tanh, 2 × 8 hidden units")


def test_widget_callbacks_never_run_in_parallel(w):
    # the thread and a control change both take the lock: a frame is never drawn half-rebuilt
    assert isinstance(w._lock, type(threading.RLock()))
    w.start()
    try:
        for width in (2, 5, 3, 7):
            w.width.value = width
            w.step_button.click()
    finally:
        w.stop()
    assert w.message.value == "" and w.session.model.sizes[1] == 7


def test_mlp_used_is_the_course_s_numpy_mlp():
    assert isinstance(Playground().model, nn.MLP)
    assert Settings().activation in actlib.names()
