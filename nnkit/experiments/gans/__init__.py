"""GANs: a generator and a discriminator learning against each other on 2-D points.

`adversarial` (the GAN as a `keras.Model` with a custom `train_step`, JAX and
TensorFlow), `targets` (the distributions and their modes), `modes` (mode
counting), `model` (settings -> networks), `watch` (what a live redraw reads).
"""
