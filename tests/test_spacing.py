"""simulator.scheduling.spacing: recall after spaced study, and the optimal recall interval."""
import numpy as np
import pytest

import simulator
from environments import EventStream, days

PAVLIK = dict(spacing_scale=0.217, spacing_intercept=0.177, threshold=-0.704, noise=0.255,
              intersession_scale=0.025)


@pytest.mark.parametrize("approximation", ["exact", "multiscale"])
def test_spacing_recall_is_simulator_run_on_the_same_schedule(approximation):
    learner = simulator.ACTR(approximation=approximation, **PAVLIK)
    gap, interval = days(3.5), days(20)
    # 1 + 2 sessions of 3 presentations 2 s apart, then a test
    study = (np.arange(3)[:, None] * gap + np.arange(3) * 2.0).reshape(-1)
    stream = EventStream(time=np.r_[study, study[-1] + interval],
                         item=np.zeros(len(study) + 1, int), kind=[0] * len(study) + [1])
    expected = simulator.run(learner, stream, seed=0)["p_recall"].values[-1]
    got = simulator.spacing_recall(learner, gap, interval, n_reviews=2, presentations=3,
                                   presentation_time=2.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_spacing_recall_closed_form_without_the_spacing_model():
    learner = simulator.ACTR(decay=0.5, threshold=-1.0, noise=0.4)
    gap, interval = np.array([10.0, 1e3, 1e5]), np.array([50.0, 500.0, 5e4])
    activation = np.log((gap + interval) ** -0.5 + interval ** -0.5)
    expected = 1 / (1 + np.exp(-(activation + 1.0) / 0.4))
    np.testing.assert_allclose(simulator.spacing_recall(learner, gap, interval), expected,
                               rtol=1e-12)


def test_optimal_interval_matches_a_brute_force_grid():
    learner = simulator.ACTR(**PAVLIK)
    intervals = days([2, 30, 200])
    ds = simulator.optimal_interval(learner, intervals)
    grid = np.geomspace(60.0, days(4 * 365), 20001)
    for k, interval in enumerate(intervals):
        recall = simulator.spacing_recall(learner, grid, interval)
        j = np.argmax(recall)
        assert ds["optimal_recall"].values[k] >= recall[j] - 1e-12
        # the grid's step is 0.07 % of the gap
        np.testing.assert_allclose(ds["optimal_gap"].values[k], grid[j], rtol=2e-3)


def test_pavlik_anderson_model_shows_cepedas_pattern():
    ds = simulator.optimal_interval(simulator.ACTR(**PAVLIK), days([7, 35, 70, 350]))
    assert np.all(np.diff(ds["optimal_gap"].values) > 0)
    assert np.all(np.diff(ds["gap_ratio"].values) < 0)
    assert ds["optimal_gap"].attrs["units"] == "s"


def test_without_the_spacing_model_massed_study_is_best():
    # with one fixed decay the sum (gap + RI)^-d + RI^-d only falls as the gap grows
    ds = simulator.optimal_interval(simulator.ACTR(), days([1, 30]), gap_bounds=(60, 1e7))
    np.testing.assert_allclose(ds["optimal_gap"].values, 60.0, rtol=1e-4)


@pytest.mark.parametrize("kwargs, name", [
    (dict(retention_interval=0.0), "retention_interval"),
    (dict(retention_interval=[1.0, np.nan]), "retention_interval"),
    (dict(n_reviews=0), "n_reviews"),
    (dict(presentations=0), "presentations"),
    (dict(presentation_time=-1.0), "presentation_time"),
    (dict(gap_bounds=(100.0, 10.0)), "gap_bounds"),
    (dict(learner="ACTR"), "learner"),
])
def test_bad_arguments_raise(kwargs, name):
    args = dict(learner=simulator.ACTR(), retention_interval=86400.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        simulator.optimal_interval(**args)
