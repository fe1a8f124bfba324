"""One small autoencoder trained on benign tumours, shared by the model and lesson tests."""

import pytest


@pytest.fixture(scope="package")
def trained_on_benign():
    """A small dense AE trained a few epochs on benign tumours only (seeded)."""
    import nnkit
    from nnkit.core.training import TrainConfig
    from nnkit.experiments.autoencoder import anomalies
    from nnkit.experiments.autoencoder import model as ae

    data = anomalies.breast_cancer(seed=0)
    model = ae.build_autoencoder(ae.AEConfig(bottleneck=4, hidden=16, learning_rate=0.01), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train), TrainConfig(epochs=8, batch_size=32, seed=0))
    return data, model, result
