"""nnkit.experiments.rnn_text.figures: the bars and lines show exactly the numbers they are given."""

import numpy as np

from nnkit.experiments.rnn_text import figures


def test_next_char_bars_show_the_tempered_and_the_reference_probabilities():
    rows = [("a", 0.6), ("␣", 0.3), ("other", 0.1)]
    fig = figures.next_char_figure(rows, 0.5, [("a", 0.4), ("␣", 0.35), ("b", 0.25)])
    bars, reference = fig.data
    assert list(bars.x) == ["a", "␣", "other"] and list(bars.y) == [0.6, 0.3, 0.1]
    assert list(bars.text) == ["60%", "30%", "10%"] and bars.name == "T = 0.5"
    assert list(reference.y) == [0.4, 0.35, 0.0]  # same characters; "other" has no T = 1 bar
    assert len(figures.next_char_figure(rows, 1.0).data) == 1


def test_forecast_figure_draws_actual_lstm_and_naive_on_the_test_period():
    t = np.arange(10.0)
    fig = figures.forecast_figure(t, t * 2, t[8:], np.array([16.5, 18.2]), np.array([14.0, 16.0]), 8.0, "ppm")
    names = [trace.name for trace in fig.data]
    assert names == ["actual", "LSTM forecast", "naive: last value"]
    np.testing.assert_array_equal(fig.data[1].y, [16.5, 18.2])
    assert fig.layout.yaxis.title.text == "ppm"
