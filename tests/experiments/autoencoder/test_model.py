"""Autoencoders: builders, the one reconstruction error, the mean baseline, a real learning check,
and a `.keras` download that reloads in a fresh process."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit import plots
from nnkit.core.saving import model_bytes
from nnkit.core.training import TrainConfig
from nnkit.experiments.autoencoder import anomalies
from nnkit.experiments.autoencoder import figures as aplots
from nnkit.experiments.autoencoder import model as ae
from nnkit.experiments.autoencoder import threshold as th


def test_reconstruction_error_is_keras_mse_per_sample():
    """The formula on the page, e_i = mean_j (x_ij - x̂_ij)², is Keras's MSE kept per sample."""
    import keras

    rng = np.random.default_rng(0)
    x, x_hat = rng.normal(size=(7, 4, 4, 1)), rng.normal(size=(7, 4, 4, 1))
    ours = ae.reconstruction_error(x, x_hat)
    flat = lambda a: a.reshape(7, -1).astype("float32")  # noqa: E731
    keras_per_sample = keras.losses.MeanSquaredError(reduction=None)(flat(x), flat(x_hat))
    assert ours.shape == (7,)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(keras_per_sample), rtol=1e-6)
    np.testing.assert_allclose(ours.mean(), float(keras.losses.MeanSquaredError()(flat(x), flat(x_hat))),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="shapes differ"):
        ae.reconstruction_error(x, x_hat[:3])


@pytest.mark.parametrize("kind, shape", [(ae.DENSE, (30,)), (ae.DENSE, (8, 8, 1)),
                                         (ae.CONV, (8, 8, 1)), (ae.CONV, (16, 1))])
def test_builders_rebuild_the_input_shape_through_the_bottleneck(kind, shape):
    # Symbolic shapes: no compiled predict needed (that is covered by the trained tests below).
    model = ae.build_autoencoder(ae.AEConfig(kind, bottleneck=3, hidden=8, filters=4), shape)
    assert tuple(model.output_shape[1:]) == shape
    assert tuple(model.get_layer("bottleneck").output.shape[1:]) == (3,)
    assert model.loss == "mse"


def test_conv_needs_sides_divisible_by_four():
    with pytest.raises(ValueError, match="divisible by 4"):
        ae.build_autoencoder(ae.AEConfig(ae.CONV), (10, 1))
    with pytest.raises(ValueError, match="needs images"):
        ae.build_autoencoder(ae.AEConfig(ae.CONV), (30,))


def test_project_2d_keeps_small_codes_and_uses_pca_for_wide_ones():
    small = np.arange(10.0).reshape(5, 2)
    points, how = ae.project_2d(small)
    assert np.array_equal(points, small) and "2-D code" in how
    one, _ = ae.project_2d(np.arange(5.0)[:, None])
    assert one.shape == (5, 2) and not one[:, 1].any()
    wide = np.random.default_rng(0).normal(size=(50, 6))
    points, how = ae.project_2d(wide)
    assert points.shape == (50, 2) and "PCA" in how


def test_add_noise_is_seeded_and_clipped_for_pixels():
    x = np.full((4, 3), 0.5, "float32")
    a, b = ae.add_noise(x, 0.3, seed=1), ae.add_noise(x, 0.3, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, x)
    clipped = ae.add_noise(x, 5.0, seed=1, clip=True)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_mean_baseline_is_the_error_of_rebuilding_the_average_sample():
    x = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 13.0]])
    expected = np.mean((x - x.mean(0)) ** 2)  # per feature: variance 8/3 and 2, averaged
    assert ae.mean_baseline(x).loss == pytest.approx(expected) == pytest.approx((8 / 3 + 2) / 2)
    assert "mean" in ae.mean_baseline(x).name


def test_accuracy_less_history_renders_as_one_loss_panel():
    fig = plots.history_figure({"reconstruction": {"loss": [0.3, 0.2], "val_loss": [0.35, 0.25]}},
                               metrics=("loss",))
    assert len(fig.data) == 2 and {t.name for t in fig.data} == {"reconstruction · train",
                                                                  "reconstruction · validation"}


