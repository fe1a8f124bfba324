"""The loss page's settings table: what a learner can set, share by link and lock."""

from nnkit.core.settings import Setting
from nnkit.experiments.losses import model as losses

SETTINGS = (
    Setting("family", losses.REGRESSION, choices=(losses.REGRESSION, losses.CLASSIFICATION)),
    Setting("label", 1, choices=(1, 0)),
    Setting("delta", 1.0, low=0.1, high=3.0),
    Setting("gamma", 2.0, low=0.0, high=5.0),
    Setting("hand_loss", "binary cross-entropy", choices=tuple(losses.BY_HAND)),
    Setting("a_outliers", 0.15, low=0.0, high=0.4),
    Setting("a_points", 200, low=50, high=1000, workshop_high=500),
    Setting("a_epochs", 40, low=1, high=200, workshop_high=60),
    Setting("a_lr", 0.1, choices=(0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 10.0)),
    Setting("b_minority", 0.1, low=0.02, high=0.5),
    Setting("b_points", 1000, low=200, high=3000, workshop_high=1500),
    Setting("b_epochs", 20, low=1, high=100, workshop_high=40),
    Setting("b_lr", 0.03, choices=(0.001, 0.01, 0.03, 0.1, 0.3, 1.0)),
)
