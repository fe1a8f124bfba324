"""A GAN as one `keras.Model` trained by `fit`, on JAX and on TensorFlow.

Why `fit` with a custom `train_step`, not a Python loop of `train_on_batch`:
a loop pays Keras's per-call dispatch (about a millisecond) for every D and G
step, while `fit` compiles the whole step (D steps, then a G step) once and
runs it from compiled code; it also gives nnkit's live callbacks, Stop and the
process's training queue for free (`nnkit.train`, `ui.train_live`).

Keras calls `train_step(data)` on TensorFlow and the stateless
`train_step(state, data)` on JAX. Both run the same step body (`_step`),
written with ordinary stateful Keras calls; on JAX it runs inside a
`keras.StatelessScope` that maps every variable to its value in `state`, and
the new values are read back from the scope (that is how Keras's own
`optimizer.stateless_apply` works). Only the gradient differs per backend.

JAX hands `train_step` the variables of `model.optimizer` only, and a GAN has
two optimizers (one per network, each with its own learning rate), so
`PairedOptimizer` holds both and lists both sets of variables.

This module is self-contained (Keras and NumPy only): the exported notebook
ships these classes by their source.
"""

import keras

GAN_LOGS = ("loss", "g_loss", "real_accuracy", "fake_accuracy", "g_grad_norm")
"""What a step logs: D's loss (mean of its real and fake log-losses), G's loss,
D's accuracy on real and on generated points, and the size of G's gradient."""


@keras.saving.register_keras_serializable(package="nnkit_gans")
class PairedOptimizer(keras.optimizers.Optimizer):
    """The discriminator's and the generator's optimizers as one `model.optimizer`."""

    def __init__(self, discriminator, generator, name="paired", **kwargs):
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.discriminator = keras.optimizers.get(discriminator)
        self.generator = keras.optimizers.get(generator)

    def build_pair(self, discriminator_variables, generator_variables):
        """Build each optimizer on its own network's weights (the GAN's `compile` calls this)."""
        self.discriminator.build(discriminator_variables)
        self.generator.build(generator_variables)
        super().build([*discriminator_variables, *generator_variables])

    def build(self, variables):
        if not self.built:
            raise ValueError("PairedOptimizer is built by GAN.compile, which knows whose weights are whose.")

    @property
    def variables(self):
        return [*self._variables, *self.discriminator.variables, *self.generator.variables]

    def get_config(self):
        return {"name": self.name, "discriminator": keras.optimizers.serialize(self.discriminator),
                "generator": keras.optimizers.serialize(self.generator)}


