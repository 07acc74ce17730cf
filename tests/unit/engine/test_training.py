"""Training loops: convergence, early stopping, divergence guard, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.engine import Dense, History, Network, train
from yieldlab.exceptions import DivergenceError


def regression_data(rng, n=400):
    X = rng.uniform(-2, 2, size=(n, 2))
    y = np.sin(X[:, :1]) + 0.5 * X[:, 1:] ** 2
    return X, y


def net(seed=0, act="tanh"):
    return Network([Dense(2, 16, act), Dense(16, 1)], random_state=seed)


@pytest.mark.parametrize(
    ("optimizer", "options"),
    [
        ("adam", {"learning_rate": 0.01}),
        ("adamw", {"learning_rate": 0.01, "weight_decay": 1e-4}),
        ("sgd", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
        ("gd", {"learning_rate": 0.05}),
        ("lbfgs", {}),
    ],
)
def test_every_optimizer_fits_a_smooth_function(rng, optimizer, options):
    X, y = regression_data(rng)
    model = net()
    history = model.fit(
        X, y, optimizer=optimizer, epochs=300, batch_size=32, tol=None, random_state=0, **options
    )
    assert isinstance(history, History)
    mse = float(np.mean((model.predict(X) - y) ** 2))
    assert mse < 0.02 * float(np.var(y)) if optimizer != "gd" else mse < 0.1 * float(np.var(y))
    assert history.loss[-1] < history.loss[0]


def test_same_seed_same_result(rng):
    X, y = regression_data(rng)
    a, b = net(3), net(3)
    a.fit(X, y, epochs=5, random_state=7)
    b.fit(X, y, epochs=5, random_state=7)
    assert np.array_equal(a.parameters, b.parameters)


def test_divergence_names_the_learning_rate(rng):
    X, y = regression_data(rng)
    with pytest.raises(
        DivergenceError, match=r"learning rate 1e\+06 is too large.*try learning_rate=100000"
    ):
        net(act="relu").fit(1e3 * X, 1e3 * y, optimizer="sgd", learning_rate=1e6, epochs=20)


def test_a_finite_blow_up_is_divergence_and_the_weights_are_kept(rng):
    # the loss grows by orders of magnitude but stays finite: not "converged"
    X, y = regression_data(rng, n=60)
    model = net()
    before = model.parameters.copy()
    with pytest.raises(DivergenceError, match=r"learning rate 1000 is too large"):
        model.fit(X, y, optimizer="adam", learning_rate=1e3, epochs=50, random_state=0)
    assert np.array_equal(model.parameters, before)
    assert np.all(np.isfinite(model.predict(X)))


def test_early_stopping_restores_the_best_weights(rng):
    X, y = regression_data(rng, n=60)
    y = y + rng.normal(scale=0.5, size=y.shape)  # noisy: validation loss turns up
    X_val, y_val = regression_data(rng, n=200)
    model = Network([Dense(2, 64, "tanh"), Dense(64, 1)], random_state=0)
    history = model.fit(
        X,
        y,
        optimizer="adam",
        learning_rate=0.03,
        epochs=400,
        validation_data=(X_val, y_val),
        early_stopping=True,
        patience=20,
        tol=0.0,
        random_state=0,
    )
    assert history.stop_reason == "early_stopping"
    best = int(np.argmin(history.val_loss))
    assert history.best_epoch == best
    final_val = float(np.mean((model.predict(X_val) - y_val) ** 2))
    assert final_val == pytest.approx(history.val_loss[best], rel=1e-9)
    assert history.n_epochs > best + 1


def test_validation_fraction_holds_out_rows(rng):
    X, y = regression_data(rng, n=100)
    history = net().fit(X, y, epochs=3, validation_fraction=0.2, tol=None, random_state=0)
    assert len(history.val_loss) == 3
    with pytest.raises(ValueError, match="early_stopping=True needs validation rows"):
        net().fit(X, y, early_stopping=True)


def test_tolerance_stops_a_converged_run(rng):
    X, y = regression_data(rng, n=100)
    history = net().fit(
        X, y, optimizer="adam", learning_rate=1e-6, epochs=500, tol=1.0, patience=3
    )
    assert history.stop_reason == "converged" and history.n_epochs == 4


def test_gradient_norms_are_recorded_per_layer_and_epoch(rng):
    X, y = regression_data(rng, n=64)
    history = net().fit(X, y, epochs=4, batch_size=64, tol=None, shuffle=False)
    assert len(history.grad_norms) == 4 and history.grad_norms[0].shape == (2,)
    # with one batch per epoch the RMS over batches is the batch gradient norm at that step
    model = net()
    model.loss_and_gradients(X, y)
    assert np.allclose(history.grad_norms[0], model.gradient_norms())


def test_batch_size_does_not_change_the_full_batch_gradient_scale(rng):
    # the loss averages over the batch (ERRATA), so gradients do not grow with batch size
    X, y = regression_data(rng, n=512)
    model = net()
    _, g_small = model.loss_and_gradients(X[:32], y[:32])
    _, g_large = model.loss_and_gradients(X, y)
    ratio = np.linalg.norm(g_large[0][0]) / np.linalg.norm(g_small[0][0])
    assert 0.2 < ratio < 5


def test_callback_can_stop(rng):
    X, y = regression_data(rng, n=50)
    history = train(net(), X, y, epochs=100, callback=lambda epoch, h: epoch == 2)
    assert history.n_epochs == 3 and history.stop_reason == "callback"


def test_an_unknown_optimizer_option_is_named_with_the_options(rng):
    X, y = regression_data(rng, n=20)
    with pytest.raises(
        TypeError,
        match=r"'sgd' has no option 'momentm' \(did you mean 'momentum'\?\); its options",
    ):
        net().fit(X, y, optimizer="sgd", momentm=0.9)


def test_user_losses_and_activations_of_the_wrong_shape_are_refused_when_built():
    from yieldlab.engine.activations import Activation
    from yieldlab.engine.losses import Loss

    with pytest.raises(ValueError, match="loss 'l1': value returned shape \\(2, 2\\)"):
        Loss("l1", lambda p, y: np.abs(p - y), lambda p, y: np.sign(p - y) / p.size)
    with pytest.raises(ValueError, match="gradient returned shape \\(\\) for predictions"):
        Loss("l1", lambda p, y: float(np.mean(np.abs(p - y))), lambda p, y: 0.0)
    with pytest.raises(ValueError, match="activation 'rowsum': its function returned shape"):
        Activation("rowsum", lambda z: z.sum(axis=1), np.ones_like)


def test_probability_losses_need_probabilities_and_softmax_needs_two_units(rng):
    X, y = regression_data(rng, n=20)
    with pytest.raises(ValueError, match="loss='bce' needs targets that are probabilities"):
        Network([Dense(2, 1, "sigmoid")], loss="bce").fit(X, 5 * y)
    with pytest.raises(ValueError, match="a softmax over one output unit is always 1"):
        Network([Dense(2, 1, "softmax")], loss="cross_entropy")


def test_sorted_targets_on_their_own_scale_are_not_called_divergent(rng):
    # the first rows are failed runs at 0: the bound must not come from them alone
    X = rng.normal(size=(6000, 3))
    y = np.sort(np.r_[np.zeros(2000), rng.uniform(50, 100, 4000)])[:, None]
    history = Network([Dense(3, 8, "relu"), Dense(8, 1)], random_state=0).fit(
        X, y, epochs=5, random_state=0
    )
    assert history.loss[-1] < history.loss[0]


def test_a_scalar_derivative_of_a_linear_activation_is_accepted(rng):
    from yieldlab.engine.activations import Activation

    half = Activation("half", lambda z: 0.5 * z, lambda z: 0.5)
    X, y = regression_data(rng, n=50)
    history = Network([Dense(2, 1, half)], random_state=0).fit(X, y, epochs=20, random_state=0)
    assert history.loss[-1] < history.loss[0]


def test_lbfgs_refuses_options_it_does_not_take(rng):
    X, y = regression_data(rng, n=20)
    with pytest.raises(
        TypeError,
        match=r"optimizer 'lbfgs' has no option 'momentun' \(did you mean 'momentum'\?\); it "
        "takes no optimizer options",
    ):
        net().fit(X, y, optimizer="lbfgs", momentun=0.9)
    with pytest.raises(
        TypeError,
        match=r"optimizer 'lbfgs' does not take the option 'beta1' \(an option of 'adam' and "
        r"'adamw'\); remove it",
    ):
        net().fit(X, y, optimizer="lbfgs", beta1=0.8)


def test_an_optimizer_holds_its_state_for_one_network(rng):
    from yieldlab.engine import Adam

    X, y = regression_data(rng, n=20)
    opt = Adam(0.01)
    small = Network([Dense(2, 3, "tanh"), Dense(3, 1)], random_state=0)
    small.fit(X, y, optimizer=opt, epochs=1)
    small.fit(X, y, optimizer=opt, epochs=1)  # the same network goes on from its state
    assert opt.t == 2
    with pytest.raises(
        ValueError,
        match=r"this Adam optimizer holds its state .* for 13 float64 parameters, but the "
        r"network has 21 float64 parameters; use a new optimizer for each network, e.g. "
        r"optimizer=Adam\(\.\.\.\), or call reset\(\) on this one first",
    ):
        Network([Dense(2, 5, "tanh"), Dense(5, 1)], random_state=0).fit(X, y, optimizer=opt)
    with pytest.raises(ValueError, match="for 13 float64 parameters, but the network has 13 "):
        Network([Dense(2, 3, "tanh"), Dense(3, 1)], dtype="float32").fit(X, y, optimizer=opt)
    opt.reset()
    Network([Dense(2, 5, "tanh"), Dense(5, 1)], random_state=0).fit(X, y, optimizer=opt)


@pytest.mark.parametrize(
    ("options", "reached"),
    [
        ({"optimizer": "lbfgs", "epochs": 3}, True),
        ({"optimizer": "lbfgs", "epochs": 3, "tol": None}, True),  # still has its gtol
        ({"optimizer": "adam", "epochs": 3}, True),
        ({"optimizer": "adam", "epochs": 3, "tol": None}, False),  # every epoch asked for
        ({"optimizer": "adam", "epochs": 500, "tol": 10.0, "patience": 2}, False),
    ],
)
def test_history_says_whether_training_stopped_at_its_limit(rng, options, reached):
    X, y = regression_data(rng, n=50)
    history = net().fit(X, y, random_state=0, **options)
    assert history.reached_limit is reached
