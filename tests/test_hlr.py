"""Half-life regression: closed forms, clipping, recovery by fit_agent, bad input."""
import math

import numpy as np
import pytest

import analysis
import environments as env
import simulator

DAY = 86400.0


def fresh(model, right, wrong, last=0.0):
    state = model.new_state(1, None)
    state[0][0], state[1][0], state[2][0] = right, wrong, last
    return state


def test_recall_is_one_half_after_one_half_life_and_follows_the_features():
    model = simulator.HLR(theta_right=0.8, theta_wrong=-0.6, theta_bias=0.3)
    params = model.kernel_params()
    for right, wrong in ((0, 0), (3, 1), (8, 0)):
        h = 2.0 ** (0.8 * math.sqrt(1 + right) - 0.6 * math.sqrt(1 + wrong) + 0.3)
        state = fresh(model, right, wrong)
        assert model.kernels.predict(params, state, 0, h * DAY) == pytest.approx(0.5)
        assert model.kernels.predict(params, state, 0, 2 * h * DAY) == pytest.approx(0.25)
        assert model.kernels.retention_time(params, state, 0, 0.0, 0.8) == pytest.approx(
            h * math.log2(1 / 0.8) * DAY)


def test_half_life_and_recall_are_clipped_as_in_the_paper():
    model = simulator.HLR(theta_right=0.0, theta_wrong=0.0, theta_bias=-20.0)
    params = model.kernel_params()
    state = fresh(model, 0, 0)
    out = np.empty(3)
    model.kernels.observe(params, state, 0, 0.0, out)
    assert out[2] == pytest.approx(15 / 1440)
    assert model.kernels.predict(params, state, 0, 30 * DAY) == 0.0001
    assert model.kernels.predict(params, state, 0, 0.0) == 0.9999
    long = simulator.HLR(theta_right=0.0, theta_wrong=0.0, theta_bias=20.0)
    long.kernels.observe(long.kernel_params(), state, 0, 0.0, out)
    assert out[2] == 274.0


def test_answers_are_counted():
    stream = env.EventStream(time=[0.0, DAY, 3 * DAY, 4 * DAY], item=[0, 0, 0, 0],
                             kind=[0, 1, 1, 1], outcome=[np.nan, 1.0, 0.0, 1.0])
    pred = simulator.predict(simulator.HLR(), stream)
    assert pred["right"].values.tolist() == [0, 0, 1, 1]
    assert pred["wrong"].values.tolist() == [0, 0, 0, 1]


def test_fit_agent_recovers_theta_from_a_simulated_log():
    truth = simulator.HLR(theta_right=1.2, theta_wrong=-0.8, theta_bias=-0.5)
    log = simulator.simulate_answers(
        truth, env.review_schedule(4, 100, 12, min_gap=3600.0, max_gap=20 * DAY, seed=4),
        seed=5)
    fit = analysis.fit_agent(simulator.HLR(), log,
                             free=("theta_right", "theta_wrong", "theta_bias"), by=None)
    estimate = fit["estimate"].values
    se = fit["std_error"].values
    np.testing.assert_array_less(np.abs(estimate - [1.2, -0.8, -0.5]), 4 * se)
    assert np.all(se < 0.3)  # 4,800 reviews identify every weight


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    script = """
import json, numpy as np, simulator, environments as env
ds = simulator.run(simulator.HLR(), env.review_schedule(1, 8, 6, seed=4), seed=5)
print(json.dumps({k: ds[k].values.tolist() for k in ("p_recall", "half_life", "right")}))
"""
    jitted, pure = jitted_and_pure_python(script)
    for key in jitted:
        np.testing.assert_allclose(jitted[key], pure[key], rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("kwargs, name", [(dict(theta_right=30.0), "theta_right"),
                                          (dict(theta_bias=float("nan")), "theta_bias")])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        simulator.HLR(**kwargs)
