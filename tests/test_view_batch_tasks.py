"""environments.view_batch_tasks: runs of views, equal study across views, recall interval."""
import numpy as np
import pytest

import environments as env


def runs(item):
    """(item, length) of each maximal run of one item."""
    starts = np.flatnonzero(np.r_[True, item[1:] != item[:-1]])
    return item[starts], np.diff(np.r_[starts, len(item)])


@pytest.mark.parametrize("views", [1, 2, 4, 8])
def test_same_study_per_task_and_source_for_every_views(views):
    """Each task spends exactly rehearsal_counts' steps on each source, whatever views."""
    counts = env.rehearsal_counts(3, 400, "power", 1.0, rehearsal_fraction=0.25)
    stream = env.view_batch_tasks(3, 50, 400, views=views, rehearsal="power", seed=3)
    ends = (np.asarray(stream.meta["task_ends"]) + 1).astype(int)
    for j, (start, end) in enumerate(zip(np.r_[0, ends[:-1]], ends)):
        np.testing.assert_array_equal(np.bincount(stream.task[start:end], minlength=3),
                                      counts[j])
    np.testing.assert_array_equal(stream.item // 50, stream.task)
    # every sample of a blocked task is presented in runs of `views` (last run of a
    # source may be shorter); runs of one source never split
    _, lengths = runs(env.view_batch_tasks(2, 50, 400, views=views, seed=1).item)
    assert np.all(lengths % views == 0)


def test_recall_interval_grows_with_views():
    """Kang et al.'s protocol: the rest between a sample's runs is ~views x longer."""
    base = env.view_batch_tasks(2, 20, 1600, views=1, seed=0).meta["recall_interval"]
    for views in (2, 4):
        rest = env.view_batch_tasks(2, 20, 1600, views=views, seed=0).meta["recall_interval"]
        assert rest == pytest.approx(views * base, rel=0.05)
    assert base == pytest.approx(20, rel=0.05)  # one pass over the 20 samples


def test_seeded_and_validated():
    a = env.view_batch_tasks(2, 10, 100, views=4, rehearsal="uniform", seed=5)
    b = env.view_batch_tasks(2, 10, 100, views=4, rehearsal="uniform", seed=5)
    np.testing.assert_array_equal(a.item, b.item)
    with pytest.raises(ValueError, match="views"):
        env.view_batch_tasks(2, 10, 100, views=0)


def test_view_noise_augments_each_presentation():
    """SGDLearner(view_noise > 0): fresh input noise per presentation, seeded by the run;
    0 is plain SGD (bit for bit), and the step-by-step protocol refuses it."""
    import simulator

    stream = env.view_batch_tasks(2, 50, 200, views=4, seed=0)
    common = dict(hidden=16, n_classes=5, n_features=8, samples_per_class=10, test_per_class=10)
    plain = simulator.run(simulator.SGDLearner(**common), stream, seed=1)
    noisy = [simulator.run(simulator.SGDLearner(view_noise=0.5, **common), stream, seed=s)
             for s in (1, 1, 2)]
    np.testing.assert_array_equal(noisy[0]["loss"], noisy[1]["loss"])
    assert not np.allclose(noisy[0]["loss"], plain["loss"])
    assert not np.allclose(noisy[0]["loss"], noisy[2]["loss"])
    zero = simulator.run(simulator.SGDLearner(view_noise=0.0, **common), stream, seed=1)
    np.testing.assert_array_equal(zero["loss"], plain["loss"])
    with pytest.raises(ValueError, match="view_noise"):
        simulator.SGDLearner(view_noise=0.5, **common).new_state(50, np.random.default_rng())