def test_autoencoder_on_benign_rebuilds_benign_better_than_malignant(trained_on_benign):
    data, model, result = trained_on_benign
    assert result.history["loss"][-1] < result.history["loss"][0]
    _, errors = ae.score(model, data.x_test)
    normal, anomalous = errors[data.y_test == 0], errors[data.y_test == 1]
    assert np.median(anomalous) > 1.5 * np.median(normal)
    assert th.evaluate(errors, data.y_test, th.suggest_threshold(normal)).auc > 0.85
    code = ae.encode(model, data.x_test)
    assert code.shape == (len(data.x_test), 4)
    assert result.history["val_loss"][-1] < ae.mean_baseline(data.x_train).loss  # beats the average sample


def test_histogram_metrics_and_roc_use_the_same_errors(trained_on_benign):
    data, model, _ = trained_on_benign
    art = ae.analyse(model, data, seed=0)
    direct = ae.reconstruction_error(data.x_test, ae.reconstruct(model, data.x_test))
    np.testing.assert_allclose(art["errors"], direct, rtol=1e-6)
    threshold = float(np.median(art["errors"]))
    hist = aplots.error_histogram(art["errors"], art["labels"], threshold)
    drawn = {t.name: np.asarray(t.x) for t in hist.data}
    assert len(drawn["normal"]) + len(drawn["anomaly"]) == len(direct)
    end = hist.data[0].xbins.end
    np.testing.assert_allclose(np.sort(drawn["anomaly"]), np.sort(np.clip(direct[data.y_test == 1], 0, end)))
    report = th.evaluate(art["errors"], art["labels"], threshold)
    assert report.confusion[:, 1].sum() == int((direct > threshold).sum())
    # the threshold is suggested from held-out NORMAL rows, never from test anomalies
    assert len(art["val_errors"]) == round(0.2 * len(data.x_train))
    assert set(art["shown"]) == {"normal", "anomaly", "worst"}
    assert art["shown"]["worst"][2][0] == pytest.approx(direct.max())
    assert art["baseline"] == (ae.mean_baseline(data.x_train).name, ae.mean_baseline(data.x_train).loss)


def test_a_ruined_model_keeps_its_errors_and_projects_nothing(trained_on_benign):
    data, model, _ = trained_on_benign
    import keras

    broken = keras.models.clone_model(model)
    broken.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])
    art = ae.analyse(broken, data, seed=0)
    assert not np.isfinite(art["errors"]).any() and "latent" not in art and "shown" not in art


def test_the_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(trained_on_benign, tmp_path):
    data, model, _ = trained_on_benign
    path = tmp_path / "autoencoder.keras"
    path.write_bytes(model_bytes(model))
    x = data.x_test[:5]
    np.save(tmp_path / "x.npy", x)
    code = ("import json, keras, numpy as np\n"
            f"m = keras.saving.load_model({str(path)!r})\n"
            f"print(json.dumps(m.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    np.testing.assert_allclose(np.array(json.loads(out.stdout.strip().splitlines()[-1])),
                               model.predict(x, verbose=0), atol=1e-5)


def test_denoiser_cleans_noisy_digits():
    from nnkit.experiments.autoencoder import lesson

    data = anomalies.digits(normal=(0, 1, 2, 3, 4, 5, 6, 7, 8), seed=0)
    config = ae.AEConfig(bottleneck=16, hidden=64, learning_rate=0.01, sigmoid_output=True)
    model = ae.build_autoencoder(config, data.sample_shape)
    noisy = ae.add_noise(data.x_train, 0.3, seed=0, clip=True)
    nnkit.train(model, (noisy, data.x_train), TrainConfig(epochs=6, batch_size=32, seed=0))
    result = ae.denoise_analysis(model, data, 0.3, seed=0)
    assert result["cleaned_error"] < result["noisy_error"]
    assert result["baseline"][1] == pytest.approx(result["noisy_error"])
    assert "removed" in lesson.denoise_lesson(result)
