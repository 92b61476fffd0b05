import numpy as np
import pytest

import environments as env
from environments import STUDY, TEST


def presentations(stream, item):
    return stream.time[(stream.item == item) & (stream.kind == STUDY)]


def rests(stream, item, views, presentation_time):
    """Rest between an item's batches: end of a batch's last view to the next first view."""
    onsets = presentations(stream, item).reshape(-1, views)
    return onsets[1:, 0] - (onsets[:-1, -1] + presentation_time)


def test_time_helpers():
    assert env.days(2) == 2 * 86400 and env.hours(1.5) == 5400 and env.minutes(3) == 180
    assert env.WEEK == 7 * env.DAY == 168 * env.HOUR == 10080 * env.MINUTE
    np.testing.assert_array_equal(env.days([1, 7]), [86400, 604800])


def test_massed_runs_are_back_to_back_and_tests_follow_the_intervals():
    stream = env.massed(4, 3, retention_intervals=[env.hours(1), env.days(1)],
                        presentation_time=2.0)
    for i in range(4):
        np.testing.assert_array_equal(presentations(stream, i), 6.0 * i + np.array([0, 2, 4]))
    tests = stream.kind == TEST
    assert np.array_equal(np.sort(stream.item[tests]), np.arange(4))
    delay = {int(i): t - presentations(stream, i)[-1]
             for i, t in zip(stream.item[tests], stream.time[tests])}
    assert delay == {0: 3600.0, 1: 86400.0, 2: 3600.0, 3: 86400.0}
    assert np.all(np.diff(stream.time) >= 0)


def test_spaced_and_expanding_gaps():
    spaced = env.spaced(3, 4, gap=env.days(1), retention_intervals=[env.WEEK])
    for i in range(3):
        np.testing.assert_array_equal(np.diff(presentations(spaced, i)), [env.DAY] * 3)
    assert spaced.meta["gap"] == env.DAY and spaced.meta["generator"] == "spaced"
    expanding = env.expanding(2, 5, first_gap=60.0, ratio=3.0, retention_intervals=[600.0])
    for i in range(2):
        np.testing.assert_allclose(np.diff(presentations(expanding, i)), [60, 180, 540, 1620])
    # ratio 1 is the fixed-gap schedule
    assert np.array_equal(env.expanding(2, 3, 30.0, 1.0, [5.0]).time,
                          env.spaced(2, 3, 30.0, [5.0]).time)


@pytest.mark.parametrize("n_items, views, presentation_time", [(5, 4, 1.0), (12, 3, 0.5),
                                                               (2, 2, 3.0)])
def test_view_batch_conserves_presentations_and_multiplies_the_recall_interval(
        n_items, views, presentation_time):
    one_view = env.view_batch(n_items, 1, 6 * views, presentation_time=presentation_time)
    batched = env.view_batch(n_items, views, 6, presentation_time=presentation_time)
    assert len(batched) == len(one_view) == n_items * views * 6
    assert np.array_equal(np.bincount(batched.item), np.bincount(one_view.item))
    # same total study time: the schedule only reorders presentations
    assert batched.time[-1] == one_view.time[-1]
    for item in range(n_items):
        base = rests(one_view, item, 1, presentation_time)
        rest = rests(batched, item, views, presentation_time)
        np.testing.assert_allclose(base, (n_items - 1) * presentation_time)
        np.testing.assert_allclose(rest, views * base[0])
        # inside a batch, the views follow each other
        onsets = presentations(batched, item).reshape(-1, views)
        np.testing.assert_allclose(np.diff(onsets, axis=1), presentation_time)
    assert batched.meta["recall_interval"] == views * (n_items - 1) * presentation_time


def test_view_batch_with_an_explicit_recall_interval_and_tests():
    stream = env.view_batch(3, 2, 4, recall_interval=env.hours(1),
                            retention_intervals=[env.days(1)])
    for item in range(3):
        np.testing.assert_allclose(rests(stream, item, 2, 1.0), 3600.0)
        last = presentations(stream, item)[-1]
        test_time = stream.time[(stream.item == item) & (stream.kind == TEST)]
        np.testing.assert_allclose(test_time, last + env.DAY)


