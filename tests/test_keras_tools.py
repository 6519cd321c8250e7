"""actlib.keras_tools: data, the model builder, the grid runner, the statistics callback, saving.

The grid runner's side-by-side mode is checked against ordinary Keras models trained one by one:
that equivalence is what makes its speed honest.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import actlib
from actlib import keras_tools as kt

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def digits():
    return kt.load_data("digits", seed=0)


@pytest.fixture(scope="module")
def small():
    """A small, fast data set for training tests."""
    return kt.load_data("moons", n=200, seed=1)


# -- data ------------------------------------------------------------------------------------------------------
def test_digits_split_standardised_and_seeded(digits):
    assert digits.x_train.dtype == np.float32 and digits.y_train.dtype == np.int64
    assert len(digits.x_train) + len(digits.x_val) == 1797 and len(digits.x_val) == 449
    assert digits.input_dim == 64 and digits.n_classes == 10
    used = digits.x_train.std(axis=0) > 0
    np.testing.assert_allclose(digits.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(digits.x_train.std(axis=0)[used], 1, rtol=1e-4)
    again = kt.load_data("digits", seed=0)
    np.testing.assert_array_equal(again.x_val, digits.x_val)
    other = kt.load_data("digits", seed=1)
    assert not np.array_equal(other.y_val, digits.y_val)
    assert "1348 training and 449 validation" in repr(digits)


@pytest.mark.parametrize("name", ["moons", "circles", "spirals", "xor"])
def test_synthetic_sets(name):
    d = kt.load_data(name, n=200, seed=3)
    assert d.input_dim == 2 and d.n_classes == 2 and len(d.x_train) + len(d.x_val) == 200
    assert set(np.unique(d.y_train)) == {0, 1}


def test_unknown_data_set_suggests():
    with pytest.raises(ValueError, match=r"load_data: unknown data set 'digit'.*Did you mean 'digits'"):
        kt.load_data("digit")
    with pytest.raises(ValueError, match="val_fraction"):
        kt.load_data("digits", val_fraction=1.5)
    with pytest.raises(ValueError, match="n must be"):
        kt.load_data("digits", n=3)


def test_mnist_falls_back_offline_with_a_message(monkeypatch, capsys):
    keras = actlib.keras()

    def no_network():
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    d = kt.load_data("mnist", n=300)
    out = capsys.readouterr().out
    assert d.name == "digits" and len(d.x_train) + len(d.x_val) == 300
    assert "could not load mnist" in out and "network unreachable" in out and "digits" in out


# -- the builder -----------------------------------------------------------------------------------------------
def _dense_params(sizes):
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


@pytest.mark.parametrize(
    ("batchnorm", "dropout", "expected"),
    [
        (None, None, ["x", "dense_1", "act_1", "dense_2", "act_2", "logits", "probs"]),
        ("before", None, ["x", "dense_1", "bn_1", "act_1", "dense_2", "bn_2", "act_2", "logits", "probs"]),
        ("after", "dropout", ["x", "dense_1", "act_1", "bn_1", "drop_1", "dense_2", "act_2", "bn_2", "drop_2", "logits", "probs"]),
    ],
)
def test_builder_layers_and_shapes(batchnorm, dropout, expected):
    m = kt.build_mlp(2, 16, "tanh", batchnorm=batchnorm, dropout=dropout, input_dim=5, n_classes=3)
    assert [ly.name for ly in m.layers] == expected
    assert all(ly.momentum == 0.99 for ly in m.layers if ly.name.startswith("bn_"))  # Keras' default unless asked
    assert m.output.shape == (None, 3)
    bn = 4 * 16 * 2 if batchnorm else 0
    assert m.count_params() == _dense_params([5, 16, 16, 3]) + bn
    probs = np.asarray(m(np.zeros((4, 5), np.float32)))
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


def test_builder_passes_parameters_explicitly():
    m = kt.build_mlp(1, 8, "leaky_relu", activation_params={"alpha": 0.1}, input_dim=3, n_classes=2)
    assert m.get_layer("act_1").negative_slope == pytest.approx(0.1)  # not Keras' default 0.2
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    np.testing.assert_allclose(np.asarray(m.get_layer("act_1")(z)), actlib.get("leaky_relu", alpha=0.1)(z), rtol=1e-6)
    swish = kt.build_mlp(1, 8, "swish", activation_params={"beta": 2.0}, input_dim=3, n_classes=2).get_layer("act_1")
    np.testing.assert_allclose(np.asarray(swish(z)), actlib.get("swish", beta=2.0)(z), rtol=1e-5, atol=1e-6)
    prelu = kt.build_mlp(1, 8, "prelu", activation_params={"alpha": 0.3}, input_dim=3, n_classes=2).get_layer("act_1")
    np.testing.assert_allclose(prelu.alpha.numpy(), 0.3)


def test_builder_initialisation_is_seeded_and_follows_the_registry():
    a = kt.build_mlp(2, 32, "selu", seed=4)
    b = kt.build_mlp(2, 32, "selu", seed=4)
    c = kt.build_mlp(2, 32, "selu", seed=5)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    k = a.get_layer("dense_2").kernel.numpy()  # lecun_normal: std 1/sqrt(fan_in), truncated
    assert 0.7 / math.sqrt(32) < k.std() < 1.1 / math.sqrt(32)
    w = kt.build_mlp(1, 400, "relu", init=0.05, input_dim=300).get_layer("dense_1").kernel.numpy()
    assert abs(w.std() - 0.05) < 0.002 and abs(w.mean()) < 0.002


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(depth=0), "depth must be an int >= 1"),
        (dict(batchnorm="middle"), "batchnorm must be None, 'before' or 'after'"),
        (dict(dropout="gaussian"), "dropout must be None, 'dropout' or 'alpha'"),
        (dict(activation="relu6"), r"unknown activation"),
        (dict(activation="softmax"), "softmax is an output activation"),
        (dict(init="he_norml"), r"unknown initializer 'he_norml'.*Did you mean 'he_normal'"),
        (dict(init=-1.0), "init must be a Keras initializer name or a positive float"),
        (dict(dropout_rate=1.0), "dropout_rate"),
        (dict(activation_params=0.1), "activation_params must be a dict"),
        (dict(batchnorm="before", batchnorm_momentum=1.0), "batchnorm_momentum"),
    ],
)
def test_builder_errors(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        kt.build_mlp(**kwargs)


# -- the grid runner ---------------------------------------------------------------------------------------------
GRID = {
    "relu": dict(activation="relu", depth=2, width=16),
    "tanh": dict(activation="tanh", depth=2, width=16),
    "elu-bn": dict(activation="elu", activation_params={"alpha": 0.5}, depth=2, width=16, batchnorm="before", batchnorm_momentum=0.9),
}


@pytest.fixture(scope="module")
def grid(small):
    return kt.run_grid(GRID, seeds=(0, 1), data=small, epochs=3, batch_size=32, learning_rate=0.01, progress=False)


def test_grid_table_is_tidy(grid):
    t = grid.table
    assert list(t.columns) == ["config", "seed", "epoch", "loss", "val_loss", "val_accuracy", "seconds", "copies"]
    assert len(t) == 3 * 2 * 4 and list(dict.fromkeys(t["config"])) == list(GRID)
    assert set(t["epoch"]) == {0, 1, 2, 3} and (t.loc[t["epoch"] == 0, "seconds"] == 0).all()
    assert t["val_accuracy"].between(0, 1).all() and (t["loss"] > 0).all()
    # training makes progress: the loss falls for every run
    first = t[t["epoch"] == 0].set_index(["config", "seed"])["loss"]
    last = t[t["epoch"] == 3].set_index(["config", "seed"])["loss"]
    assert (last < first).all(), (first, last)
    s = grid.summary()
    assert list(s.columns) == ["mean", "std", "min", "max", "seeds", "final_loss"] and (s["seeds"] == 2).all()
    assert s["mean"].is_monotonic_decreasing
    assert len(grid.final()) == 6 and "3 configs × 2 seeds × 3 epochs on moons" in repr(grid)


def test_grid_is_deterministic(small, grid):
    again = kt.run_grid(GRID, seeds=(0, 1), data=small, epochs=3, batch_size=32, learning_rate=0.01, progress=False)
    cols = ["loss", "val_loss", "val_accuracy"]
    np.testing.assert_array_equal(again.table[cols].to_numpy(), grid.table[cols].to_numpy())


def test_side_by_side_copies_equal_ordinary_models(small, grid):
    """Each copy in the shared model follows exactly the path of an ordinary build_mlp model."""
    plain = kt.run_grid(GRID, seeds=(0, 1), data=small, epochs=3, batch_size=32, learning_rate=0.01, progress=False, ensemble=False)
    assert plain.meta["models"] == 6 and grid.meta["models"] == 2  # (relu, tanh) share one model, the BN one another
    cols = ["loss", "val_loss"]
    start = plain.table["epoch"] == 0
    np.testing.assert_allclose(plain.table.loc[start, cols].to_numpy(), grid.table.loc[start, cols].to_numpy(), rtol=1e-6)  # same start
    # then the same path, up to float rounding that training amplifies a little (BatchNorm most: ~1e-4 after 3 epochs)
    np.testing.assert_allclose(plain.table[cols].to_numpy(), grid.table[cols].to_numpy(), rtol=1e-3, atol=1e-4)
    assert (plain.table["copies"] == 1).all() and set(grid.table["copies"]) == {2, 4}


def test_a_run_starts_from_build_mlp_weights(small):
    res = kt.run_grid({"t": dict(activation="tanh", depth=1, width=8)}, seeds=(7,), data=small, epochs=1, progress=False)
    m = kt.build_mlp(1, 8, "tanh", input_dim=2, n_classes=2, seed=7)
    logits = kt._scores(np.asarray(actlib.keras().Model(m.input, m.get_layer("logits").output)(small.x_val)), small.y_val)
    row = res.table[res.table["epoch"] == 0].iloc[0]
    assert row["val_loss"] == pytest.approx(float(logits[0][0]), rel=1e-5)


@pytest.mark.parametrize(
    ("configs", "kwargs", "message"),
    [
        ({}, {}, "configs is empty"),
        ({"a": dict(activaton="relu")}, {}, r"unknown key 'activaton'.*Did you mean 'activation'"),
        ({"a": dict(depth=0)}, {}, r"config 'a'.*depth must be"),
        ({"a": {}}, dict(seeds=(1, 1)), "seeds must differ"),
        ({"a": {}}, dict(epochs=0), "epochs must be a positive int"),
        ({"a": {}}, dict(data=[1, 2]), "data must be a data set name"),
        ("relu", {}, "configs must be a dict"),
    ],
)
def test_grid_errors(configs, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        kt.run_grid(configs, progress=False, **kwargs)


def test_plot_curves_draws_one_line_per_config(grid):
    import matplotlib

    matplotlib.use("Agg")
    from actlib import plotting

    _fig, axes = plotting.new_figure(1)
    ax = axes[0, 0]
    kt.plot_curves(ax, grid, "val_loss", ["relu", "tanh"])
    assert [line.get_label() for line in ax.get_lines()] == ["relu", "tanh"]
    assert ax.get_lines()[0].get_color() == plotting.color("relu")
    with pytest.raises(ValueError, match="unknown config 'relux'"):
        kt.plot_curves(ax, grid, "val_loss", ["relux"])


def test_epoch_time_is_positive(small):
    assert 0 < kt.epoch_time(dict(depth=1, width=8), data=small, epochs=1) < 30


# -- statistics ------------------------------------------------------------------------------------------------------
def test_activation_statistics_by_hand():
    z = np.array([[-1.0, 2.0, -0.5], [-2.0, 0.5, 3.0]])
    relu = actlib.get("relu")
    s = kt.activation_statistics(z, relu(z), relu)
    assert s["dead"] == pytest.approx(1 / 3) and s["active"] == pytest.approx(0.5) and math.isnan(s["saturated"])
    sig = actlib.get("sigmoid")
    z2 = np.array([[-5.0, 0.0], [4.0, 0.1]])
    s2 = kt.activation_statistics(z2, sig(z2), sig)
    assert s2["saturated"] == pytest.approx(0.5)  # σ(−5) < 0.02 and σ(4) > 0.98; σ(0), σ(0.1) are not
    assert s2["dead"] == 0 and s2["mean"] == pytest.approx(sig(z2).mean())


def test_activation_stats_callback_matches_a_hand_computation(small):
    keras = actlib.keras(seed=0)
    m = kt.build_mlp(1, 6, "sigmoid", input_dim=2, n_classes=2, init=2.0, seed=3)
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    x, y = small.x_val[:40], small.y_val[:40]
    cb = kt.ActivationStats(x, y)
    m.fit(small.x_train, small.y_train, epochs=2, batch_size=50, verbose=0, callbacks=[cb])
    t = cb.table
    assert list(t["epoch"]) == [0, 1, 2] and (t["layer"] == 1).all()
    # recompute the last row with NumPy from the trained weights
    W1, b1, W2, b2 = (w.astype(np.float64) for w in m.get_weights())
    z = x @ W1 + b1
    a = 1 / (1 + np.exp(-z))
    logits = a @ W2 + b2
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    onehot = np.eye(2)[y]
    delta = ((p - onehot) / len(x)) @ W2.T * a * (1 - a)  # back-propagated to z
    grad_w1 = x.T.astype(np.float64) @ delta
    row = t.iloc[-1]
    assert row["mean"] == pytest.approx(a.mean(), rel=1e-5) and row["std"] == pytest.approx(a.std(), rel=1e-4)
    assert row["saturated"] == pytest.approx(((a < 0.02) | (a > 0.98)).mean())
    assert row["active"] == pytest.approx((z > 0).mean())
    assert row["grad_norm"] == pytest.approx(np.linalg.norm(grad_w1), rel=1e-4)


def test_probing_in_training_mode_leaves_batchnorm_alone(small):
    keras = actlib.keras(seed=0)
    m = kt.build_mlp(2, 8, "tanh", batchnorm="before", input_dim=2, n_classes=2)
    m.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")  # lr 0: only BN moves in fit
    before = [v.numpy().copy() for v in m.non_trainable_variables]
    cb = kt.ActivationStats(small.x_val * 3 + 1, small.y_val, training=True)
    cb.set_model(m)
    cb.on_train_begin()
    for v, old in zip(m.non_trainable_variables, before, strict=True):
        np.testing.assert_array_equal(v.numpy(), old)
    assert cb.table["std"].iloc[0] > 0
    with pytest.raises(ValueError, match="every must be a positive int"):
        kt.ActivationStats(small.x_val, small.y_val, every=0)


# -- saving and loading ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("activation", "params"),
    [("relu", None), ("leaky_relu", {"alpha": 0.05}), ("swish", {"beta": 1.5}), ("gelu", {"approximate": "tanh"}), ("prelu", None)],
)
def test_models_save_and_load(tmp_path, activation, params):
    m = kt.build_mlp(2, 8, activation, activation_params=params, batchnorm="after", input_dim=4, n_classes=3, seed=2)
    x = np.random.default_rng(0).normal(size=(10, 4)).astype(np.float32)
    before = np.asarray(m(x))
    path = tmp_path / "model.keras"
    m.save(path)
    loaded = kt.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x)), before, rtol=1e-6, atol=1e-7)
