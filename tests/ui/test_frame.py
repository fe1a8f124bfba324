"""One session's script run ending must not reset the Keras state another session trains with."""

import threading

import numpy as np
import pytest

from nnkit.ui import frame


def _value_seen_inside_a_scope_while(cleanup) -> float:
    """Another thread reads a variable inside a `keras.StatelessScope` (as a JAX train step
    does) while `cleanup` runs here; returns what it read."""
    import keras

    variable = keras.Variable(np.zeros(1, "float32"))
    inside, cleaned, seen = threading.Event(), threading.Event(), {}

    def training_thread():
        with keras.StatelessScope(state_mapping=[(variable, keras.ops.ones(1))]):
            inside.set()
            cleaned.wait(10)
            seen["value"] = float(keras.ops.convert_to_numpy(variable.value)[0])

    thread = threading.Thread(target=training_thread)
    thread.start()
    assert inside.wait(10)
    cleanup()
    cleaned.set()
    thread.join(10)
    return seen["value"]


def test_streamlits_own_cleanup_wipes_another_threads_scope_and_nnkits_does_not():
    from streamlit.runtime.scriptrunner import script_runner

    frame.keep_keras_state_between_runs()
    frame.keep_keras_state_between_runs()  # idempotent: still Streamlit's own underneath
    cleanup = script_runner._clean_problem_modules
    assert cleanup.keeps_keras
    # What Streamlit runs after every script run: the other thread loses its scope
    # and reads the variable's own value (0), the cause of the load tests' first-step failures.
    assert _value_seen_inside_a_scope_while(cleanup.streamlits_own) == 0.0
    assert _value_seen_inside_a_scope_while(cleanup) == 1.0


def test_a_model_trains_while_other_sessions_runs_end():
    """The real race, end to end: fresh models fit in one thread while the runner's cleanup
    (as after each of thirty learners' reruns) runs in another."""
    import keras
    from streamlit.runtime.scriptrunner import script_runner

    frame.keep_keras_state_between_runs()
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    stop, errors = threading.Event(), []

    def reruns_ending():
        while not stop.is_set():
            script_runner._clean_problem_modules()

    other = threading.Thread(target=reruns_ending)
    other.start()
    try:
        for _ in range(3):
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                      keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            try:
                model.fit(x, x[:, :1], epochs=2, batch_size=16, verbose=0)
            except Exception as error:  # noqa: BLE001 (collected, then reported)
                errors.append(repr(error))
    finally:
        stop.set()
        other.join(10)
    assert errors == []


@pytest.fixture(autouse=True)
def _streamlits_cleanup_restored():
    from streamlit.runtime.scriptrunner import script_runner

    before = script_runner._clean_problem_modules
    yield
    script_runner._clean_problem_modules = before
