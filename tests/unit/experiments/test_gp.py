"""The experiment loop's Gaussian process: likelihood gradient, kernel, posterior, fantasies."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import cho_solve, cholesky
from sklearn.utils.estimator_checks import parametrize_with_checks

from yieldlab.experiments.gp import GaussianProcess, GroupKernel, _neg_log_prior, _prior, matern

GROUPS = np.array([0, 1, 2, 2, 2])


def mixed_data(rng, n=30):
    X = np.hstack([rng.random((n, 2)), np.eye(3)[rng.integers(3, size=n)]])
    y = np.sin(4 * X[:, 0]) + X[:, 1] + 2 * X[:, 3] + 0.05 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("n_theta", [5, 6])  # without and with the additive part
def test_likelihood_gradient_matches_central_differences(rng, n_theta):
    X, y = mixed_data(rng)
    theta = 0.5 * rng.standard_normal(n_theta)  # signal, 3 length scales, [additive,] noise
    D = GroupKernel(GROUPS, theta).distances(X, X)
    _, grad = GroupKernel(GROUPS, theta).nll(y, D)
    h = 1e-6
    numeric = [
        (
            GroupKernel(GROUPS, theta + h * e).nll(y, D)[0]
            - GroupKernel(GROUPS, theta - h * e).nll(y, D)[0]
        )
        / (2 * h)
        for e in np.eye(len(theta))
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_additive_part_adds_one_matern_term_per_parameter(rng):
    theta = np.array([0.3, np.log(0.5), np.log(0.7), np.log(2.0), np.log(0.4), -4.0])
    kernel = GroupKernel(GROUPS, theta)
    X, _ = mixed_data(rng, 6)
    product = GroupKernel(GROUPS, np.r_[theta[:4], theta[-1]])(X)
    D = kernel.distances(X, X)
    terms = sum(matern(np.sqrt(Dg) / l) for Dg, l in zip(D, [0.5, 0.7, 2.0], strict=True))
    np.testing.assert_allclose(kernel(X), product + 0.4 / 3 * terms, rtol=1e-12)
    np.testing.assert_allclose(np.diag(kernel(X)), np.exp(0.3) + 0.4)
    assert kernel.variance == pytest.approx(np.exp(0.3) + 0.4)
    # a group of numeric columns (not one-hot) takes the general path
    pair = GroupKernel(np.array([0, 0, 1]), np.array([0.0, np.log(0.8), np.log(0.3), 0.5, -4.0]))
    Y = rng.random((7, 3))
    D = pair.distances(Y, Y)
    r = np.sqrt(D[0] / 0.8**2 + D[1] / 0.3**2)
    expected = matern(r) + np.exp(0.5) / 2 * (
        matern(np.sqrt(D[0]) / 0.8) + matern(np.sqrt(D[1]) / 0.3)
    )
    np.testing.assert_allclose(pair(Y[:3], Y), expected[:3], rtol=1e-12)


def test_additive_gp_carries_a_main_effect_to_settings_never_tried():
    # level b was only run at low x; its effect (+1) holds at high x too
    xa, xb = np.linspace(0, 1, 10), np.linspace(0, 0.3, 4)
    X = np.r_[np.c_[xa, np.ones(10), np.zeros(10)], np.c_[xb, np.zeros(4), np.ones(4)]]
    y = np.sin(3 * X[:, 0]) + X[:, 2]
    test = np.c_[np.linspace(0.6, 1, 5), np.zeros(5), np.ones(5)]
    truth = np.sin(3 * test[:, 0]) + 1
    product = GaussianProcess([0, 1, 1]).fit(X, y).predict(test)
    additive = GaussianProcess([0, 1, 1], additive=True).fit(X, y).predict(test)
    assert np.abs(additive - truth).max() < 0.01 < np.abs(product - truth).max()


def test_prior_gradient_matches_central_differences(rng):
    mu, sd = _prior(np.array([1, 1, 3]))
    theta = rng.standard_normal(len(mu) + 1)
    _, grad = _neg_log_prior(theta, mu, sd)
    h = 1e-6
    numeric = [
        (_neg_log_prior(theta + h * e, mu, sd)[0] - _neg_log_prior(theta - h * e, mu, sd)[0])
        / (2 * h)
        for e in np.eye(len(theta))
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_noise_free_data_are_interpolated_and_noisy_data_learn_their_noise(rng):
    X = rng.random((25, 2))
    f = np.sin(5 * X[:, 0]) + X[:, 1] ** 2
    exact = GaussianProcess().fit(X, f)
    # the noise prior lets the noise go to its floor: the GP interpolates the data
    assert np.exp(exact.theta_[-1]) < 1e-4
    np.testing.assert_allclose(exact.predict(X), f, atol=2e-3 * f.std())
    noisy = GaussianProcess().fit(X, f + 0.1 * rng.standard_normal(25))
    noise_sd = np.sqrt(np.exp(noisy.theta_[-1])) * noisy.y_std_
    assert 0.05 < noise_sd < 0.2


def test_a_different_level_counts_like_a_whole_numeric_range():
    theta = np.array([0.0, np.log(0.5), np.log(0.5), np.log(2.0), -4.0])
    kernel = GroupKernel(GROUPS, theta)
    a = np.array([[0.0, 0.0, 1.0, 0.0, 0.0]])
    b = np.array([[0.0, 0.0, 0.0, 1.0, 0.0]])
    c = np.array([[0.0, 1.0, 1.0, 0.0, 0.0]])
    r = 0.5  # mismatch / l_cat = 1 / 2; and the numeric step of 1 over l = 0.5 gives 2
    expected = (1 + np.sqrt(5) * r + 5 / 3 * r**2) * np.exp(-np.sqrt(5) * r)
    assert kernel(a, b)[0, 0] == pytest.approx(expected)
    r = 2.0
    assert kernel(a, c)[0, 0] == pytest.approx(
        (1 + np.sqrt(5) * r + 5 / 3 * r**2) * np.exp(-np.sqrt(5) * r)
    )


def test_gp_interpolates_and_learns_which_inputs_matter(rng):
    X = rng.random((40, 3))
    y = np.sin(5 * X[:, 0]) + 0.5 * X[:, 1]  # x3 does nothing
    gp = GaussianProcess().fit(X, y)
    test = rng.random((200, 3))
    mean, std = gp.predict(test, return_std=True)
    truth = np.sin(5 * test[:, 0]) + 0.5 * test[:, 1]
    assert np.sqrt(np.mean((mean - truth) ** 2)) < 0.03
    lengths = np.exp(gp.theta_[1:-1])
    assert lengths[2] > 5 * lengths[0]
    assert np.all(std > 0)


def test_posterior_matches_the_closed_form(rng):
    X, y = mixed_data(rng, 15)
    gp = GaussianProcess(groups=GROUPS).fit(X, y)
    posterior = gp.posterior()
    Z = mixed_data(rng, 4)[0]
    k = gp.kernel_
    K = k(X) + (k.noise + 1e-8) * np.eye(len(X))
    L = cholesky(K, lower=True)
    z = (y - y.mean()) / y.std()
    mean = k(Z, X) @ cho_solve((L, True), z) * y.std() + y.mean()
    cov = k(Z) - k(Z, X) @ cho_solve((L, True), k(X, Z))
    got_mean, got_std = posterior.predict_one(Z)
    np.testing.assert_allclose(got_mean, mean, rtol=1e-9)
    np.testing.assert_allclose(got_std, np.sqrt(np.diag(cov)) * y.std(), rtol=1e-7)
    draws = posterior.sample_one(Z, 20000, rng)
    np.testing.assert_allclose(np.cov(draws.T), cov * y.std() ** 2, atol=0.03 * y.var())


def test_believer_fantasy_keeps_the_mean_and_removes_the_uncertainty(rng):
    X, y = mixed_data(rng, 20)
    posterior = GaussianProcess(groups=GROUPS).fit(X, y).posterior()
    Z = mixed_data(rng, 3)[0]
    before_mean, before_std = posterior.predict_one(Z)
    after_mean, after_std = posterior.condition_one(Z[:1]).predict_one(Z)
    np.testing.assert_allclose(after_mean, before_mean, rtol=1e-6, atol=1e-8)
    # a fantasy is observed without noise: nothing is left to learn there
    assert after_std[0] < 0.05 * before_std[0]
    assert np.all(after_std <= before_std + 1e-12)


def test_warm_start_gives_the_same_fit(rng):
    X, y = mixed_data(rng)
    first = GaussianProcess(groups=GROUPS).fit(X, y)
    again = GaussianProcess(groups=GROUPS, theta0=first.theta_).fit(X, y)
    assert again.predict(X[:5]) == pytest.approx(first.predict(X[:5]), rel=1e-4)


def test_groups_must_match_the_columns(rng):
    with pytest.raises(ValueError, match="groups has 2 entries; expected one per column"):
        GaussianProcess(groups=[0, 1]).fit(rng.random((5, 3)), rng.random(5))


@pytest.mark.slow
@parametrize_with_checks([GaussianProcess()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
