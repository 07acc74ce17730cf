"""Activations: values, derivatives against finite differences, stability at |z| = 1e4."""

from __future__ import annotations

import numpy as np
import pytest

from yieldlab.engine.activations import ACTIVATIONS, Activation, get_activation

ELEMENTWISE = [name for name in ACTIVATIONS if name != "softmax"]


def test_known_values():
    z = np.array([-2.0, 0.0, 3.0])
    assert np.allclose(ACTIVATIONS["sigmoid"].function(z), 1 / (1 + np.exp(-z)))
    assert np.allclose(ACTIVATIONS["relu"].function(z), [0.0, 0.0, 3.0])
    assert np.allclose(ACTIVATIONS["leaky_relu"].function(z), [-0.02, 0.0, 3.0])
    assert np.allclose(ACTIVATIONS["elu"].function(z), [np.exp(-2) - 1, 0.0, 3.0])
    assert np.allclose(ACTIVATIONS["softplus"].function(z), np.log1p(np.exp(z)))
    assert np.allclose(ACTIVATIONS["tanh"].function(z), np.tanh(z))
    assert np.allclose(ACTIVATIONS["identity"].function(z), z)


def test_sigmoid_derivative_peaks_at_a_quarter():
    # ERRATA: sigma'' = s(1-s)(1-2s) = 0 at z = 0, so max sigma' = 1/4
    z = np.linspace(-10, 10, 20001)
    d = ACTIVATIONS["sigmoid"].derivative(z)
    assert d.max() == pytest.approx(0.25, abs=1e-12)
    assert z[np.argmax(d)] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    act = ACTIVATIONS[name]
    # avoid the kink of the ReLU family at exactly 0
    z = np.array([-3.1, -0.7, -0.05, 0.05, 0.9, 2.3])
    h = 1e-6
    numeric = (act.function(z + h) - act.function(z - h)) / (2 * h)
    assert np.allclose(act.derivative(z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_from_output_equals_derivative(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-30, 30, 121)
    a = act.function(z)
    assert np.allclose(act.grad_from_output(a) * np.ones_like(z), act.derivative(z), atol=1e-12)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_no_overflow_or_nan_for_large_inputs(name):
    # warnings are errors in this suite, so any overflow warning fails the test
    act = ACTIVATIONS[name]
    z = np.array([-1e4, -800.0, -50.0, 50.0, 800.0, 1e4])
    a = act.function(z)
    d = act.derivative(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    g = act.backward(np.ones_like(z), z, a.copy())
    assert np.all(np.isfinite(g))


def test_softmax_is_stable_and_sums_to_one():
    z = np.array([[1e4, 0.0, -1e4], [1.0, 2.0, 3.0]])
    p = ACTIVATIONS["softmax"].function(z)
    assert np.all(np.isfinite(p))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p[1], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_softmax_backward_is_the_jacobian_vector_product():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(1, 4))
    g = rng.normal(size=(1, 4))
    p = ACTIVATIONS["softmax"].function(z)[0]
    jacobian = np.diag(p) - np.outer(p, p)
    expected = g[0] @ jacobian
    got = ACTIVATIONS["softmax"].backward(g.copy(), z, p[None, :])
    assert np.allclose(got[0], expected)


def test_lookup_by_name_alias_and_pair():
    assert get_activation("logistic") is ACTIVATIONS["sigmoid"]
    pair = get_activation((np.sin, np.cos))
    assert isinstance(pair, Activation) and pair.name == "sin"


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"activation='relu6' is not supported; expected one of"):
        get_activation("relu6")
    with pytest.raises(TypeError, match="wrong type"):
        get_activation(42)
    with pytest.raises(ValueError, match="init='zeros'"):
        Activation("x", np.sin, np.cos, init="zeros")
