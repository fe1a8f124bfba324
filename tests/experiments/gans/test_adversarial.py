"""GAN train step: the D step moves only D's weights, the G step only G's; fit logs every number."""

import keras
import numpy as np
import pytest

import nnkit
from nnkit.experiments.gans import adversarial
from nnkit.experiments.gans import model as gans

SMALL = {**{s.name: s.default for s in gans.SETTINGS}, "points": 256, "epochs": 2, "g_width": 8, "d_width": 8}


def _weights(network):
    return [np.array(w) for w in network.get_weights()]


def _run(gan, body, x):
    """One step body, as fit runs it: statelessly on JAX, with a tape on TensorFlow."""
    if keras.backend.backend() != "jax":
        return body(x, adversarial._tape_gradient)
    groups = (gan.trainable_variables, gan.non_trainable_variables, gan.optimizer.variables, gan.metrics_variables)
    out, state = gan.stateless(body, tuple([v.value for v in g] for g in groups), x)
    for variables, values in zip(groups, state):
        for v, value in zip(variables, values):
            v.assign(value)
    return out


@pytest.mark.parametrize("part", ["discriminator", "generator"])
def test_each_step_updates_only_its_own_network(part):
    gan = gans.build(SMALL)
    x = gans.real_points(SMALL)[:64]
    before = {"discriminator": _weights(gan.discriminator), "generator": _weights(gan.generator)}
    if part == "discriminator":
        _run(gan, lambda data, gradient: gan.discriminator_step(data, gradient), x)
    else:
        _run(gan, lambda data, gradient: gan.generator_step(64, gradient), x)
    other = "generator" if part == "discriminator" else "discriminator"
    assert any(not np.allclose(a, b) for a, b in zip(before[part], _weights(getattr(gan, part))))
    assert all(np.array_equal(a, b) for a, b in zip(before[other], _weights(getattr(gan, other))))


def test_fit_logs_both_losses_accuracies_and_gradient_norm():
    gan = gans.build(SMALL)
    result = nnkit.train(gan, gans.training_data(SMALL), gans.train_config(SMALL))
    assert set(adversarial.GAN_LOGS) <= set(result.history)
    assert len(result.history["loss"]) == 2 and result.reason == "finished"
    assert all(0 <= a <= 1 for a in result.history["real_accuracy"] + result.history["fake_accuracy"])


def test_losses_match_their_textbook_forms():
    real, fake = np.array([[2.0], [-1.0]], "float32"), np.array([[0.5], [-3.0]], "float32")
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    expected = 0.5 * (-np.log(sig(real)).mean() - np.log(1 - sig(fake)).mean())
    assert float(adversarial.discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-5)
    assert float(adversarial.generator_loss(fake)) == pytest.approx(-np.log(sig(fake)).mean(), rel=1e-5)
    assert float(adversarial.generator_loss(fake, "minimax")) == pytest.approx(np.log(1 - sig(fake)).mean(),
                                                                               rel=1e-5)
