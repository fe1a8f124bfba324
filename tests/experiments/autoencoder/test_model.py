"""Autoencoders: builders, the one reconstruction error, threshold metrics, a real learning check."""

import numpy as np
import pytest

import nnkit
from nnkit import plots
from nnkit.core.training import TrainConfig
from nnkit.experiments.autoencoder import anomalies
from nnkit.experiments.autoencoder import figures as aplots
from nnkit.experiments.autoencoder import model as ae


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


def test_evaluate_matches_scikit_learn_and_counts_by_hand():
    from sklearn import metrics

    rng = np.random.default_rng(1)
    labels = np.r_[np.zeros(60, int), np.ones(40, int)]
    errors = np.r_[rng.gamma(2, 0.1, 60), rng.gamma(2, 0.25, 40)]
    t = 0.3
    report = ae.evaluate(errors, labels, t)
    flagged = errors > t
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    fn = int((~flagged & (labels == 1)).sum())
    assert report.precision == pytest.approx(tp / (tp + fp))
    assert report.recall == pytest.approx(tp / (tp + fn))
    assert report.precision == pytest.approx(metrics.precision_score(labels, flagged))
    assert report.recall == pytest.approx(metrics.recall_score(labels, flagged))
    assert report.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert report.confusion.tolist() == [[60 - fp, fp], [fn, tp]]
    assert (report.false_alarms, report.missed) == (fp, fn)
    # AUC = P(random anomaly error > random normal error), counted over all pairs
    pairs = (errors[labels == 1][:, None] > errors[labels == 0][None, :]).mean()
    assert report.auc == pytest.approx(pairs)


def test_suggested_threshold_flags_the_chosen_share_of_normal_data():
    normal = np.random.default_rng(2).exponential(size=2000)
    t = ae.suggest_threshold(normal, 90)
    assert np.mean(normal > t) == pytest.approx(0.10, abs=0.002)
    with pytest.raises(ValueError):
        ae.suggest_threshold(np.array([]))


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


def test_accuracy_less_history_renders_as_one_loss_panel():
    fig = plots.history_figure({"reconstruction": {"loss": [0.3, 0.2], "val_loss": [0.35, 0.25]}},
                               metrics=("loss",))
    assert len(fig.data) == 2 and {t.name for t in fig.data} == {"reconstruction · train",
                                                                  "reconstruction · validation"}


@pytest.fixture(scope="module")
def trained_on_benign():
    """A small dense AE trained a few epochs on benign tumours only (seeded)."""
    data = anomalies.breast_cancer(seed=0)
    model = ae.build_autoencoder(ae.AEConfig(bottleneck=4, hidden=16, learning_rate=0.01), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train), TrainConfig(epochs=8, batch_size=32, seed=0))
    return data, model, result


def test_autoencoder_on_benign_rebuilds_benign_better_than_malignant(trained_on_benign):
    data, model, result = trained_on_benign
    assert result.history["loss"][-1] < result.history["loss"][0]
    _, errors = ae.score(model, data.x_test)
    normal, anomalous = errors[data.y_test == 0], errors[data.y_test == 1]
    assert np.median(anomalous) > 1.5 * np.median(normal)
    assert ae.evaluate(errors, data.y_test, ae.suggest_threshold(normal)).auc > 0.85
    code = ae.encode(model, data.x_test)
    assert code.shape == (len(data.x_test), 4)


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
    report = ae.evaluate(art["errors"], art["labels"], threshold)
    assert report.confusion[:, 1].sum() == int((direct > threshold).sum())
    # the threshold is suggested from held-out NORMAL rows, never from test anomalies
    assert len(art["val_errors"]) == round(0.2 * len(data.x_train))
    assert set(art["shown"]) == {"normal", "anomaly", "worst"}
    assert art["shown"]["worst"][2][0] == pytest.approx(direct.max())


def test_lesson_reports_this_runs_numbers(trained_on_benign):
    data, model, result = trained_on_benign
    _, errors = ae.score(model, data.x_test)
    report = ae.evaluate(errors, data.y_test, 0.5)
    text = ae.lesson("breast cancer", 4, data.sample_shape, result.final("loss"),
                     errors[data.y_test == 0], errors[data.y_test == 1], report)
    tn, fp, fn, tp = report.confusion.ravel()
    assert "7.5× compression" in text and f"{result.final('loss'):.4f}" in text
    assert f"**{fp} false alarms**" in text and f"misses {fn}" in text
    assert f"{report.auc:.3f}" in text