@pytest.mark.parametrize("func, kwargs, name", [
    (env.massed, dict(n_items=0, repetitions=2, retention_intervals=[1]), "n_items"),
    (env.massed, dict(n_items=2, repetitions=0, retention_intervals=[1]), "repetitions"),
    (env.massed, dict(n_items=2, repetitions=2, retention_intervals=[]), "retention_intervals"),
    (env.massed, dict(n_items=2, repetitions=2, retention_intervals=[-1]),
     "retention_intervals"),
    (env.massed, dict(n_items=1, repetitions=2, retention_intervals=[1, 2]),
     "retention_intervals"),
    (env.massed, dict(n_items=2, repetitions=2, retention_intervals=[1], presentation_time=0),
     "presentation_time"),
    (env.spaced, dict(n_items=2, repetitions=2, gap=0.5, retention_intervals=[1]), "gap"),
    (env.expanding, dict(n_items=2, repetitions=3, first_gap=10, ratio=0,
                         retention_intervals=[1]), "ratio"),
    (env.expanding, dict(n_items=2, repetitions=4, first_gap=2, ratio=0.1,
                         retention_intervals=[1]), "ratio"),
    (env.expanding, dict(n_items=2, repetitions=3, first_gap=-1, ratio=2,
                         retention_intervals=[1]), "first_gap"),
    (env.view_batch, dict(n_items=3, views=0, cycles=2), "views"),
    (env.view_batch, dict(n_items=3, views=2, cycles=0), "cycles"),
    (env.view_batch, dict(n_items=3, views=2, cycles=2, recall_interval=-5), "recall_interval"),
])
def test_bad_arguments_name_the_parameter(func, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        func(**kwargs)


def test_class_probabilities_fall_geometrically_from_skew_to_one():
    p = env.class_probabilities(5, skew=16.0)
    np.testing.assert_allclose(p / p[-1], [16, 8, 4, 2, 1])
    np.testing.assert_allclose(env.class_probabilities(7, 1.0), np.full(7, 1 / 7))


def test_reoccurrence_tasks_draw_distinct_classes_and_show_all_their_items():
    stream = env.reoccurrence(10, 3, 50, 4, skew=5.0, seed=2)
    per_task = 3 * 4
    assert len(stream) == 50 * per_task and stream.n_items == 40
    assert np.array_equal(stream.task, stream.item // 4)
    for j in range(50):
        block = stream.item[j * per_task:(j + 1) * per_task]
        assert len(np.unique(block)) == per_task
        assert len(np.unique(block // 4)) == 3


def test_reoccurrence_class_frequencies_follow_the_skew():
    # one class per task: each task's class is a draw from class_probabilities
    n_tasks = 20_000
    stream = env.reoccurrence(6, 1, n_tasks, 1, skew=10.0, seed=3)
    p = env.class_probabilities(6, 10.0)
    counts = np.bincount(stream.task, minlength=6)
    assert np.max(np.abs(counts - n_tasks * p) / np.sqrt(n_tasks * p * (1 - p))) < 4.5
    # two of three classes drawn without replacement: P(c drawn) = p_c + sum_d p_d p_c / (1 - p_d)
    p = env.class_probabilities(3, 4.0)
    inclusion = [p[c] + sum(p[d] * p[c] / (1 - p[d]) for d in range(3) if d != c)
                 for c in range(3)]
    pairs = env.reoccurrence(3, 2, n_tasks, 1, skew=4.0, seed=4).task
    counts = np.bincount(pairs, minlength=3)
    expected = n_tasks * np.array(inclusion)
    assert np.max(np.abs(counts - expected) / np.sqrt(expected * (1 - np.array(inclusion)))) < 4.5


def test_reoccurrence_is_seeded_and_checks_its_arguments():
    a = env.reoccurrence(8, 2, 20, 3, skew=2.0, seed=5)
    assert a == env.reoccurrence(8, 2, 20, 3, skew=2.0, seed=5)
    assert not np.array_equal(a.item, env.reoccurrence(8, 2, 20, 3, skew=2.0, seed=6).item)
    for kwargs, name in [(dict(n_classes=0), "n_classes"), (dict(classes_per_task=9),
                                                            "classes_per_task"),
                         (dict(n_tasks=0), "n_tasks"), (dict(items_per_class=0),
                                                        "items_per_class"),
                         (dict(skew=0.5), "skew")]:
        arguments = dict(n_classes=8, classes_per_task=2, n_tasks=5, items_per_class=3)
        arguments.update(kwargs)
        with pytest.raises(ValueError, match=rf"^{name}\b"):
            env.reoccurrence(**arguments)
