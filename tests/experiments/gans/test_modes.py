"""Mode counting on synthetic sample sets with known answers."""

import numpy as np

from nnkit.experiments.gans.modes import coverage
from nnkit.experiments.gans.targets import TARGETS, target_modes, target_points


def test_real_points_cover_every_mode_of_their_target():
    for name in TARGETS:
        found = coverage(target_points(name, 2000, 0), *target_modes(name))
        assert found.covered == found.modes and found.off_target < 0.02, name


def test_samples_piled_on_three_ring_blobs_cover_three():
    anchors, radius = target_modes("ring")
    rng = np.random.default_rng(0)
    points = anchors[rng.integers(0, 3, 900)] + 0.05 * rng.normal(size=(900, 2))
    found = coverage(points, anchors, radius)
    assert found.covered == 3 and found.counts[3:] == (0,) * 5 and found.off_target == 0


def test_a_mode_with_a_sliver_of_samples_is_not_covered_and_far_points_are_off_target():
    anchors, radius = target_modes("ring")
    points = np.concatenate([np.repeat(anchors[:2], 50, axis=0), anchors[2:3].repeat(3, axis=0),
                             np.zeros((47, 2))])
    found = coverage(points, anchors, radius)
    assert found.counts[:3] == (50, 50, 3) and found.covered == 2  # 3 < a quarter of 150/8 = 4.7
    assert abs(found.off_target - 47 / 150) < 1e-12
