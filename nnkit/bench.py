"""Benchmarks behind the README's figures (a script, not a timed test).

    python -m nnkit.bench             # live-training overhead, home import time, peak RSS
    python -m nnkit.bench --backends  # click-to-result per backend for each default run
    python -m nnkit.bench --backends --only GAN  # just the runs whose name contains GAN

The machine is noisy, so variants are interleaved over several repetitions
and medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME_IMPORTS = "import streamlit, nnkit, nnkit.catalog, nnkit.core.device, nnkit.ui"


def _moons_mlp():
    from nnkit.core import data, models

    dataset = data.moons(n_samples=1000, noise=0.2, seed=0)
    model = models.build_mlp(models.MLPConfig(hidden=(16, 16), activation="relu"), 2, 2)
    return dataset, model


def _plain_fit(epochs: int) -> float:
    from nnkit.core import data

    dataset, model = _moons_mlp()
    (x, y), val = data.split(dataset.x, dataset.y, 0.2, 0)
    model.fit(x, y, epochs=1, batch_size=32, validation_data=val, verbose=0)  # compile
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=32, validation_data=val, verbose=0)
    return time.perf_counter() - start


def _live_train(epochs: int) -> tuple[float, int]:
    import nnkit
    from nnkit import plots
    from nnkit.core.callbacks import live_history
    from nnkit.core.training import TrainConfig

    dataset, model = _moons_mlp()
    nnkit.train(model, dataset, TrainConfig(epochs=1))  # compile, as for the plain fit

    def sink(update):  # what the page does per update: build the figure and serialise it
        plots.history_figure({"run": update.history}, planned_epochs=update.epochs).to_json()

    live = live_history(sink)
    start = time.perf_counter()
    nnkit.train(model, dataset, TrainConfig(epochs=epochs), callbacks=[live])
    return time.perf_counter() - start, live.updates


def overhead(repetitions: int = 7, epochs: int = 60) -> dict:
    """Median ratio of nnkit.train + live plots to a plain model.fit."""
    plain, live, ratios, updates = [], [], [], 0
    for _ in range(repetitions):  # interleaved: both variants see the same machine state
        p = _plain_fit(epochs)
        t, updates = _live_train(epochs)
        plain.append(p)
        live.append(t)
        ratios.append(t / p)
    return {"workload": f"2-16-16-1 MLP, 800 moons train / 200 val, batch 32, {epochs} epochs",
            "plain_fit_s": statistics.median(plain), "live_train_s": statistics.median(live),
            "median_ratio": statistics.median(ratios), "live_updates": updates,
            "repetitions": repetitions}


def home_import_seconds(repetitions: int = 5) -> float:
    """Median time to import what the home page needs, in a fresh interpreter."""
    code = f"import time; s = time.perf_counter(); {HOME_IMPORTS}; print(time.perf_counter() - s)"
    times = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout) for _ in range(repetitions)]
    return statistics.median(times)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- default backend -----------------------------------------------------------

def default_runs(only: str = "") -> dict:
    """Each page's default run (those whose name contains `only`), timed from click
    (model build) to final result."""
    import nnkit
    from nnkit.core import data, models
    from nnkit.core.training import TrainConfig

    def first_neuron():
        dataset = data.moons(n_samples=600, noise=0.2, seed=0)
        model = models.build_mlp(models.MLPConfig((8, 8), "tanh", "adam", 0.03), 2, 2)
        nnkit.train(model, dataset, TrainConfig(epochs=40, batch_size=32))

    def cnn_filters():
        from nnkit.core import images
        from nnkit.experiments.cnn_filters import model as cnn

        settings = {"filters": 8, "depth": 2, "ksize": 3, "dropout": 0.2, "augment": False, "seed": 0}
        dataset = images.fashion_mnist(3000, cnn.N_TEST, 0, allow_download=False)
        model = cnn.build_cnn(cnn.config_from(settings), dataset.image_shape, dataset.n_classes)
        nnkit.train(model, dataset, TrainConfig(3, 32, cnn.VALIDATION_FRACTION, 0))

    def autoencoder():
        from nnkit.experiments.autoencoder import anomalies
        from nnkit.experiments.autoencoder import model as ae

        settings = {"kind": ae.DENSE, "bottleneck": 8, "hidden": 64, "lr": 0.003, "seed": 0}
        normal, _ = anomalies.normal_classes(anomalies.DIGITS_SRC, anomalies.DEFAULT_NORMAL[anomalies.DIGITS_SRC])
        dataset = anomalies.load(anomalies.DIGITS_SRC, normal, 0)
        model = ae.build_autoencoder(ae.config_from(settings, dataset.unit_range), dataset.sample_shape)
        nnkit.train(model, (dataset.x_train, dataset.x_train), TrainConfig(15, ae.BATCH_SIZE, ae.VALIDATION, 0))

    def gans():
        from nnkit.experiments.gans import model as gan_model
        from nnkit.experiments.gans.watch import GANWatch

        settings = {s.name: s.default for s in gan_model.SETTINGS}
        real = gan_model.real_points(settings)
        model, watch = gan_model.build(settings), GANWatch(real, "ring", settings["noise_dim"], settings["seed"])
        nnkit.train(model, gan_model.training_data(settings), gan_model.train_config(settings), callbacks=[watch])
        watch.picture()  # the page's final plane: D's surface and G's arrows

    runs = {"first neuron (2-8-8-1 MLP, 600 moons, 40 epochs)": first_neuron,
            "CNN filters (8→16 filters, 3,000 Fashion-MNIST images, 3 epochs)": cnn_filters,
            "autoencoder (dense, bottleneck 8, digit 0, 15 epochs)": autoencoder,
            "GANs (G and D 2×32, ring, 2,048 points, 100 epochs)": gans}
    out = {}
    for name, run in runs.items():
        if only.lower() not in name.lower():
            continue
        clicks = []
        for _ in range(2):
            start = time.perf_counter()
            run()
            clicks.append(time.perf_counter() - start)
        out[name] = {"first_click_s": round(clicks[0], 2), "later_click_s": round(clicks[1], 2)}
    return out


def backends(only: str = "") -> dict:
    """Run `default_runs(only)` once per backend, each in its own process."""
    table = {}
    for name in ("jax", "tensorflow"):
        code = ("import time; s = time.perf_counter(); import nnkit, keras; "
                "i = time.perf_counter() - s; from nnkit import bench; import json; "
                f"print(json.dumps({{'import_keras_s': i, 'runs': bench.default_runs({only!r}), "
                "'peak_rss_mib': bench.peak_rss_mib()}))")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "KERAS_BACKEND": name}, check=True)
        table[name] = json.loads(out.stdout.strip().splitlines()[-1])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", action="store_true", help="compare JAX and TensorFlow")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--only", default="", help="with --backends: runs whose name contains this, e.g. GAN")
    args = parser.parse_args()
    if args.backends:
        print(json.dumps(backends(args.only), indent=2))
        return
    import nnkit  # noqa: F401  (picks the backend)
    from nnkit.core import device

    result = overhead(args.repetitions)
    result["home_import_s"] = home_import_seconds()
    result["device"] = device.detect().summary()
    result["backend"] = device.detect().framework
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result, indent=2))
    print(f"\nlive training / plain model.fit = {result['median_ratio']:.3f} (median of "
          f"{args.repetitions}); home imports {result['home_import_s']:.2f} s; "
          f"peak RSS {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
