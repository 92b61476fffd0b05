"""Ebisu's equations (Fasih 2017-2024, ebisu 2.x) as the memory-model protocol's entry points.

An item's memory is a Beta(alpha, beta) prior on its recall probability ``t``
days after its last review. Recall after ``t_now`` days: with ``delta = t_now /
t``, ``p^delta`` has expectation ``B(alpha + delta, beta) / B(alpha, beta)``. A
quiz updates the prior by Bayes' rule; the posterior's first two moments at a
time ``t_back`` are matched by a new Beta, and ``t_back`` is chosen where the
posterior mean is 1/2 (ebisu's rebalancing, so ``t`` stays the half-life).

``params`` (:meth:`simulator.Ebisu.kernel_params`): ``(alpha, beta, half_life)``
of a new item's prior (half-life in days). ``state``: ``(alpha, beta, t, last)``
per item (``last`` in seconds, NaN before the first study).
"""
import math

import numpy as np

from environments.jit import njit

DAY = 86400.0


@njit(inline="always")
def log_beta(a, b):
    """``ln B(a, b)``."""
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@njit
def expected_recall(alpha, beta, t, elapsed_days):
    """``E[p_t ** (t_now / t)] = B(alpha + delta, beta) / B(alpha, beta)``."""
    # at most 1 exactly (B(a + d, b) <= B(a, b) for d >= 0); the lgamma differences round
    return min(math.exp(log_beta(alpha + elapsed_days / t, beta) - log_beta(alpha, beta)), 1.0)


@njit
def log_moment(alpha, beta, delta, success, n, et):
    """ln of the posterior's ``n``-th moment of recall ``et * t_now`` days after the
    review (ebisu's ``moment(N, et)`` for a binary quiz), with ``delta = t_now / t``."""
    shift = n * delta * et
    if success:
        return log_beta(alpha + delta + shift, beta) - log_beta(alpha + delta, beta)
    # failure: (B(a + shift) - B(a + delta + shift)) / (B(a) - B(a + delta))
    top = log_beta(alpha + shift, beta)
    top += math.log1p(-math.exp(log_beta(alpha + delta + shift, beta) - top))
    bottom = log_beta(alpha, beta)
    bottom += math.log1p(-math.exp(log_beta(alpha + delta, beta) - bottom))
    return top - bottom


@njit
def half_life_factor(alpha, beta, delta, success):
    """The ``et`` where the posterior mean is 1/2 (the mean falls with ``et``):
    bracketed geometrically from ``1 / delta``, then refined by the Illinois
    (regula falsi) method to machine precision."""
    target = math.log(0.5)
    low = high = 1.0 / delta
    f_low = f_high = log_moment(alpha, beta, delta, success, 1, low) - target
    while f_low <= 0.0:
        low /= 2.0
        f_low = log_moment(alpha, beta, delta, success, 1, low) - target
    while f_high >= 0.0:
        high *= 2.0
        f_high = log_moment(alpha, beta, delta, success, 1, high) - target
    side = 0
    for _ in range(200):
        x = (low * f_high - high * f_low) / (f_high - f_low)
        if not (low < x < high):
            x = 0.5 * (low + high)
        f = log_moment(alpha, beta, delta, success, 1, x) - target
        if f == 0.0 or high - low <= 1e-15 * high:
            return x
        if f > 0.0:
            low, f_low = x, f
            if side == 1:
                f_high *= 0.5
            side = 1
        else:
            high, f_high = x, f
            if side == -1:
                f_low *= 0.5
            side = -1
    return 0.5 * (low + high)


@njit
def updated_prior(alpha, beta, t, elapsed_days, success):
    """Ebisu's rebalanced posterior after a binary quiz ``elapsed_days`` after the last
    review: ``(alpha', beta', t')`` with ``t'`` the posterior half-life."""
    delta = elapsed_days / t
    et = half_life_factor(alpha, beta, delta, success)
    mean = math.exp(log_moment(alpha, beta, delta, success, 1, et))
    second = math.exp(log_moment(alpha, beta, delta, success, 2, et))
    var = second - mean * mean
    scale = mean * (1.0 - mean) / var - 1.0
    return mean * scale, (1.0 - mean) * scale, et * elapsed_days


@njit
def predict(params, state, item, now):
    """Expected recall (0 before the first study)."""
    alpha, beta, t, last = state
    if math.isnan(last[item]):
        return 0.0
    return expected_recall(alpha[item], beta[item], t[item], (now - last[item]) / DAY)


@njit
def learn(params, state, item, now, outcome, rating):
    """The first event sets the prior; a later answered quiz updates it (ebisu's
    ``updateRecall`` with ``total = 1``, rebalanced); a study of a known item, or a
    quiz at the very time of the last one, changes nothing."""
    alpha, beta, t, last = state
    if math.isnan(last[item]):
        alpha[item], beta[item], t[item] = params[0], params[1], params[2]
        last[item] = now
    elif not math.isnan(outcome) and now > last[item]:
        alpha[item], beta[item], t[item] = updated_prior(
            alpha[item], beta[item], t[item], (now - last[item]) / DAY, outcome > 0.5)
        last[item] = now
    return state


@njit
def observe(params, state, item, now, out):
    """The prior's ``alpha``, ``beta`` and half-life ``t`` (days) of ``item``."""
    out[0] = state[0][item]
    out[1] = state[1][item]
    out[2] = state[2][item]


@njit
def retention_time(params, state, item, now, target):
    """When expected recall falls to ``target``: bisection on ``delta`` in
    ``B(alpha + delta, beta) / B(alpha, beta) = target``."""
    alpha, beta, t, last = state
    if math.isnan(last[item]):
        return now
    goal = math.log(target) + log_beta(alpha[item], beta[item])
    low, high = 0.0, 1.0
    while log_beta(alpha[item] + high, beta[item]) > goal:
        high *= 2.0
        if high > 1e12:
            return math.inf
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid <= low or mid >= high:
            break
        if log_beta(alpha[item] + mid, beta[item]) > goal:
            low = mid
        else:
            high = mid
    return max(now, last[item] + high * t[item] * DAY)


def new_state(n_items):
    return (np.full(n_items, np.nan), np.full(n_items, np.nan), np.full(n_items, np.nan),
            np.full(n_items, np.nan))
