"""The test set's verdict: the network's scores beside simple baselines, and
the upload check. The scoring functions use NumPy only (plus `confusion`), so
the notebook ships them by their source and scores the same way.
"""

from __future__ import annotations

import numpy as np

from nnkit.core import saving
from nnkit.core.metrics import confusion
from nnkit.experiments.build_network.tables import BINARY, REGRESSION

EXPECTS = "a .keras model with one input of this table's features and an output that fits its task"


def classification_scores(y_true, y_pred, n_classes):
    """Accuracy, precision and recall (of class 1 for two classes, else averaged over classes), and the counts.

    A class never predicted has precision 0 (no hit among no guesses), as scikit-learn's zero_division=0.
    """
    counts = confusion(y_true, y_pred, n_classes)
    hits = np.diag(counts).astype(float)
    predicted, actual = counts.sum(0), counts.sum(1)
    precision = np.divide(hits, predicted, out=np.zeros(n_classes), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros(n_classes), where=actual > 0)
    pick = slice(1, 2) if n_classes == 2 else slice(None)
    return {"accuracy": float(hits.sum() / counts.sum()), "precision": float(precision[pick].mean()),
            "recall": float(recall[pick].mean()), "confusion": counts.tolist()}


def regression_scores(y_true, y_pred):
    """MAE, RMSE and R² (1 minus the error's share of the target's variance), in the target's units."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    error = y_pred - y_true
    spread = float(((y_true - y_true.mean()) ** 2).sum())
    return {"MAE": float(np.abs(error).mean()), "RMSE": float(np.sqrt((error ** 2).mean())),
            "R²": float(1 - (error ** 2).sum() / spread) if spread > 0 else 0.0}


def predictions(output, regression, y_mean=0.0, y_std=1.0):
    """A model's raw output as answers: class indices, or numbers back in the target's units."""
    output = np.asarray(output, float)
    if regression:
        return output[:, 0] * y_std + y_mean
    return (output[:, 0] >= 0.5).astype(int) if output.shape[1] == 1 else output.argmax(1)


def score_on_test(model, data, regression, n_classes):
    """The model scored on the test rows it never trained on, with its test predictions."""
    guess = predictions(model.predict(data["x_test"], verbose=0), regression, data["y_mean"], data["y_std"])
    scores = regression_scores(data["y_test"], guess) if regression else \
        classification_scores(data["y_test"], guess, n_classes)
    return scores, guess


def evaluate(model, data, table) -> dict:
    """What a finished run keeps: its test scores and answers, the baselines', and its weights (small)."""
    scores, guess = score_on_test(model, data, table.regression, table.n_classes)
    return {"scores": scores, "guess": np.asarray(guess).tolist(), "table": table.identity,
            "baselines": baseline_scores(data, table.regression, table.n_classes), "weights": model.get_weights()}


def baseline_scores(data, regression, n_classes):
    """What no network at all scores on the same test rows: a constant guess, and a linear model.

    The constant is the training rows' majority class (or mean); the linear model
    is scikit-learn's LogisticRegression (or LinearRegression) fitted on the same
    training rows, so a network that cannot beat it is not yet worth its layers.
    """
    from sklearn.linear_model import LinearRegression, LogisticRegression

    x_train, x_test, y_test = data["x_train"], data["x_test"], data["y_test"]
    if regression:
        y_train = data["y_train"] * data["y_std"] + data["y_mean"]
        line = LinearRegression().fit(x_train, y_train)
        return {"always the mean": regression_scores(y_test, np.full(len(y_test), y_train.mean())),
                "LinearRegression": regression_scores(y_test, line.predict(x_test))}
    y_train = data["y_train"]
    majority = int(np.bincount(y_train, minlength=n_classes).argmax())
    logistic = LogisticRegression(max_iter=5000).fit(x_train, y_train)
    return {"always the majority class": classification_scores(y_test, np.full(len(y_test), majority), n_classes),
            "LogisticRegression": classification_scores(y_test, logistic.predict(x_test), n_classes)}


def comparison_rows(network: dict, baselines: dict) -> list[dict]:
    """One row per model, the network first: the table the learner reads the verdict from."""
    return [{"model": name, **{k: v for k, v in scores.items() if k != "confusion"}}
            for name, scores in {"your network": network, **baselines}.items()]


def upload_summary(name: str, scores: dict) -> str:
    """The uploaded model's test scores in one line (`name` already quoted as plain text)."""
    shown = ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if k != "confusion")
    return f"Uploaded model {name} on the test rows: {shown}."


HEADLINE = {True: "R²", False: "accuracy"}  # the one number the comparison is read by
TIE = 1e-9  # scores this close are the same score (float noise, not a difference)


def verdict(network: dict, baselines: dict, regression: bool) -> str:
    """One sentence: does the network beat each baseline on the test set, by how much."""
    name = HEADLINE[regression]
    mine = network[name]
    parts = []
    for label, scores in baselines.items():
        theirs = scores[name]
        word = "beats" if mine > theirs + TIE else "ties with" if abs(mine - theirs) <= TIE else "loses to"
        parts.append(f"{word} {label} ({theirs:.3f})")
    return f"On the test set the network's {name} is {mine:.3f}: it {' and '.join(parts)}."


def output_units(task: str, n_classes: int) -> tuple[int, ...]:
    """Output sizes that fit the task: 1 (sigmoid or linear) or one per class (softmax)."""
    if task == REGRESSION:
        return (1,)
    return (1, 2) if task == BINARY else (n_classes,)


def load_for_table(blob: bytes, n_features: int, task: str, n_classes: int):
    """An uploaded model that fits this table, or `saving.ModelFileError` saying why not.

    Keras's safe mode and the upload cap apply (`saving.load_uploaded_model`);
    then the input must take this table's features and the output fit its task.
    """
    model = saving.load_uploaded_model(blob, EXPECTS)
    fits = [saving.shape_problems(model, saving.ModelShape((n_features,), units))
            for units in output_units(task, n_classes)]
    best = min(fits, key=len)
    if best:
        raise saving.ModelFileError(f"This model does not fit this table: {'; '.join(best)}. "
                                    f"This page expects {EXPECTS}.")
    return model


def predict_row(model, row, data, regression, class_names):
    """The model's answer for one row in the table's own units (standardised as the training rows were)."""
    x = ((np.asarray(row, "float32") - data["mean"]) / data["std"]).astype("float32")[None, :]
    output = np.asarray(model.predict(x, verbose=0), float)
    if regression:
        return {"prediction": float(predictions(output, True, data["y_mean"], data["y_std"])[0])}
    probs = np.concatenate([1 - output[0], output[0]]) if output.shape[1] == 1 else output[0]
    return {"prediction": class_names[int(probs.argmax())],
            **{f"P({name})": float(p) for name, p in zip(class_names, probs)}}
