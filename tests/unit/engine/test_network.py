"""The Network contract, initialisation, dtypes, determinism and bad input."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from yieldlab.engine import Dense, Network


def make(random_state=0, dtype="float64", loss="mse"):
    return Network(
        [Dense(8, 16, activation="tanh"), Dense(16, 1)],
        loss=loss,
        random_state=random_state,
        dtype=dtype,
    )


def test_contract_shapes_and_defaults(rng):
    net = make()
    assert net.layers[0].W.shape == (16, 8) and net.layers[0].W.dtype == np.float64
    assert net.layers[0].b.shape == (16,)
    assert Dense(3, 2).activation.name == "identity"
    X = rng.normal(size=(5, 8))
    Y = rng.normal(size=(5, 1))
    assert net.predict(X).shape == (5, 1)
    loss, grads = net.loss_and_gradients(X, Y)
    assert isinstance(loss, float)
    assert [g[0].shape for g in grads] == [(16, 8), (1, 16)]
    assert [g[1].shape for g in grads] == [(16,), (1,)]


def test_forward_is_the_notes_formula(rng):
    net = make()
    X = rng.normal(size=(4, 8))
    W1, b1, W2, b2 = net.layers[0].W, net.layers[0].b, net.layers[1].W, net.layers[1].b
    # z = W a + b per sample, a = sigma(z)
    expected = np.array([W2 @ np.tanh(W1 @ x + b1) + b2 for x in X])
    assert np.allclose(net.predict(X), expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("contiguous", [True, False])
def test_dense_forward_writes_z_and_a_in_place(rng, dtype, contiguous):
    # the BLAS path (bias as the product's starting value) and NumPy's fallback for a
    # strided input give z = a W^T + b, written into the given buffers
    net = Network([Dense(5, 7, activation="relu")], random_state=0, dtype=np.dtype(dtype).name)
    layer = net.layers[0]
    layer.b = rng.normal(size=7)
    wide = rng.normal(size=(6, 10)).astype(dtype)
    a_prev = np.ascontiguousarray(wide[:, :5]) if contiguous else wide[:, ::2]
    z, a = np.empty((6, 7), dtype=dtype), np.empty((6, 7), dtype=dtype)
    out = layer.forward(a_prev, z, a)
    expected = a_prev.astype(np.float64) @ layer.W.T.astype(np.float64) + layer.b
    tol = 1e-12 if dtype == np.float64 else 1e-5
    assert out is a and np.allclose(z, expected, rtol=tol, atol=tol)
    assert np.allclose(a, np.maximum(expected, 0.0), rtol=tol, atol=tol)


def test_same_seed_same_weights_different_seed_different_weights():
    assert np.array_equal(make(1).parameters, make(1).parameters)
    assert not np.array_equal(make(1).parameters, make(2).parameters)
    gen = np.random.default_rng(5)
    assert np.array_equal(make(gen).parameters, make(np.random.default_rng(5)).parameters)


def test_initialisation_is_scaled_to_the_layer():
    wide = Network([Dense(400, 300, "tanh"), Dense(300, 200, "relu")], random_state=0)
    glorot_bound = np.sqrt(6 / (400 + 300))
    W1, W2 = wide.layers[0].W, wide.layers[1].W
    assert np.abs(W1).max() <= glorot_bound
    assert W1.std() == pytest.approx(glorot_bound / np.sqrt(3), rel=0.02)
    assert W2.std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)  # He
    assert np.all(wide.layers[0].b == 0)


def test_float32_everywhere(rng):
    net = make(dtype="float32")
    X = rng.normal(size=(6, 8))
    assert net.layers[1].W.dtype == np.float32
    assert net.predict(X).dtype == np.float32
    _, grads = net.loss_and_gradients(X, rng.normal(size=(6, 1)))
    assert grads[0][0].dtype == np.float32


def test_layers_are_views_of_the_flat_vector():
    net = make()
    net.layers[0].W = np.zeros((16, 8))
    assert np.all(net.parameters[: 16 * 8] == 0)
    with pytest.raises(ValueError, match=r"shape \(2, 2\) given; expected \(16, 8\)"):
        net.layers[0].W = np.zeros((2, 2))


def test_pickle_round_trip_keeps_the_views(rng):
    net = make()
    clone = pickle.loads(pickle.dumps(net))
    X = rng.normal(size=(3, 8))
    assert np.array_equal(clone.predict(X), net.predict(X))
    clone.parameters[:] = 0
    assert np.all(clone.layers[0].W == 0)


def test_large_predict_is_chunked_and_equal(rng):
    net = make()
    X = rng.normal(size=(20000, 8))
    full = net.predict(X)
    assert np.allclose(full[:100], net.predict(X[:100]))
    assert np.allclose(full[-100:], net.predict(X[-100:]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda n: n.predict(np.ones((3, 7))), "X has 7 columns; expected 8"),
        (lambda n: n.predict(np.ones(8)), "X must be 2-D"),
        (lambda n: n.predict([[np.nan] * 8]), "X contains NaN at row 0, column 0"),
        (lambda n: n.loss_and_gradients(np.ones((3, 8)), np.ones((2, 1))), "Y has 2 rows"),
        (lambda n: n.loss_and_gradients(np.ones((3, 8)), [[np.inf]] * 3), "Y contains inf"),
        (lambda n: n.fit(np.ones((3, 8)), np.ones((3, 1)), learning_rate=0), "learning_rate=0"),
        (lambda n: n.fit(np.ones((3, 8)), np.ones((3, 1)), epochs=0), "epochs=0 is invalid"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call(make())


def test_bad_architecture():
    with pytest.raises(ValueError, match="layers\\[1\\] has n_in=3 but layers\\[0\\] has n_out=4"):
        Network([Dense(2, 4), Dense(3, 1)])
    with pytest.raises(ValueError, match="n_out=0 is invalid"):
        Dense(2, 0)
    with pytest.raises(ValueError, match="activation='swish' is not supported"):
        Dense(2, 2, activation="swish")
    with pytest.raises(ValueError, match="dtype="):
        Network([Dense(2, 1)], dtype="float16")


def test_a_layer_of_one_network_is_refused_by_another(rng):
    # a layer's W and b are views of its network's parameters: a second network would
    # rebind them, and the first would then predict with (and train) the second's weights
    X = rng.normal(size=(5, 2))
    layers = [Dense(2, 4, "tanh"), Dense(4, 1)]
    first = Network(layers, random_state=0)
    before = first.predict(X)
    assert layers[0].network is first
    with pytest.raises(
        ValueError,
        match=r"layers\[0\]=Dense\(2, 4, activation='tanh'\) already belongs to another "
        r"Network .*build new Dense layers for each network, or pass copy.deepcopy\(layers\)",
    ):
        Network(layers, random_state=1)
    second = Network(copy.deepcopy(layers), random_state=1)  # the fix the message gives
    second.fit(X, np.ones((5, 1)), optimizer="sgd", learning_rate=0.5, epochs=5, tol=None)
    assert np.array_equal(first.predict(X), before)
    assert not np.array_equal(second.predict(X), before)
    assert layers[0].network is first and second.layers[0].network is second


def test_copies_of_a_network_own_their_layers(rng):
    net = make()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert all(layer.network is clone for layer in clone.layers)
        assert all(layer.network is net for layer in net.layers)
        clone.parameters[:] = 0
        assert np.all(clone.layers[0].W == 0) and not np.all(net.layers[0].W == 0)


@pytest.mark.parametrize("output", ["identity", "relu", "tanh", "softplus", "elu"])
def test_bce_needs_an_output_whose_values_are_probabilities(output):
    with pytest.raises(
        ValueError,
        match=rf"loss='bce' needs probabilities from the output layer, but layers\[1\] has "
        rf"activation='{output}', whose values can fall outside \(0, 1\); use a 'sigmoid' "
        "output layer",
    ):
        Network([Dense(3, 4, "tanh"), Dense(4, 1, output)], loss="bce")


@pytest.mark.parametrize("output", ["identity", "sigmoid", "relu"])
def test_cross_entropy_needs_a_softmax_output(output):
    with pytest.raises(
        ValueError,
        match=rf"loss='cross_entropy' needs class probabilities that sum to 1 from the output "
        rf"layer, but layers\[0\] has activation='{output}'; use a 'softmax' output layer",
    ):
        Network([Dense(3, 2, output)], loss="cross_entropy")


def test_probability_outputs_and_user_activations_are_accepted():
    from yieldlab.engine.activations import Activation, sigmoid, sigmoid_grad

    assert Network([Dense(3, 2, "sigmoid")], loss="bce")._matched
    assert not Network([Dense(3, 2, "softmax")], loss="log_loss")._matched  # bce, general
    assert Network([Dense(3, 2, "softmax")], loss="cross_entropy")._matched
    mine = Activation("my_sigmoid", sigmoid, sigmoid_grad)  # its range cannot be known
    assert not Network([Dense(3, 1, mine)], loss="bce")._matched


def test_cross_entropy_targets_must_sum_to_one_per_row(rng):
    # the matched shortcut (value lse(z) - y.z, delta a - y) holds only for such rows
    X = rng.normal(size=(4, 3))
    net = Network([Dense(3, 3, "softmax")], loss="cross_entropy", random_state=0)
    multi_label = np.array([[1.0, 0, 0], [1, 1, 0], [0, 1, 1], [0.5, 0.5, 0.5]])
    with pytest.raises(
        ValueError,
        match=r"needs each row of Y to sum to 1 \(one-hot classes, or class probabilities\); "
        r"row 1 sums to 2 \(3 such row\(s\)\): give one-hot or probability rows that sum to "
        r"1, or, for several labels per row, use a 'sigmoid' output with loss='bce'",
    ):
        net.loss_and_gradients(X, multi_label)
    with pytest.raises(ValueError, match="row 0 sums to 0.9"):
        net.fit(X, np.full((4, 3), 0.3), validation_data=(X, np.eye(3)[[0, 1, 2, 0]]))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_probability_rows_rounded_to_the_dtype_are_accepted(rng, dtype):
    from yieldlab.engine.losses import cross_entropy

    X = rng.normal(size=(200, 3))
    P = rng.dirichlet(np.ones(50), size=200).astype(dtype)  # rows sum to 1 up to rounding
    net = Network([Dense(3, 50, "softmax")], loss="cross_entropy", random_state=0, dtype=dtype)
    value, _ = net.loss_and_gradients(X, P)
    tol = 1e-12 if dtype == "float64" else 1e-5
    assert value == pytest.approx(cross_entropy(net.predict(X).astype(float), P), rel=tol)


def test_text_in_the_targets_is_named():
    with pytest.raises(
        ValueError,
        match=r"Y, row 2, column 0: 'c' is not a number; convert it to numbers first",
    ):
        make().fit(np.ones((3, 8)), np.array([["1"], ["2"], ["c"]]))
    with pytest.raises(ValueError, match=r"X, row 0, column 7: 'n/a' is not a number"):
        make().predict([["1"] * 7 + ["n/a"]])
