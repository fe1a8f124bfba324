"""The page's settings table (links, locks, workshop caps) and which control each remedy shows.

Batch size 1 makes one update per row, so the batch experiment's rows and
epochs stay small, and tighter still in workshop mode.
"""

from __future__ import annotations

from nnkit.core.settings import Setting
from nnkit.experiments.training_strategies import remedies
from nnkit.experiments.training_strategies.model import DATASETS

SETTINGS = (
    Setting("dataset", "digits", choices=DATASETS),
    Setting("rows", 150, low=30, high=1000, workshop_high=300),
    Setting("units", 256, choices=(32, 64, 128, 256, 512), workshop_high=256),
    Setting("layers", 2, low=1, high=3),
    Setting("lr", 0.003, choices=(0.0003, 0.001, 0.003, 0.01, 0.03)),
    Setting("epochs", 40, low=2, high=150, workshop_high=60),
    Setting("batch", 32, choices=(8, 16, 32, 64, 128)),
    Setting("seed", 0, low=0, high=9999),
    Setting("remedy", remedies.DROPOUT, choices=remedies.REMEDIES),
    Setting("dropout", 0.5, low=0.05, high=0.8),
    Setting("l2", 0.001, choices=(0.0001, 0.0003, 0.001, 0.003, 0.01)),
    Setting("small_units", 32, choices=(4, 8, 16, 32, 64)),
    Setting("more_rows", 600, low=30, high=1100, workshop_high=600),
    Setting("stop_patience", 5, low=1, high=20),
    Setting("patience", 5, low=1, high=20),
    Setting("lr_patience", 2, low=1, high=10),
    Setting("lr_factor", 0.5, choices=(0.1, 0.2, 0.5)),
    Setting("bs_rows", 200, low=50, high=400, workshop_high=200),
    Setting("bs_epochs", 5, low=2, high=15, workshop_high=5),
)

# remedy -> (setting, Streamlit widget name, label); BatchNormalization has no setting.
REMEDY_CONTROL = {remedies.DROPOUT: ("dropout", "slider", "Dropout rate"),
                  remedies.L2: ("l2", "select_slider", "L2 factor"),
                  remedies.SMALLER: ("small_units", "select_slider", "Units per layer (smaller net)"),
                  remedies.MORE_DATA: ("more_rows", "slider", "Training rows (more data)"),
                  remedies.EARLY_STOP: ("stop_patience", "slider", "Patience (epochs)")}