def test_denoiser_cleans_noisy_digits():
    data = anomalies.digits(normal=(0, 1, 2, 3, 4, 5, 6, 7, 8), seed=0)
    config = ae.AEConfig(bottleneck=16, hidden=64, learning_rate=0.01, sigmoid_output=True)
    model = ae.build_autoencoder(config, data.sample_shape)
    noisy = ae.add_noise(data.x_train, 0.3, seed=0, clip=True)
    nnkit.train(model, (noisy, data.x_train), TrainConfig(epochs=6, batch_size=32, seed=0))
    result = ae.denoise_analysis(model, data, 0.3, seed=0)
    assert result["cleaned_error"] < result["noisy_error"]
    assert "removed" in ae.denoise_lesson(result)


# ---- notebook export ------------------------------------------------------------------

TINY = {"normal": "0,3", "kind": ae.CONV, "bottleneck": 4, "hidden": 16, "lr": 0.01, "epochs": 2, "seed": 3}
EXPORTED = [{**TINY, "source": anomalies.DIGITS_SRC},
            {**TINY, "source": anomalies.CANCER_SRC, "kind": ae.DENSE, "seed": 1}]


def _app_run(s):
    """The page's main run through nnkit: load, build, train on normal rows, score."""
    normal, _ = anomalies.normal_classes(s["source"], s["normal"])
    data = anomalies.load(s["source"], normal, s["seed"])
    model = ae.build_autoencoder(ae.config_from(s, data.unit_range), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train),
                         TrainConfig(s["epochs"], ae.BATCH_SIZE, ae.VALIDATION, s["seed"]))
    art = ae.analyse(model, data, s["seed"])
    return result, ae.evaluate(art["errors"], art["labels"], ae.suggest_threshold(art["val_errors"], 90.0))


def test_exported_notebooks_run_and_reproduce_the_runs():
    """Digits (conv) and breast cancer (dense) notebooks, run in ONE subprocess (one Keras import)."""
    import json
    import os
    import subprocess
    import sys

    from nnkit import notebook as export

    report = '\nimport json; print("RESULT", json.dumps([history.history["loss"], auc, threshold]))\n'
    code = "".join(export.code_cells(ae.autoencoder_notebook(s, 90.0)) + report for s in EXPORTED)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    results = [json.loads(line[len("RESULT "):]) for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(results) == len(EXPORTED)
    for s, (losses, auc, threshold) in zip(EXPORTED, results):
        result, report = _app_run(s)
        assert len(losses) == s["epochs"]
        assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)
        assert threshold == pytest.approx(report.threshold, rel=0.1)
        assert auc == pytest.approx(report.auc, abs=0.03)


def test_notebook_is_valid_nbformat_and_plain_keras():
    import nbformat

    from nnkit import notebook as export

    for source in (anomalies.DIGITS_SRC, anomalies.CANCER_SRC, "Sunspots (yearly) (series)"):
        assert ae.notebook_supported(source)
        nb = nbformat.reads(ae.autoencoder_notebook({**TINY, "source": source}).decode(), as_version=4)
        nbformat.validate(nb)
        code = export.code_cells(nbformat.writes(nb).encode())
        assert "nnkit" not in code
        assert "roc_auc_score" in code and "keras.utils.set_random_seed(3)" in code
    assert "digits((0, 3), seed=3)" in export.code_cells(ae.autoencoder_notebook(EXPORTED[0]))
    for source in (anomalies.CSV_SRC, anomalies.FASHION_SRC):
        assert not ae.notebook_supported(source)
        with pytest.raises(ValueError, match="no notebook export"):
            ae.autoencoder_notebook({**TINY, "source": source})


def test_error_summary_counts_what_the_histogram_shows():
    errors, labels = np.array([0.1, 0.2, 0.3, 0.9, 1.1]), np.array([0, 0, 0, 1, 1])
    text = ae.error_summary(errors, labels, 0.25, True)
    assert "3 normal samples, median error 0.2000" in text and "2 anomalous samples, median error 1.0000" in text
    assert "3 of 5 samples lie above it" in text
