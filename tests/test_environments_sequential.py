import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import environments as env
from environments import STUDY, TEST


def steps_by_task(stream, steps_per_task_list):
    """counts[j, k] observed: steps of task j's block spent on task k's items."""
    study = stream.kind == STUDY
    source = stream.task[study]
    bounds = np.concatenate([[0], np.cumsum(steps_per_task_list)])
    n = len(steps_per_task_list)
    observed = np.zeros((n, n), np.int64)
    for j in range(n):
        observed[j] = np.bincount(source[bounds[j]:bounds[j + 1]], minlength=n)
    return observed


@settings(deadline=None, max_examples=40)
@given(n_tasks=st.integers(1, 12), steps=st.integers(1, 500),
       rule=st.sampled_from(["power", "exponential", "uniform"]),
       exponent=st.floats(0.0, 3.0), scale=st.floats(0.1, 10.0),
       fraction=st.floats(0.0, 1.0))
def test_budget_is_exact_and_split_by_the_weights(n_tasks, steps, rule, exponent, scale,
                                                  fraction):
    counts = env.rehearsal_counts(n_tasks, steps, rule, exponent, scale, fraction)
    budget = int(np.floor(fraction * steps + 0.5))
    assert np.all(counts.sum(axis=1) == steps)
    assert np.all(np.triu(counts, 1) == 0)
    for j in range(1, n_tasks):
        rehearsed = counts[j, j - 1::-1]  # by lag 1 .. j
        assert rehearsed.sum() == budget and counts[j, j] == steps - budget
        weights = env.rehearsal_weights(j, rule, exponent, scale)
        # largest remainder: every lag gets its exact share rounded down or up
        exact = budget * weights / weights.sum()
        assert np.all(np.abs(rehearsed - exact) < 1)


def test_power_rehearsal_by_hand():
    # task 3 of a power (a = 1) schedule: budget 30 split 1 : 1/2 : 1/3 = 16.36, 8.18, 5.45;
    # floors 16, 8, 5 and the step left over to the largest remainder (lag 3)
    counts = env.rehearsal_counts(4, 120, "power", exponent=1.0, rehearsal_fraction=0.25)
    assert list(counts[3]) == [6, 8, 16, 90]
    # exponential (scale 1): weights e^-1, e^-2 -> shares 21.93, 8.07 of 30
    counts = env.rehearsal_counts(3, 120, "exponential", scale=1.0, rehearsal_fraction=0.25)
    assert list(counts[2]) == [8, 22, 90]


def test_unbudgeted_counts_are_proportional_to_the_weights():
    counts = env.rehearsal_counts(6, 200, "power", exponent=1.0, rehearsal_fraction=0.24,
                                  budgeted=False)
    # R = 48; lag L gets round(48 / L): 48, 24, 16, 12, 9.6 -> 10
    assert list(counts[5]) == [10, 12, 16, 24, 48, 152]
    uniform = env.rehearsal_counts(6, 200, "uniform", rehearsal_fraction=0.24, budgeted=False)
    assert list(uniform[5]) == [48] * 5 + [152]
    exponential = env.rehearsal_counts(4, 100, "exponential", scale=2.0,
                                       rehearsal_fraction=0.2, budgeted=False)
    # 20 * exp(-(L - 1) / 2): 20, 12.13, 7.36
    assert list(exponential[3]) == [7, 12, 20, 80]


def test_blocked_and_full_rehearsal():
    blocked = env.rehearsal_counts(5, 50, "none", rehearsal_fraction=0.5)
    assert np.array_equal(blocked, np.diag([50] * 5))
    full = env.rehearsal_counts(4, 10, "full")
    assert [list(row[:j + 1]) for j, row in enumerate(full)] == [
        [10], [5, 5], [3, 3, 4], [2, 2, 3, 3]]
    joint = env.rehearsal_counts(4, 10, "full", budgeted=False)
    assert np.array_equal(joint, np.tril(np.full((4, 4), 10)))


