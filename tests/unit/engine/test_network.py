"""The Network contract, initialisation, dtypes, determinism and bad input."""

from __future__ import annotations

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
