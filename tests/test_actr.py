import math

import numpy as np
import pytest
from pyactr.utilities import baselevel_learning

import environments as env
import simulator
from environments import STUDY, TEST, EventStream


def random_history_stream(rng, n_items=6, n_events=300):
    """Events at random times (gaps >= 0.1 s, above the age floor) over a few items."""
    time = np.cumsum(rng.exponential(20.0, n_events) + 0.1)
    return EventStream(time=time, item=rng.integers(0, n_items, n_events))


@pytest.mark.parametrize("decay", [0.2, 0.5, 0.8])
def test_exact_base_level_agrees_with_pyactr(decay):
    rng = np.random.default_rng(int(decay * 10))
    stream = random_history_stream(rng)
    ds = simulator.run(simulator.ACTR(decay=decay), stream, seed=0)
    history = {}
    for e, (t, i) in enumerate(zip(stream.time, stream.item)):
        if i in history:
            expected = baselevel_learning(t, np.array(history[i]), True, decay)
            assert ds["activation"].values[e] == pytest.approx(expected, abs=1e-12)
        else:
            assert ds["activation"].values[e] == -np.inf
        history.setdefault(i, []).append(t)


def test_base_level_closed_forms_and_age_floor():
    # one presentation at 0: B(t) = -d ln t; two at 0 and 10: ln(t^-d + (t-10)^-d)
    stream = EventStream(time=[0, 0, 10, 30], item=[0, 0, 0, 0], kind=[STUDY, TEST, STUDY, TEST])
    ds = simulator.run(simulator.ACTR(decay=0.5, test_is_presentation=False), stream, seed=0)
    a = ds["activation"].values
    assert a[0] == -np.inf
    assert a[1] == pytest.approx(-0.5 * math.log(0.05))  # age 0 floored at 0.05 s
    assert a[2] == pytest.approx(-0.5 * math.log(10))
    assert a[3] == pytest.approx(math.log(30 ** -0.5 + 20 ** -0.5))


def test_recall_probability_and_latency_follow_the_manual():
    agent = simulator.ACTR(decay=0.5, threshold=-1.0, noise=0.4, latency_factor=0.3,
                           latency_exponent=0.8)
    stream = EventStream(time=[0, 100, 200], item=[0, 0, 0])
    ds = simulator.run(agent, stream, seed=1)
    a = ds["activation"].values[1:]
    p = 1 / (1 + np.exp(-(a - agent.threshold) / agent.noise))
    np.testing.assert_allclose(ds["p_recall"].values[1:], p, rtol=1e-14)
    assert ds["p_recall"].values[0] == 0.0 and not ds["recalled"].values[0]
    assert ds["latency"].values[0] == pytest.approx(0.3 * math.exp(-0.8 * -1.0))


def test_zero_noise_is_a_step_at_the_threshold_with_exact_latency():
    agent = simulator.ACTR(threshold=-2.0, noise=0.0)
    stream = EventStream(time=[0, 1, 1e9], item=[0, 0, 0])
    ds = simulator.run(agent, stream, seed=2)
    a = ds["activation"].values
    assert list(ds["p_recall"].values) == [0.0, 1.0, 0.0]
    assert list(ds["recalled"].values) == [False, True, False]
    assert ds["latency"].values[1] == pytest.approx(math.exp(-a[1]))
    assert ds["latency"].values[2] == pytest.approx(math.exp(2.0))


def test_recall_draws_match_the_probability():
    stream = EventStream(time=np.arange(40_001.0), item=np.r_[0, np.zeros(40_000, int)],
                         kind=np.r_[STUDY, np.full(40_000, TEST)])
    agent = simulator.ACTR(noise=0.5, threshold=0.2, test_is_presentation=False)
    ds = simulator.run(agent, stream, seed=3)
    p = ds["p_recall"].values[1:]
    hits = ds["recalled"].values[1:].sum()
    assert abs(hits - p.sum()) < 4 * math.sqrt((p * (1 - p)).sum())


def test_tests_count_as_presentations_only_when_asked():
    stream = EventStream(time=[0, 5, 10], item=[0, 0, 0], kind=[STUDY, TEST, TEST])
    counted = simulator.run(simulator.ACTR(), stream, seed=0)
    not_counted = simulator.run(simulator.ACTR(test_is_presentation=False), stream, seed=0)
    assert list(counted["n_prior"].values) == [0, 1, 2]
    assert list(not_counted["n_prior"].values) == [0, 1, 1]
    assert list(counted["lag"].values[1:]) == [5, 5]
    assert list(not_counted["lag"].values[1:]) == [5, 10]


@pytest.mark.parametrize("kwargs, name", [
    (dict(decay=0.0), "decay"),
    (dict(decay=1.0), "decay"),
    (dict(decay=1.5), "decay"),
    (dict(decay="0.5"), "decay"),
    (dict(threshold=np.nan), "threshold"),
    (dict(noise=-0.1), "noise"),
    (dict(latency_factor=-1), "latency_factor"),
    (dict(latency_exponent=-1), "latency_exponent"),
    (dict(age_floor=0), "age_floor"),
    (dict(test_is_presentation="yes"), "test_is_presentation"),
])
def test_bad_parameters_name_themselves_and_their_range(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        simulator.ACTR(**kwargs)


def test_range_message_is_readable():
    with pytest.raises(ValueError, match=r"decay must be in \(0.0, 1.0\), got 1.5"):
        simulator.ACTR(decay=1.5)


def test_agent_is_frozen():
    agent = simulator.ACTR()
    with pytest.raises(AttributeError):
        agent.decay = 0.3
