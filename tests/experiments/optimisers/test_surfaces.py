"""The surfaces' analytic gradients and minima."""

import numpy as np
import pytest

from nnkit.experiments.optimisers import surfaces


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_surface_gradient_matches_finite_differences(name):
    surface = surfaces.get(name, condition=7.0)
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(*surface.x_range), rng.uniform(*surface.y_range)])
        h = 1e-6
        numeric = [(surface.value(p + d) - surface.value(p - d)) / (2 * h) for d in (np.array([h, 0]), np.array([0, h]))]
        np.testing.assert_allclose(surface.gradient(p), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_listed_minima_are_stationary_and_at_f_min(name):
    surface = surfaces.get(name)
    for point in surface.minima:
        assert surface.value(point) == pytest.approx(surface.f_min, abs=1e-6)
        np.testing.assert_allclose(surface.gradient(point), 0.0, atol=1e-4)
