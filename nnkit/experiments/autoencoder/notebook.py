"""The autoencoder page's main run as a notebook, from the app's own code.

The data loaders, the model builder and the error definition travel by
their source (`nnkit.notebook.source`), so the notebook cannot drift from
the app; data come from scikit-learn or statsmodels, so it runs in an empty
folder. Every number it needs (settings, percentile) is passed in when the
page draws its download button, never read from session state later.
"""

from __future__ import annotations

from nnkit import notebook
from nnkit.core import data, series
from nnkit.experiments.autoencoder import anomalies, injection, model, samples

IMPORTS = "import math\nfrom dataclasses import dataclass, field\n\nfrom sklearn import metrics"


def notebook_supported(source: str) -> bool:
    """Sources a notebook can rebuild from scikit-learn/statsmodels alone (no upload, no download)."""
    return source in (anomalies.DIGITS_SRC, anomalies.CANCER_SRC) or source.removesuffix(" (series)") in injection.SERIES


def _constants(module, *names: str) -> str:
    return "\n".join(f"{name} = {getattr(module, name)!r}" for name in names)


def data_code(settings: dict) -> str:
    """The code that rebuilds a page run's `AnomalySet`, as nnkit builds it."""
    source, seed = settings["source"], settings["seed"]
    base = (samples.AnomalySet, samples._split_normal)
    if source == anomalies.DIGITS_SRC:
        normal, _ = anomalies.normal_classes(source, settings["normal"])
        return (_constants(samples, "TRAIN_FRACTION") + "\n\n\n"
                + notebook.source(*base, anomalies.from_classes, anomalies.digits)
                + f"\n\n\ndata = digits({normal!r}, seed={seed})")
    if source == anomalies.CANCER_SRC:
        return (_constants(samples, "TRAIN_FRACTION") + "\n\n\n"
                + notebook.source(*base, samples._standardise, anomalies.breast_cancer)
                + f"\n\n\ndata = breast_cancer(seed={seed})")
    name = source.removesuffix(" (series)")
    if name in injection.SERIES:
        return (_constants(injection, "SPIKE", "LEVEL_SHIFT", "NOISE_BURST", "ANOMALY_KINDS", "SERIES") + "\n\n\n"
                + notebook.source(samples.AnomalySet, series.raw_values, injection.load_series,
                                  injection.inject_anomalies, injection._free_start, injection.windows,
                                  injection.detrend, injection.series_set)
                + f"\n\n\ndata = series_set({name!r}, seed={seed})")
    raise ValueError(f"no notebook export for {source!r}: it needs an upload or a download")


def autoencoder_notebook(settings: dict, percentile: float = 95.0, result_line: str = "") -> bytes:
    """Reproduce the page's main run: same data, split, seed, model and fit, then
    reconstruction errors, a threshold from held-out normal rows and ROC AUC.

    `settings` is a run's record (source, normal, kind, bottleneck, hidden, lr,
    epochs, seed).
    """
    s = settings
    config = model.config_from(s, False)
    config_code = (f"config = AEConfig({config.kind!r}, bottleneck={config.bottleneck}, hidden={config.hidden}, "
                   f"filters={config.filters},\n                  learning_rate={config.learning_rate}, "
                   f"sigmoid_output=data.unit_range, seed={config.seed})")
    cells = [
        *notebook.setup_cells(f"Autoencoder anomaly detection: {s['source']}, exported from nnkit",
                              f"Settings: `{settings}`" + (f"\n\nIn the app this run ended: {result_line}"
                                                           if result_line else ""), IMPORTS),
        notebook.markdown("## The data\nNormal rows only for training; the test set mixes held-out normal rows "
                          "(label 0) with anomalies (label 1)."),
        notebook.code(data_code(s) + "\nprint(data)"),
        notebook.markdown("## The autoencoder\nInput and target are the same: it must rebuild x through the "
                          "bottleneck. The seed fixes the initial weights, so this starts where the app's run started."),
        notebook.code(_constants(model, "DENSE", "CONV") + "\n\n\n"
                      + notebook.source(model.AEConfig, model._out, model._dense, model._conv,
                                        model.autoencoder_model, model.build_autoencoder)
                      + f"\n\n\n{config_code}\nmodel = build_autoencoder(config, data.sample_shape)\nmodel.summary()"),
        notebook.markdown(f"## Train on normal data only\nA seeded {model.VALIDATION:.0%} of the normal rows is "
                          "held out: it shows the fit and later suggests the alarm threshold."),
        notebook.code(notebook.source(data.split)
                      + f"\n\n\n(x_fit, _), (x_val, _) = split(data.x_train, data.x_train, {model.VALIDATION}, "
                        f"seed={s['seed']})\n"
                      + notebook.fit_code(s["epochs"], model.BATCH_SIZE, s["seed"], x="x_fit", y="x_fit",
                                          validation="(x_val, x_val)")),
        notebook.markdown("## Reconstruction errors, threshold and ROC AUC\nThe error of a sample is the mean "
                          "squared difference between it and its reconstruction. The threshold is the "
                          f"{percentile:g}th percentile of held-out NORMAL errors, chosen without looking at "
                          "anomalies."),
        notebook.code(notebook.source(model.reconstruction_error)
                      + "\n\n\nerrors = reconstruction_error(data.x_test, model.predict(data.x_test, batch_size=256, verbose=0))\n"
                        "val_errors = reconstruction_error(x_val, model.predict(x_val, batch_size=256, verbose=0))\n"
                        f"threshold = float(np.percentile(val_errors, {percentile}))\n"
                        "flagged = (errors > threshold).astype(int)\n"
                        "auc = metrics.roc_auc_score(data.y_test, errors)\n"
                        'print(f"threshold {threshold:.4f}: precision {metrics.precision_score(data.y_test, flagged, zero_division=0):.3f}, "\n'
                        '      f"recall {metrics.recall_score(data.y_test, flagged, zero_division=0):.3f}, ROC AUC {auc:.3f}")'),
        notebook.code("fig = go.Figure()\n"
                      'for value, name in ((0, "normal"), (1, "anomaly")):\n'
                      "    fig.add_histogram(x=errors[data.y_test == value], name=name, opacity=0.65)\n"
                      'fig.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")\n'
                      'fig.update_layout(barmode="overlay", xaxis_title="reconstruction error", yaxis_title="samples")\n'
                      "fig"),
        notebook.code("fpr, tpr, _ = metrics.roc_curve(data.y_test, errors)\n"
                      'roc = go.Figure(go.Scatter(x=fpr, y=tpr, name=f"AUC {auc:.3f}"))\n'
                      'roc.update_layout(xaxis_title="false-alarm rate", yaxis_title="anomalies caught", showlegend=True)\n'
                      "roc"),
    ]
    return notebook.notebook_bytes(cells)
