"""Ebisu memory model: agreement with the ebisu package, protocol drivers, bad input."""
import numpy as np
import pytest

import environments as env
import simulator

ebisu = pytest.importorskip("ebisu")
DAY = 86400.0


def histories(rng, n_cards, max_quizzes):
    cards = []
    for _ in range(n_cards):
        n = rng.integers(2, max_quizzes + 1)
        gaps = np.exp(rng.uniform(np.log(0.02), np.log(40.0), n)) * DAY
        gaps[0] = rng.uniform(0, 5) * DAY
        cards.append((np.cumsum(gaps), rng.random(n) < 0.7))
    return cards


@pytest.mark.parametrize("prior", [(3.0, 3.0, 1.0), (2.0, 5.0, 0.25), (8.0, 4.0, 7.0)])
def test_states_and_predictions_agree_with_ebisu_to_1e9(prior):
    alpha, beta, half_life = prior
    model = simulator.Ebisu(half_life=half_life, alpha=alpha, beta=beta)
    cards = histories(np.random.default_rng(int(alpha * 10 + beta)), 40, 10)
    time = np.concatenate([t for t, _ in cards])
    item = np.concatenate([np.full(len(t), i) for i, (t, _) in enumerate(cards)])
    outcome = np.concatenate([ok for _, ok in cards]).astype(float)
    order = np.argsort(time, kind="stable")
    stream = env.EventStream(time=time[order], item=item[order],
                             kind=np.full(len(time), env.TEST, np.int8), outcome=outcome[order])
    pred = simulator.predict(model, stream)
    for i, (times, answers) in enumerate(cards):
        mine = np.flatnonzero(stream.item == i)
        state = prior
        for k in range(1, len(times)):  # the first event is the first study
            elapsed = (times[k] - times[k - 1]) / DAY
            assert pred["p_recall"].values[mine[k]] == pytest.approx(
                ebisu.predictRecall(state, elapsed, exact=True), rel=1e-9)
            got = [pred[f"ebisu_{v}"].values[mine[k]] for v in ("alpha", "beta", "half_life")]
            np.testing.assert_allclose(got, state, rtol=1e-9)
            state = ebisu.updateRecall(state, int(answers[k]), 1, elapsed)


def test_expected_recall_is_one_half_at_the_half_life_of_a_symmetric_prior():
    model = simulator.Ebisu(half_life=2.0, alpha=4.0, beta=4.0)
    state = model.new_state(1, None)
    params = model.kernel_params()
    model.kernels.learn(params, state, 0, 0.0, np.nan, 0)
    assert model.kernels.predict(params, state, 0, 2 * DAY) == pytest.approx(0.5, rel=1e-12)
    # and the time recall falls to 1/2 is the half-life
    assert model.kernels.retention_time(params, state, 0, 0.0, 0.5) == pytest.approx(2 * DAY)
    # rebalancing keeps it so after an update
    model.kernels.learn(params, state, 0, 3 * DAY, 1.0, 3)
    t = state[2][0]
    assert model.kernels.predict(params, state, 0, 3 * DAY + t * DAY) == pytest.approx(0.5,
                                                                                       rel=1e-9)


def test_run_predict_and_fit_on_a_stream():
    stream = env.review_schedule(2, 20, 8, seed=3)
    ds = simulator.run(simulator.Ebisu(), stream, seed=1)
    assert np.all((ds["p_recall"] >= 0) & (ds["p_recall"] <= 1))
    assert ds["ebisu_half_life"].attrs["units"] == "day"
    log = simulator.simulate_answers(simulator.Ebisu(half_life=3.0), stream, seed=2)
    import analysis
    fit = analysis.fit_agent(simulator.Ebisu(half_life=0.5), log, free=("half_life",), by=None)
    assert 1.0 < float(fit["estimate"].sel(parameter="half_life")) < 9.0


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    script = """
import json, numpy as np, simulator, environments as env
s = env.review_schedule(1, 8, 6, seed=4)
ds = simulator.run(simulator.Ebisu(), s, seed=5)
print(json.dumps({k: ds[k].values.tolist() for k in ("p_recall", "ebisu_alpha", "ebisu_half_life")}))
"""
    jitted, pure = jitted_and_pure_python(script)
    for key in jitted:
        # libm and numba differ in lgamma's last bits; small recalls amplify them
        np.testing.assert_allclose(jitted[key], pure[key], rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize("kwargs, name", [
    (dict(half_life=0.0), "half_life"), (dict(alpha=1.0), "alpha"), (dict(beta=-2.0), "beta")])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        simulator.Ebisu(**kwargs)