@pytest.mark.parametrize("rule, budgeted", [("power", True), ("exponential", False),
                                            ("uniform", True), ("full", False),
                                            ("none", True)])
def test_stream_follows_the_counts(rule, budgeted):
    stream = env.sequential_tasks(6, 7, 90, rehearsal=rule, exponent=0.7, scale=1.5,
                                  rehearsal_fraction=0.3, budgeted=budgeted, seed=3)
    counts = env.rehearsal_counts(6, 90, rule, 0.7, 1.5, 0.3, budgeted)
    assert np.array_equal(steps_by_task(stream, counts.sum(axis=1)), counts)
    assert np.array_equal(stream.task, stream.item // 7)
    assert stream.n_items == 42 and np.all(stream.kind == STUDY)
    assert np.array_equal(stream.time, np.arange(len(stream), dtype=float))
    # within a task block each source task's items are balanced to within one
    bounds = np.concatenate([[0], np.cumsum(counts.sum(axis=1))])
    for j in range(6):
        block = stream.item[bounds[j]:bounds[j + 1]]
        for k in range(j + 1):
            per_item = np.bincount(block[block // 7 == k] - 7 * k, minlength=7)
            assert per_item.max() - per_item.min() <= 1


def test_rehearsal_is_interleaved_with_the_new_task():
    stream = env.sequential_tasks(2, 5, 1000, rehearsal="uniform", rehearsal_fraction=0.5,
                                  seed=0)
    second = stream.task[1000:] == 0
    # a random shuffle of 500 + 500 steps has ~500 runs; blocked order would have 2
    runs = 1 + np.count_nonzero(np.diff(second.astype(int)))
    assert 400 < runs < 600


def test_test_blocks_probe_every_task_met_so_far():
    stream = env.sequential_tasks(3, 4, 10, rehearsal="none", test_every=4, time_step=2.0,
                                  seed=1)
    study = stream.kind == STUDY
    assert np.count_nonzero(study) == 30
    # tests after steps 4, 8, ..., 28 and after the last (30): 8 blocks
    test_times = np.unique(stream.time[stream.kind == TEST])
    assert np.array_equal(test_times, 2.0 * np.array([4, 8, 12, 16, 20, 24, 28, 30]))
    for t, n_tested in zip(test_times, [4, 4, 8, 8, 8, 12, 12, 12]):
        block = stream.item[(stream.kind == TEST) & (stream.time == t)]
        assert np.array_equal(block, np.arange(n_tested))
    # study times are untouched by the tests
    assert np.array_equal(stream.time[study], 2.0 * np.arange(30))


def test_same_seed_same_stream():
    kwargs = dict(n_tasks=5, items_per_task=10, steps_per_task=60, test_every=25)
    a = env.sequential_tasks(**kwargs, seed=9)
    assert a == env.sequential_tasks(**kwargs, seed=9)
    assert not np.array_equal(a.item, env.sequential_tasks(**kwargs, seed=10).item)
    assert a.meta["rehearsal"] == "power" and "seed_entropy" in a.meta


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_tasks=0), "n_tasks"),
    (dict(items_per_task=0), "items_per_task"),
    (dict(steps_per_task=0), "steps_per_task"),
    (dict(rehearsal="sometimes"), "rehearsal"),
    (dict(exponent=-1.0), "exponent"),
    (dict(scale=0.0), "scale"),
    (dict(rehearsal_fraction=1.5), "rehearsal_fraction"),
    (dict(rehearsal_fraction=-0.1), "rehearsal_fraction"),
    (dict(budgeted="yes"), "budgeted"),
    (dict(test_every=0), "test_every"),
    (dict(time_step=-1.0), "time_step"),
    (dict(seed=-3), "seed"),
])
def test_bad_arguments_name_the_parameter(kwargs, name):
    arguments = dict(n_tasks=3, items_per_task=2, steps_per_task=10)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        env.sequential_tasks(**arguments)
