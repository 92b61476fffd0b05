"""analysis.scheduling: spacing curves, workload vs retention, view-batch comparison, plots."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis
import simulator
from analysis.scheduling import pareto_front, scheduler_label
from environments import days

PAVLIK = dict(spacing_scale=0.217, spacing_intercept=0.177, threshold=-0.704, noise=0.255,
              intersession_scale=0.025)
LEARNER = simulator.ACTR(**PAVLIK)


def test_pareto_front_of_hand_made_points():
    cost = [1, 2, 2, 3, 4, 4]
    value = [0.1, 0.5, 0.4, 0.5, 0.9, 0.9]
    # (2, 0.4) is beaten by (2, 0.5); (3, 0.5) by (2, 0.5); equal points both stay
    np.testing.assert_array_equal(pareto_front(cost, value),
                                  [True, True, False, False, True, True])


@pytest.fixture(scope="module")
def workload():
    schedulers = [simulator.TargetRetention(0.6), simulator.TargetRetention(0.95),
                  simulator.Leitner(), simulator.SM2(), simulator.ViewBatch(2, 5.0)]
    return analysis.workload_retention(LEARNER, schedulers, n_items=60, days=60,
                                       new_per_day=6, test_delays=(7.0, 30.0), seed=4)


def test_workload_retention_dataset(workload):
    assert workload.sizes == {"scheduler": 5, "test_delay": 2}
    assert workload["scheduler"].values[0] == "TargetRetention(target=0.6)"
    assert scheduler_label(simulator.ViewBatch(2, 5.0)) == \
        "ViewBatch(views=2, recall_interval=5)"
    np.testing.assert_array_equal(
        workload["pareto"], pareto_front(workload["reviews_per_item"],
                                         workload["retention"].isel(test_delay=0)))
    # a higher target buys retention with reviews
    low, high = workload.isel(scheduler=0), workload.isel(scheduler=1)
    assert high["reviews_per_item"] > low["reviews_per_item"]
    assert np.all(high["retention"] > low["retention"])
    # forgetting: retention falls with the test delay
    assert np.all(workload["retention"].diff("test_delay") < 0)
    for name in workload.variables:
        assert workload[name].attrs["long_name"] and workload[name].attrs["units"], name


def test_workload_retention_is_seeded():
    args = (LEARNER, [simulator.SM2(), simulator.Leitner()])
    kw = dict(n_items=20, days=20, seed=9)
    xr.testing.assert_identical(analysis.workload_retention(*args, **kw),
                                analysis.workload_retention(*args, **kw))
    with pytest.raises(ValueError, match="schedulers"):
        analysis.workload_retention(LEARNER, [])


def test_spacing_curves_peak_at_the_optimum():
    curves = analysis.spacing_curves(LEARNER, days([7, 70]), gaps=np.geomspace(60, 1e8, 200))
    assert curves["recall"].dims == ("gap", "retention_interval")
    best_on_curve = curves["recall"].max("gap")
    assert np.all(curves["optimal_recall"] >= best_on_curve - 1e-12)
    np.testing.assert_allclose(curves["optimal_recall"], best_on_curve, rtol=1e-3)


def test_view_batch_rests_longer_at_equal_presentations():
    ds = analysis.view_batch_comparison(LEARNER, n_items=10, presentations=8,
                                        views=(1, 2, 4), seed=0)
    one_view = ds["recall_interval"].sel(views=1)
    np.testing.assert_allclose(ds["recall_interval"], ds["views"] * one_view)
    assert np.all((ds["recall"] >= 0) & (ds["recall"] <= 1))
    with pytest.raises(ValueError, match="views"):
        analysis.view_batch_comparison(LEARNER, presentations=8, views=(3,))


def test_plots_return_axes_with_their_marks(workload, tmp_path):
    curves = analysis.spacing_curves(LEARNER, days([7, 70]), gaps=np.geomspace(60, 1e8, 30))
    ax = analysis.plot_spacing(curves)
    assert len(ax.lines) == 4  # a curve and an optimum per retention interval
    ax.figure.savefig(tmp_path / "spacing.png")
    ax = analysis.plot_optimal_interval(curves)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    ax = analysis.plot_workload_retention(workload, test_delay=30.0)
    assert ax.get_ylabel() == "retention after 30 days"
    assert ax.lines[-1].get_label() == "Pareto front"
    ax.figure.savefig(tmp_path / "workload.png")
    plt.close("all")
