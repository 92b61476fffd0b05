"""Kernels for the power-law recency environment (arrays and scalars only)."""
import math

import numpy as np

from ._numba import njit


@njit
def _lag_mass(lag, exponent):
    """Integral of x^-exponent over [lag, lag + 1): the proposal's mass on one lag."""
    if exponent == 1.0:
        return math.log1p(1.0 / lag)
    return ((lag + 1.0) ** (1.0 - exponent) - lag ** (1.0 - exponent)) / (1.0 - exponent)


@njit
def power_law_items(rng, n_events, exponent, new_item_prob, n_items):
    """Item sequence of the Anderson & Schooler (1991) recency environment.

    At step t a new item appears with probability ``new_item_prob`` (while the pool
    of ``n_items`` lasts); otherwise a known item is needed, item i with probability
    proportional to ``(t - last_i) ** -exponent`` where ``last_i`` is the step at which
    it was last needed. Every step is the last need of at most one item, so this is
    sampling a lag L >= 1 with weight L^-exponent among the steps that are still
    some item's last need. Done by rejection: propose x with density ~ x^-exponent
    on [1, t + 1), L = floor(x); accept if step t - L is still a last need, then
    with probability L^-exponent / mass(L) relative to its value at L = 1 so that
    accepted lags are exactly proportional to L^-exponent.
    """
    items = np.empty(n_events, np.int64)
    # owner[s]: the item whose last need is step s, or -1 when it was needed again.
    owner = np.full(n_events, -1, np.int64)
    n_known = 0
    one_minus = 1.0 - exponent
    top_ratio = 1.0 / _lag_mass(1.0, exponent)
    for t in range(n_events):
        new = n_known == 0 or (n_known < n_items and rng.random() < new_item_prob)
        if new:
            item = n_known
            n_known += 1
        else:
            if exponent == 1.0:
                log_span = math.log(t + 1.0)
            else:
                span = (t + 1.0) ** one_minus - 1.0
            while True:
                u = rng.random()
                if exponent == 1.0:
                    x = math.exp(u * log_span)
                else:
                    x = (1.0 + u * span) ** (1.0 / one_minus)
                lag = min(max(int(x), 1), t)
                if owner[t - lag] < 0:
                    continue
                ratio = lag ** -exponent / _lag_mass(float(lag), exponent) / top_ratio
                if ratio >= 1.0 or rng.random() < ratio:
                    break
            item = owner[t - lag]
            owner[t - lag] = -1
        items[t] = item
        owner[t] = item
    return items
