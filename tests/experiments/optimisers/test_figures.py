"""The optimisers page's figures."""

from nnkit.experiments.optimisers import figures as oplots
from nnkit.experiments.optimisers import race, surfaces


def test_figures_have_one_path_per_optimiser_and_a_log_loss_axis():
    surface = surfaces.beale()
    trs = race.race(surface, [race.Racer("SGD", 0.001), race.Racer("Adam", 0.03, 0.9)], surface.start, 20)
    paths = oplots.paths_figure(surface, trs, upto=5)
    lines = [t for t in paths.data if t.type == "scatter" and t.mode == "lines"]
    assert [t.name for t in lines] == [tr.racer.label for tr in trs]
    assert all(len(t.x) == 6 for t in lines)
    assert oplots.loss_figure(surface, trs).layout.yaxis.type == "log"


def test_paths_summary_says_where_each_optimiser_stands():
    surface = surfaces.quadratic(10)
    trs = race.race(surface, [race.Racer("SGD", 0.3)], surface.start, 10)
    text = oplots.paths_summary(surface, trs, upto=4)
    assert "SGD (η 0.3) at step 4" in text and f"{trs[0].losses[4]:.3g}" in text
