"""Which way a GAN run went, named from its own numbers, and the setting to change.

A GAN has no loss that falls when it works: both losses hover while the two
networks chase each other. So the verdict reads the game's numbers over the
end of the run (the last quarter, or the last half for swings):

- **discriminator winning**: D's loss near 0 and D right about ≥ 85% of real
  and of generated points. D is sure, so G's gradient flattens out;
- **mode collapse**: G's points land on the target, but on fewer modes than
  it has (in most epochs of the last quarter, counted by `modes`);
- **oscillation**: D's accuracy (real and generated together) swings by
  more than 5 points (standard deviation) from epoch to epoch: G hops, D
  chases. Not D's accuracy on generated points alone: on a thin target
  (the line) a D at chance flips its bias and that one number swings from
  45% to 75% while nothing is wrong (measured; real + generated stays flat);
- **off target**: most of G's points lie in no mode at all;
- otherwise healthy: every mode covered and D left guessing.

Tuned on real runs (seeds 0-3, defaults, lr 0.03 Adam, SGD lr 0.03, and
5 D steps with D lr 0.01, G lr 1e-4 and the minimax loss): see the tests.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from nnkit.core import diagnosis as dx

D_WINS = "discriminator winning"
COLLAPSE = "mode collapse"
OSCILLATION = "oscillation"
OFF_TARGET = "off target"
KINDS = (dx.LEARNED, D_WINS, COLLAPSE, OSCILLATION, OFF_TARGET, dx.STOPPED, dx.DIVERGED)

D_LOSS_WINS = 0.25      # D's loss below this (ln 2 ≈ 0.693 is a D that cannot tell) ...
D_ACCURACY_WINS = 0.85  # ... with D right about at least this share of real and of generated points
SWING = 0.05            # std of D's accuracy (real and generated together) over the last half
ON_TARGET = 0.5         # collapse needs at least this share of G's points inside some mode
SAFE_LR = 0.003         # the page's default learning rate, which covers every mode on each target

# Changes from the page's defaults that show each failure at seed 0 (checked by the tests).
EXAMPLES = {COLLAPSE: {"g_lr": 0.03, "d_lr": 0.03},
            OSCILLATION: {"g_optimizer": "sgd", "d_optimizer": "sgd", "g_lr": 0.03, "d_lr": 0.03},
            D_WINS: {"d_steps": 5, "d_lr": 0.01, "g_lr": 0.0001, "g_loss": "minimax"}}


def _tail(values: Sequence[float], share: float) -> np.ndarray:
    values = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    return values[-max(1, int(len(values) * share)):] if len(values) else values


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def numbers(history: Mapping[str, Sequence[float]]) -> dict[str, float]:
    """The end-of-run numbers the verdict reads (and the lesson quotes)."""
    real, fake = _tail(history["real_accuracy"], 0.25), _tail(history["fake_accuracy"], 0.25)
    both = (_tail(history["real_accuracy"], 0.5) + _tail(history["fake_accuracy"], 0.5)) / 2
    norms = _tail(history.get("g_grad_norm", []), 1.0)
    quarter = max(1, len(norms) // 4)
    return {"d loss": _mean(_tail(history["loss"], 0.25)), "g loss": _mean(_tail(history["g_loss"], 0.25)),
            "real accuracy": _mean(real), "fake accuracy": _mean(fake),
            "accuracy swing": float(both.std()) if len(both) else 0.0,
            "accuracy low": float(both.min()) if len(both) else float("nan"),
            "accuracy high": float(both.max()) if len(both) else float("nan"),
            "typical modes": float(np.median(_tail(history.get("modes", [0]), 0.25))),
            "g gradient": float(norms[-quarter:].mean()) if len(norms) else float("nan"),
            "g gradient early": float(norms[:quarter].mean()) if len(norms) else float("nan")}


def diagnose(history: Mapping[str, Sequence[float]], reason: str, settings: Mapping[str, Any],
             modes: int, covered: int | None, off_target: float | None) -> dx.Diagnosis:
    """The run's verdict: `modes` the target has; `covered` and `off_target` from the final
    census (None when the run was cut off before it kept one)."""
    last = [values[-1] for values in (history.get("loss"), history.get("g_loss")) if values]
    if reason == "diverged" or not all(v is not None and math.isfinite(v) for v in last):
        return dx.Diagnosis(dx.DIVERGED, "A loss became NaN or infinite: the game blew up.",
                            "Lower both learning rates (÷10) and train again.")
    if reason in ("stopped by user", "interrupted") or not history.get("loss"):
        return dx.Diagnosis(dx.STOPPED, f"Cut off after {len(history.get('loss', []))} epochs, so this is "
                            "not a verdict on the settings.", "Train again and let it finish to judge them.")
    n = numbers(history)
    n.update(modes=float(modes), covered=float(covered if covered is not None else n["typical modes"]),
             **{"off target": float(off_target if off_target is not None else 1.0)})
    typical = int(n["typical modes"])
    if n["d loss"] < D_LOSS_WINS and min(n["real accuracy"], n["fake accuracy"]) >= D_ACCURACY_WINS:
        return dx.Diagnosis(D_WINS, f"The discriminator is winning: over the last quarter of the run its "
                            f"loss averaged {n['d loss']:.3f} (ln 2 ≈ 0.693 is a D that cannot tell) and it was "
                            f"right about {n['real accuracy']:.0%} of real and {n['fake accuracy']:.0%} of "
                            f"generated points. {_g_signal(n)}", _weaker_d(settings), n)
    if typical < modes and n["off target"] < ON_TARGET:
        return dx.Diagnosis(COLLAPSE, f"Mode collapse: G's points covered only {typical} of the target's "
                            f"{modes} modes in most epochs of the last quarter ({int(n['covered'])} at the "
                            "end): it found a few places D accepts and piles its points there.",
                            _calmer(settings, "G spreads out again"), n)
    if n["accuracy swing"] > SWING:
        return dx.Diagnosis(OSCILLATION, f"Oscillation: over the last half, D's accuracy on real and generated "
                            f"points together swung between {n['accuracy low']:.0%} and "
                            f"{n['accuracy high']:.0%} (standard deviation {n['accuracy swing']:.0%} from epoch "
                            "to epoch): G's points hop away, D catches up, and neither settles.",
                            _calmer(settings, "the two settle"), n)
    if typical < modes:
        return dx.Diagnosis(OFF_TARGET, f"G has not found the target: {n['off target']:.0%} of its points lie "
                            f"in no mode, and it covers {typical} of {modes} modes.", _more_time(settings), n)
    return dx.Diagnosis(dx.LEARNED, f"Healthy: G's points cover all {modes} modes and D is left guessing "
                        f"(loss {n['d loss']:.3f} against ln 2 ≈ 0.693; right about {n['real accuracy']:.0%} "
                        f"of real and {n['fake accuracy']:.0%} of generated points).", "", n)


def _g_signal(n: Mapping[str, float]) -> str:
    """What reached G while D won, from its own gradient sizes (not assumed to vanish)."""
    late, early = n["g gradient"], n["g gradient early"]
    if not (math.isfinite(late) and math.isfinite(early)):
        return ""
    if late < 1e-3 or late < 0.1 * early:
        return (f"G's gradient has all but vanished ({late:.3g} at the end against {early:.3g} early on): "
                "nothing D says moves G any more.")
    return (f"G's gradient averaged {late:.3g} at the end ({early:.3g} early on): it still gets a push, but not "
            "enough to catch up.")


def _weaker_d(s: Mapping[str, Any]) -> str:
    """What tips the game back towards G, from this run's own settings."""
    tips = []
    if s.get("g_loss") == "minimax":
        tips.append("set G's loss to non-saturating (the minimax loss is flattest where D is surest a point is "
                    "fake, so it pushes G least exactly where G is worst)")
    if s.get("d_steps", 1) > 1:
        tips.append(f"take fewer D steps per G step (now {s['d_steps']})")
    if s.get("d_lr", 0) > s.get("g_lr", 0):
        tips.append(f"bring D's learning rate ({s['d_lr']}) down to G's ({s['g_lr']})")
    if not tips:
        tips.append("give D a smaller network or a lower learning rate")
    return "Try: " + "; ".join(tips) + ". A twin run changes one of them and keeps everything else."


def _calmer(s: Mapping[str, Any], outcome: str) -> str:
    """Smaller, steadier steps: lower learning rates, Adam instead of plain SGD."""
    tips = []
    high = [f"{who} {s[f'{key}_lr']}" for who, key in (("G", "g"), ("D", "d")) if s.get(f"{key}_lr", 0) > SAFE_LR]
    if high:
        tips.append(f"lower the learning rate ({', '.join(high)}) to {SAFE_LR} or below")
    sgd = [who for who, key in (("G", "g"), ("D", "d")) if s.get(f"{key}_optimizer") == "sgd"]
    if sgd:
        tips.append(f"use Adam instead of SGD for {' and '.join(sgd)}")
    if not tips:
        tips.append("lower both learning rates (÷3)")
    return f"Try: {'; '.join(tips)}, so {outcome}. A twin run changes one setting and keeps the seed."


def _more_time(s: Mapping[str, Any]) -> str:
    if any(s.get(f"{key}_lr", 0) > SAFE_LR for key in ("g", "d")) or "sgd" in (s.get("g_optimizer"),
                                                                                 s.get("d_optimizer")):
        return _calmer(s, "G can settle on the target")
    return f"Train for more epochs (this run had {s.get('epochs', '?')}): G is still on its way to the target."
