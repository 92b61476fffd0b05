"""Kernels for the power-law recency environment (arrays and scalars only)."""
import numpy as np

from ._numba import njit


@njit
def power_law_items(rng, n_events, exponent, new_item_prob, n_items):
    """Item sequence of the Anderson & Schooler (1991) recency environment.

    At step t a new item appears with probability ``new_item_prob`` (while the pool
    of ``n_items`` lasts); otherwise a known item is needed, item i with probability
    proportional to ``(t - last_i) ** -exponent`` where ``last_i`` is the step at which
    it was last needed. Every step is the last need of at most one item (a *live*
    step), so this is sampling a live step s < t with weight ``(t - s) ** -exponent``.

    Exact sampling by rejection from a dyadic envelope: the live steps are kept in
    buckets ``k`` by lag, ``2**k <= lag < 2**(k+1)`` (as time advances, the one step
    whose lag reaches ``2**(k+1)`` moves up a bucket: O(log t) per step); a bucket
    is chosen with weight ``size_k * 2**(-exponent * k)`` (the largest weight in
    it), a live step in it uniformly, and the step accepted with probability
    ``(lag / 2**k) ** -exponent >= 2 ** -exponent``. Accepted lags are then exactly
    proportional to ``lag ** -exponent`` over the live steps, at any exponent.
    """
    items = np.empty(n_events, np.int64)
    # owner[s]: the item whose last need is step s, or -1 once it was needed again.
    owner = np.full(n_events, -1, np.int64)
    n_buckets = 1
    while (1 << n_buckets) <= n_events:
        n_buckets += 1
    # bucket k holds at most 2**k steps (one per lag): slots[2**k - 1 + j], j < size[k]
    slots = np.empty((1 << n_buckets) - 1, np.int32)
    slot_of = np.empty(n_events, np.int32)  # where a live step sits in slots
    size = np.zeros(n_buckets, np.int64)
    top_weight = np.empty(n_buckets)
    for k in range(n_buckets):
        top_weight[k] = 2.0 ** (-exponent * k)

    n_known = 0
    for t in range(n_events):
        new = n_known == 0 or (n_known < n_items and rng.random() < new_item_prob)
        if new:
            item = n_known
            n_known += 1
        else:
            s, k = _sample_live_step(rng, t, exponent, size, top_weight, slots)
            item = owner[s]
            owner[s] = -1
            _bucket_remove(slots, slot_of, size, s, k)
        items[t] = item
        owner[t] = item
        # advance the clock: every lag grows by one, so the step at lag 2**(k+1) - 1
        # moves from bucket k to k + 1 if it is live (oldest bucket first, so no
        # bucket ever holds more than its 2**k lags); step t enters bucket 0 at lag 1
        k = 0
        while (4 << k) - 1 <= t:
            k += 1
        while k >= 0:
            s = t + 1 - (2 << k)
            if s >= 0 and owner[s] >= 0:
                _bucket_remove(slots, slot_of, size, s, k)
                _bucket_add(slots, slot_of, size, s, k + 1)
            k -= 1
        _bucket_add(slots, slot_of, size, t, 0)
    return items


@njit
def _sample_live_step(rng, t, exponent, size, top_weight, slots):
    """A live step s < t drawn with weight (t - s) ** -exponent; returns (s, bucket)."""
    total = 0.0
    for k in range(len(size)):
        total += size[k] * top_weight[k]
    while True:
        u = rng.random() * total
        k = 0
        while k < len(size) - 1 and u >= size[k] * top_weight[k]:
            u -= size[k] * top_weight[k]
            k += 1
        if size[k] == 0:  # rounding carried u past the last full bucket: draw again
            continue
        s = slots[(1 << k) - 1 + min(int(rng.random() * size[k]), size[k] - 1)]
        lag = t - s
        if exponent == 0.0 or lag == (1 << k):
            return s, k
        if rng.random() < (lag / (1 << k)) ** -exponent:
            return s, k


@njit
def _bucket_add(slots, slot_of, size, step, k):
    where = (1 << k) - 1 + size[k]
    slots[where] = step
    slot_of[step] = where
    size[k] += 1


@njit
def _bucket_remove(slots, slot_of, size, step, k):
    """Remove ``step`` from bucket k by moving the bucket's last step into its slot."""
    last = slots[(1 << k) - 1 + size[k] - 1]
    where = slot_of[step]
    slots[where] = last
    slot_of[last] = where
    size[k] -= 1
