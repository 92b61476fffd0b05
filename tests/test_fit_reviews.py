"""Review logs: review schedules, simulated answers, replay, per-review fitting."""

import numpy as np
import pytest
import xarray as xr

import analysis
import environments as env
import simulator
from analysis.evaluate import log_loss

TRUTH = simulator.ACTR(decay=0.5, threshold=-4.5, noise=0.5)
START = simulator.ACTR(decay=0.4, threshold=-3.0, noise=0.4)
FREE = ("decay", "threshold", "noise")


@pytest.fixture(scope="module")
def log():
    """Four learners, 50 items x 20 reviews each (1,000 reviews), answers drawn from TRUTH."""
    return simulator.simulate_answers(TRUTH, env.review_schedule(4, 50, 20, seed=1), seed=2)


def test_review_schedule_gaps_are_log_uniform_within_bounds():
    s = env.review_schedule(3, 40, 6, min_gap=60.0, max_gap=86400.0 * 30, seed=5)
    assert len(s) == 3 * 40 * 6 and np.all(np.diff(s.time) >= 0)
    assert np.array_equal(np.bincount(s.learner), [240, 240, 240])
    assert np.all(s.item // 40 == s.learner)
    gaps = np.concatenate([np.diff(s.time[s.item == i]) for i in range(s.n_items)])
    assert gaps.min() >= 60.0 and gaps.max() <= 86400.0 * 30
    # log-uniform: log gaps have the mean and variance of a uniform on [ln 60, ln 30 d]
    lo, hi = np.log(60.0), np.log(86400.0 * 30)
    assert abs(np.log(gaps).mean() - (lo + hi) / 2) < 4 * (hi - lo) / np.sqrt(12 * len(gaps))
    assert env.review_schedule(3, 40, 6, seed=5).time.tobytes() == s.time.tobytes()


def test_review_schedule_bad_arguments():
    with pytest.raises(ValueError, match="min_gap"):
        env.review_schedule(1, 2, 2, min_gap=10.0, max_gap=5.0)
    with pytest.raises(ValueError, match="n_items"):
        env.review_schedule(1, 0, 2)


def test_split_learners_keeps_each_learners_events_in_order():
    s = env.EventStream(time=[0.0, 1.0, 2.0, 3.0, 4.0], item=[7, 3, 7, 9, 3],
                        learner=[2, 0, 2, 2, 0], outcome=[1.0, 0.0, np.nan, 1.0, 1.0],
                        kind=[1, 1, 0, 1, 1])
    parts = env.split_learners(s)
    assert [k for k, _, _ in parts] == [0, 2]
    (_, a, wa), (_, b, wb) = parts
    assert wa.tolist() == [1, 4] and wb.tolist() == [0, 2, 3]
    assert a.item.tolist() == [0, 0] and b.item.tolist() == [0, 0, 1]
    assert b.n_items == 2 and np.array_equal(b.outcome, [1.0, np.nan, 1.0], equal_nan=True)


def test_split_learners_jitted_agrees_with_pure_python(jitted_and_pure_python):
    script = """
import json, numpy as np, environments as env
s = env.review_schedule(5, 7, 4, seed=3)
s = env.EventStream(time=s.time, item=s.item % 9, kind=s.kind, learner=s.learner)
print(json.dumps({f"{k}_{name}": getattr(part, name).tolist() + where.tolist()
                  for k, part, where in env.split_learners(s) for name in ("item", "time")}))
"""
    jitted, pure = jitted_and_pure_python(script)
    assert jitted.keys() == pure.keys()
    for key in jitted:
        np.testing.assert_array_equal(jitted[key], pure[key])


def test_simulate_answers_draw_from_each_learners_own_memory(log):
    tested = log.kind == env.TEST
    assert np.all(np.isin(log.outcome[tested], [0.0, 1.0]))
    assert np.array_equal(log.rating[tested], np.where(log.outcome[tested] > 0, 3, 1))
    # learner 1's answers are those of a run of its events alone with its child seed
    _, events, where = env.split_learners(log)[1]
    from environments.seeding import child, seed_sequence
    alone = simulator.run(TRUTH, events, seed=child(seed_sequence(2), 1))
    assert np.array_equal(alone["recalled"].values, log.outcome[where] > 0.5)


def test_predict_with_a_model_that_ignores_answers_equals_the_generic_replay(log, monkeypatch):
    # ACT-R's memory does not read the answers, so predict uses its tuned loop; the
    # generic replay must give the same predictions, answers and draws.
    outcome = log.outcome.copy()
    outcome[::7] = np.nan  # some answers left open: drawn
    partial = env.EventStream(time=log.time, item=log.item, kind=log.kind, outcome=outcome,
                              learner=log.learner, n_items=log.n_items)
    model = simulator.ACTR(decay=0.45, threshold=-4.0, noise=0.4, permanent_noise=0.3)
    fast = simulator.predict(model, partial, seed=4)
    monkeypatch.setattr(simulator.ACTR, "answers_change_memory", True)
    generic = simulator.predict(model, partial, seed=4)
    np.testing.assert_allclose(fast["p_recall"], generic["p_recall"], rtol=1e-12)
    np.testing.assert_array_equal(fast["outcome"], generic["outcome"])
    np.testing.assert_array_equal(fast["rating"], generic["rating"])
    observed = ~np.isnan(outcome)
    np.testing.assert_array_equal(fast["outcome"].values[observed], outcome[observed])


def test_fit_recovers_decay_from_1000_reviews_per_learner(log):
    fit = analysis.fit_agent(START, log, free=FREE)
    decay = fit["estimate"].sel(parameter="decay").values
    se = fit["std_error"].sel(parameter="decay").values
    assert fit.sizes == {"learner": 4, "parameter": 3}
    assert np.all(fit["converged"].values)
    assert np.median(np.abs(decay - 0.5)) < 0.05
    assert np.all(np.abs(decay - 0.5) < 3 * se) and np.all(se < 0.06)
    # the likelihood it reports is the Bernoulli likelihood of the fitted model
    fitted = simulator.ACTR(**{**TRUTH.__dict__, **dict(zip(FREE, fit["estimate"].values[0]))})
    _, events, _ = env.split_learners(log)[0]
    pred = simulator.predict(fitted, events)
    review_number, _ = analysis.evaluate.__globals__["review_history"](
        events.item, events.outcome)
    scored = review_number > 1
    y, p = events.outcome[scored], pred["p_recall"].values[scored]
    assert fit["log_likelihood"].values[0] == pytest.approx(
        np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-9)


def test_pooled_fit_is_one_set_for_all_learners_and_closer(log):
    fit = analysis.fit_agent(START, log, free=FREE, by=None)
    assert fit["estimate"].dims == ("parameter",)
    assert abs(float(fit["estimate"].sel(parameter="decay")) - 0.5) < 0.04
    assert fit["n_reviews_train"] == 4 * 50 * 19


def test_split_holds_out_the_last_reviews_and_scores_them(log):
    fit = analysis.fit_agent(START, log, free=FREE, split=0.25)
    n_scored = 50 * 19
    assert np.all(fit["n_reviews_test"].values == round(0.25 * n_scored))
    assert np.all(fit["n_reviews_train"].values == n_scored - round(0.25 * n_scored))
    # held-out log-loss is the log-loss of the fitted model on the last reviews
    k = 2
    params = dict(zip(FREE, fit["estimate"].isel(learner=k).values))
    fitted = simulator.ACTR(**{**TRUTH.__dict__, **params})
    _, events, _ = env.split_learners(log)[k]
    p = simulator.predict(fitted, events)["p_recall"].values
    review_number, _ = analysis.evaluate.__globals__["review_history"](
        events.item, events.outcome)
    scored = np.flatnonzero(review_number > 1)
    test = scored[-int(fit["n_reviews_test"][k]):]
    assert float(fit["log_loss_test"][k]) == pytest.approx(
        log_loss(events.outcome[test], p[test]), rel=1e-12)
    assert 0.5 < float(fit["auc_test"][k]) <= 1.0


def test_backends_give_the_same_fit(log):
    serial = analysis.fit_agent(START, log, free=("decay",), seed=1)
    processes = analysis.fit_agent(START, log, free=("decay",), seed=1, backend="processes",
                                   workers=2)
    xr.testing.assert_identical(serial, processes)


@pytest.mark.parametrize("kwargs, message", [
    (dict(by="item"), "^by must"),
    (dict(split=1.0), "^split"),
    (dict(backend="threads"), "^backend"),
    (dict(free=("colour",)), "^free"),
    (dict(schedule=env.EventStream(time=[0.0], item=[0])), "schedule and n_trials"),
])
def test_bad_arguments(log, kwargs, message):
    kwargs = {"free": FREE, **kwargs}
    with pytest.raises(ValueError, match=message):
        analysis.fit_agent(START, log, **kwargs)


def test_a_stream_without_answers_is_refused():
    with pytest.raises(ValueError, match="observed outcomes"):
        analysis.fit_agent(START, env.review_schedule(1, 3, 3, seed=0), free=FREE)


def test_recall_probabilities_are_predicts_p_recall(log, monkeypatch):
    model = simulator.ACTR(decay=0.45, threshold=-4.0, noise=0.4, permanent_noise=0.2)
    from environments.seeding import generator
    _, events, _ = env.split_learners(log)[0]
    tuned = model.recall_probabilities(events, generator(5))
    generic = simulator.MemoryModel.recall_probabilities(model, events, generator(5))
    np.testing.assert_allclose(tuned, generic, rtol=1e-12)
    one = env.EventStream(time=events.time, item=events.item, kind=events.kind,
                          outcome=events.outcome)  # no learner ids: predict seeds the run itself
    np.testing.assert_allclose(tuned, simulator.predict(model, one, seed=5)["p_recall"],
                               rtol=1e-12)


@pytest.mark.parametrize("model", [TRUTH, simulator.FSRS()], ids=["ACTR", "FSRS"])
def test_one_pass_replay_of_disjoint_learners_equals_replaying_each(log, model, monkeypatch):
    together = simulator.predict(model, log, seed=3)
    monkeypatch.setattr(type(model), "items_independent", lambda self: False)
    apart = simulator.predict(model, log, seed=3)
    xr.testing.assert_identical(together, apart)
