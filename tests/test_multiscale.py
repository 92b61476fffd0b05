"""The multiscale base level's building blocks against closed forms."""
import math

import numpy as np
import pytest

import simulator
from environments import EventStream
from simulator.models.actr._multiscale_kernels import (
    MS_ROW, MS_SCRATCH, MS_TAYLOR, MS_TRACES, decay_factors, decay_traces,
    multiscale_coefficients, multiscale_first, multiscale_present, multiscale_strength)

RATES = 2.0 ** (np.arange(MS_TRACES) - 48)


@pytest.mark.parametrize("age", np.geomspace(1e-3, 1e12, 61))
def test_decay_factors_are_the_exponentials(age):
    factors = np.full(MS_SCRATCH, np.nan)
    decay_factors(multiscale_coefficients(0.5), age, factors)
    # Taylor polynomial (< 8.5e-9), or exp and up to 9 squarings (< 2**9 ulp), or 0 at
    # least 64 e-folds past (exp(-64) < 1e-27)
    np.testing.assert_allclose(factors[:MS_TRACES], np.exp(-RATES * age), rtol=1e-8,
                               atol=1e-27)


def test_decay_factors_at_the_taylor_boundary():
    # ages where some r_j * age is exactly MS_TAYLOR, and one ulp either side: the
    # boundary trace must get the Taylor polynomial or the exp, never 0
    factors = np.empty(MS_SCRATCH)
    coefficients = multiscale_coefficients(0.5)
    for k in range(-9, 49):
        for age in np.nextafter(MS_TAYLOR * 2.0 ** k, [0.0, MS_TAYLOR * 2.0 ** k, np.inf]):
            decay_factors(coefficients, age, factors)
            np.testing.assert_allclose(factors[:MS_TRACES], np.exp(-RATES * age), rtol=1e-8,
                                       atol=1e-27, err_msg=f"age {age!r}")


@pytest.mark.parametrize("decay", [0.2, 0.5, 0.8])
def test_weights_follow_the_trapezoid_rule(decay):
    w = multiscale_coefficients(decay)[:MS_TRACES]
    k = np.arange(1, MS_TRACES) - 48.0
    np.testing.assert_allclose(w[1:], math.log(2) * 2.0 ** (decay * k) / math.gamma(decay),
                               rtol=1e-12)
    tail = math.log(2) / math.gamma(decay) * sum(2.0 ** (decay * (-48.0 - m))
                                                 for m in range(2000))
    assert w[0] == pytest.approx(tail, rel=1e-12)


def test_one_pass_equals_strength_then_presentation():
    rng = np.random.default_rng(5)
    coefficients = multiscale_coefficients(0.5)
    one, two = np.empty(MS_ROW), np.empty(MS_ROW)
    multiscale_first(one, coefficients, 0.5)
    multiscale_first(two, coefficients, 0.5)
    f1, f2 = np.empty(MS_SCRATCH), np.empty(MS_SCRATCH)
    for age in rng.exponential(500.0, 40) + 0.05:
        s2 = multiscale_strength(two, age, 0.05, coefficients, f2, True)
        multiscale_present(two, age, coefficients, f2, True, 0.5)
        decay_factors(coefficients, age, f1)
        s1 = decay_traces(one, f1, coefficients, True)
        assert s1 == pytest.approx(s2, rel=1e-14)
        np.testing.assert_array_equal(one[:MS_TRACES], two[:MS_TRACES])


def test_sum_and_update_kernels_are_their_formulas():
    rng = np.random.default_rng(6)
    row, factors, weights = rng.random((3, MS_TRACES))
    read = row.copy()
    assert decay_traces(read, factors, weights, False) == pytest.approx(np.sum(row * factors),
                                                                        rel=1e-14)
    np.testing.assert_array_equal(read, row)
    updated = row.copy()
    assert decay_traces(updated, factors, weights, True) == pytest.approx(
        np.sum(row * factors), rel=1e-14)
    np.testing.assert_array_equal(updated, row * factors + weights)


@pytest.mark.parametrize("times", [[0.0, 1.0, 1.0], [0.0, 0.06, 0.07], [0.0, 0.05, 0.05],
                                   [0.0, 5.0, 5.0, 5.0, 5.02, 9.0], [0.0, 0.0, 0.0, 0.03]])
@pytest.mark.parametrize("test_is_presentation", [True, False])
def test_reads_within_the_age_floor_of_the_last_presentations(times, test_is_presentation):
    # the presentations at the last instant count at the floor, the older at their ages
    stream = EventStream(time=np.array(times), item=np.zeros(len(times), np.int64),
                         kind=np.r_[0, np.ones(len(times) - 1, np.int64)])
    kwargs = dict(test_is_presentation=test_is_presentation)
    exact = simulator.run(simulator.ACTR(**kwargs), stream, seed=0)["activation"].values
    multi = simulator.run(simulator.ACTR(approximation="multiscale", **kwargs), stream,
                          seed=0)["activation"].values
    np.testing.assert_allclose(multi[1:], exact[1:], rtol=0, atol=1e-5)


def test_presentations_closer_than_the_age_floor_keep_their_true_ages():
    # massed presentations 10 ms apart: read at the floor, aged by the true 10 ms
    times = np.concatenate([np.arange(20) * 0.01, [60.0, 3600.0, 86400.0]])
    stream = EventStream(time=times, item=np.zeros(len(times), np.int64))
    exact = simulator.run(simulator.ACTR(), stream, seed=0)["activation"].values
    multi = simulator.run(simulator.ACTR(approximation="multiscale"), stream,
                          seed=0)["activation"].values
    assert np.max(np.abs(multi[20:] - exact[20:])) <= 1e-5
