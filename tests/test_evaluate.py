"""analysis.evaluate: log-loss, RMSE (bins), AUC and calibration of predicted recall."""
import math

import numpy as np
import pytest

import analysis
import environments as env
import simulator
from analysis.evaluate import auc, log_loss, review_history, rmse_bins


def test_log_loss_and_auc_match_direct_computations():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, 500)
    y = (rng.random(500) < p).astype(float)
    direct = -np.mean([math.log(q) if t else math.log(1 - q) for t, q in zip(y, p)])
    assert log_loss(y, p) == pytest.approx(direct, abs=1e-12)
    pairs = [(1.0 if a > b else 0.5 if a == b else 0.0)
             for a in p[y == 1] for b in p[y == 0]]
    assert auc(y, p) == pytest.approx(np.mean(pairs), abs=1e-12)
    # ties count half
    assert auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]) == 0.5


def test_metrics_match_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    p = np.round(rng.uniform(0, 1, 800), 2)  # with ties and the extremes
    p[:3] = [0.0, 1.0, 1.0]
    y = (rng.random(800) < 0.6).astype(float)
    assert log_loss(y, p) == pytest.approx(metrics.log_loss(y, p), abs=1e-12)
    assert auc(y, p) == pytest.approx(metrics.roc_auc_score(y, p), abs=1e-12)


def test_rmse_bins_groups_by_interval_review_number_and_lapses():
    # two bins: the error is the count-weighted RMS of the bins' mean differences
    y = np.array([1, 0, 1, 1, 1])
    p = np.array([0.9, 0.9, 0.9, 0.5, 0.7])
    days = np.array([1.0, 1.0, 1.0, 30.0, 30.0])
    number = np.array([2, 2, 2, 2, 2])
    lapses = np.zeros(5)
    first = (2 / 3 - 0.9) ** 2 * 3
    second = (1.0 - 0.6) ** 2 * 2
    assert rmse_bins(y, p, days, number, lapses) == pytest.approx(math.sqrt((first + second) / 5),
                                                                  abs=1e-12)
    # 1 day and 2 days share the bin 2.48 * 3.62^0
    assert rmse_bins(y[:2], p[:2], [1.0, 2.0], [2, 2], [0, 0]) == pytest.approx(0.4, abs=1e-12)


def test_review_history_counts_reviews_and_lapses_per_item():
    number, lapses = review_history([0, 1, 0, 0, 1], [1.0, 0.0, 0.0, np.nan, 1.0])
    np.testing.assert_array_equal(number, [1, 1, 2, 0, 2])
    np.testing.assert_array_equal(lapses, [0, 0, 0, 0, 1])


def test_evaluate_scores_a_replayed_log_per_learner(tmp_path):
    schedules = [simulator.simulate_schedule(simulator.Leitner(), simulator.ACTR(decay=d, noise=0.4),
                                             20, 40, new_per_day=5, seed=s, events=True)
                 for s, d in ((1, 0.4), (2, 0.6))]
    import pandas as pd
    frames = []
    for learner, ds in enumerate(schedules):
        tests = ds["kind"].values == env.TEST
        frames.append(pd.DataFrame({"learner": learner, "item": ds["item"].values[tests],
                                    "time": ds["time"].values[tests],
                                    "outcome": ds["recalled"].values[tests].astype(int)}))
    stream = env.read_revlog(pd.concat(frames))
    pred = simulator.predict(simulator.ACTR(decay=0.5, noise=0.4), stream)
    result = analysis.evaluate(pred, by="learner")
    assert result.sizes["learner"] == 2
    assert int(result["n_reviews"].sum()) == result["n_reviews_pooled"]
    assert 0 < result["log_loss_pooled"] < 1 and 0.5 < result["auc_pooled"] <= 1
    assert int(result["calibration_count"].sum()) == result["n_reviews_pooled"]
    ax = analysis.plot_calibration(result)
    assert ax.get_xlabel() == "predicted recall"
    with pytest.raises(ValueError, match="by must be"):
        analysis.evaluate(pred, by="card")
