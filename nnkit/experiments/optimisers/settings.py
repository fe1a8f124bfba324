"""The optimisers page's settings table: what a learner can set, share by link and lock.

Defaults come from the registry (each optimiser's sensible learning rate on
the first surface and on the digits network), so the page and its links
agree on them.
"""

from nnkit.core.settings import Setting, SettingList
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import schedules, surfaces

NAMES = tuple(opt.OPTIMISERS)
FIRST = surfaces.get("ill-conditioned quadratic", 10)
SETTINGS = (
    Setting("surface", "ill-conditioned quadratic", choices=tuple(surfaces.SURFACES)),
    Setting("kappa", 10, low=1, high=100),
    Setting("x0", FIRST.start[0]),
    Setting("y0", FIRST.start[1]),
    SettingList("racers", ["SGD", "SGD + momentum", "RMSprop", "Adam", "Lion"], choices=NAMES),
    Setting("steps", 200, low=0, high=2000, workshop_high=500),
    *(Setting(f"lr.{n}", opt.default_lr(n, FIRST), choices=opt.LR_CHOICES) for n in NAMES),
    *(Setting(f"knob.{n}", s.knob_default, low=0.0, high=0.999) for n, s in opt.OPTIMISERS.items() if s.knob),
    SettingList("net", ["SGD", "SGD + momentum", "Adam"], choices=NAMES, most=4),
    *(Setting(f"netlr.{n}", opt.network_lr(n), choices=opt.LR_CHOICES) for n in NAMES),
    Setting("batch", 32, low=1, high=100_000),
    Setting("epochs", 8, low=1, high=40, workshop_high=15),
    Setting("schedule", "constant", choices=schedules.SCHEDULES),
    Setting("seed", 0, low=0, high=9999),
    Setting("rt_opt", "Adam", choices=NAMES),
    Setting("rt_steps", 200, low=20, high=500, workshop_high=200),
)