@keras.saving.register_keras_serializable(package="nnkit_gans")
class GAN(keras.Model):
    """Generator G (noise -> point) against discriminator D (point -> logit of "real").

    Each training step takes `d_steps` steps on D (real points labelled 1,
    G's points labelled 0), then one step on G. `g_loss` is "non-saturating"
    (G maximises log D(G(z))) or "minimax" (G minimises log(1 - D(G(z))), the
    original game, whose gradient vanishes once D wins). Calling the model
    maps noise to points, so `predict` samples the generator.
    """

    def __init__(self, generator, discriminator, d_steps=1, g_loss="non-saturating", seed=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(generator, dict):  # loading a saved GAN
            generator = keras.saving.deserialize_keras_object(generator)
            discriminator = keras.saving.deserialize_keras_object(discriminator)
        self.generator, self.discriminator = generator, discriminator
        self.noise_dim = int(generator.input_shape[-1])
        self.d_steps, self.g_loss, self.seed = int(d_steps), g_loss, int(seed)
        self.noise = keras.random.SeedGenerator(seed)
        self.trackers = [keras.metrics.Mean(name=name) for name in GAN_LOGS]
        self.built = True  # both networks are built; fit must not call the GAN on real points

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def compile(self, optimizer, **kwargs):
        super().compile(optimizer=optimizer, **kwargs)
        self.optimizer.build_pair(self.discriminator.trainable_variables, self.generator.trainable_variables)

    @property
    def metrics(self):
        return self.trackers

    def get_config(self):
        return {"generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "d_steps": self.d_steps, "g_loss": self.g_loss, "seed": self.seed, "name": self.name}

    # ---- one training step ------------------------------------------------------

    def train_step(self, *args):
        if keras.backend.backend() == "jax":
            return self.stateless(self._step, *args)
        return self._step(args[0], _tape_gradient)

    def _step(self, data, gradient):
        """`d_steps` steps on D, then one on G; `gradient(loss_fn, variables)` returns
        (loss, aux, gradients) by the backend's autodiff."""
        real = data[0] if isinstance(data, (tuple, list)) else data
        d_steps = [self.discriminator_step(real, gradient) for _ in range(self.d_steps)]
        g_loss, g_norm = self.generator_step(keras.ops.shape(real)[0], gradient)
        _, real_accuracy, fake_accuracy = d_steps[-1]  # D's last look before G moved
        d_loss = keras.ops.mean(keras.ops.stack([loss for loss, _, _ in d_steps]))
        for tracker, value in zip(self.trackers, (d_loss, g_loss, real_accuracy, fake_accuracy, g_norm)):
            tracker.update_state(value)
        return {tracker.name: tracker.result() for tracker in self.trackers}

    def discriminator_step(self, real, gradient):
        """One update of D's weights only: real points are class 1, fresh generated ones class 0."""
        d = self.discriminator
        fake = self.generator(keras.random.normal((keras.ops.shape(real)[0], self.noise_dim), seed=self.noise))

        def d_loss():
            real_logits, fake_logits = d(real, training=True), d(fake, training=True)
            return discriminator_loss(real_logits, fake_logits), (real_logits, fake_logits)

        loss, (real_logits, fake_logits), grads = gradient(d_loss, d.trainable_variables)
        self.optimizer.discriminator.apply(grads, d.trainable_variables)
        return (loss, keras.ops.mean(keras.ops.cast(real_logits > 0, "float32")),
                keras.ops.mean(keras.ops.cast(fake_logits < 0, "float32")))

    def generator_step(self, batch, gradient):
        """One update of G's weights only, through D (whose weights stay as they are)."""
        z = keras.random.normal((batch, self.noise_dim), seed=self.noise)

        def g_loss():
            logits = self.discriminator(self.generator(z, training=True))
            return generator_loss(logits, self.g_loss), logits

        variables = self.generator.trainable_variables
        loss, _, grads = gradient(g_loss, variables)
        self.optimizer.generator.apply(grads, variables)
        return loss, keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(grad)) for grad in grads))

    def stateless(self, body, state, data):
        """Run `body(data, gradient)` (stateful Keras code) on JAX's `state`: every variable
        maps to its value there, and the new values come back as the new state."""
        groups = (self.trainable_variables, self.non_trainable_variables, self.optimizer.variables,
                  self.metrics_variables)
        mapping = [(v, value) for variables, values in zip(groups, state) for v, value in zip(variables, values)]
        everything = [v for v, _ in mapping]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            out = body(data, lambda loss_fn, variables: _jax_gradient(loss_fn, variables, everything))
        return out, tuple([scope.get_current_value(v) for v in variables] for variables in groups)


def discriminator_loss(real_logits, fake_logits):
    """D's log-loss, the mean of real points' (label 1) and generated points' (label 0):
    ln 2 ≈ 0.693 for a D that cannot tell them apart, 0 for one that always can."""
    return 0.5 * (keras.ops.mean(keras.ops.softplus(-real_logits)) + keras.ops.mean(keras.ops.softplus(fake_logits)))


def generator_loss(logits, kind="non-saturating"):
    """G's loss on D's logits for its points: mean -log D(x) ("non-saturating"), or mean
    log(1 - D(x)) ("minimax": flat, so its gradient vanishes, where D is sure a point is fake)."""
    if kind == "minimax":
        return -keras.ops.mean(keras.ops.softplus(logits))
    return keras.ops.mean(keras.ops.softplus(-logits))


def _tape_gradient(loss_fn, variables):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    return loss, aux, tape.gradient(loss, variables)


def _jax_gradient(loss_fn, variables, everything):
    """Differentiate `loss_fn` in the weights `variables`, inside the step's StatelessScope:
    a nested scope maps those weights to JAX's traced values and every other variable of
    the step (`everything`) to its current value, read from the outer scope."""
    import jax

    targets = {id(v) for v in variables}
    others = [(v, v.value) for v in everything if id(v) not in targets]

    def pure(values):
        with keras.StatelessScope(state_mapping=[*others, *zip(variables, values)]):
            return loss_fn()

    (loss, aux), grads = jax.value_and_grad(pure, has_aux=True)([v.value for v in variables])
    return loss, aux, grads
