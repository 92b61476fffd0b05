"""Kernels for the power-law recency environment (arrays and scalars only)."""
import numpy as np

from environments.jit import njit


@njit
def power_law_items(rng, n_events, exponent, new_item_prob, n_items):
    """Item sequence of the Anderson & Schooler (1991) recency environment.

    At step t a new item appears with probability ``new_item_prob`` (while the pool
    of ``n_items`` lasts); otherwise a known item is needed, item i with probability
    proportional to ``(t - last_i) ** -exponent`` where ``last_i`` is the step at which
    it was last needed. Every step is the last need of at most one item (a *live*
    step), so this is sampling a live step s < t with weight ``(t - s) ** -exponent``.

    Exact sampling by rejection from a dyadic envelope. Past steps are grouped into
    aligned blocks that grow with age: block ``b`` of level ``j`` is the steps
    ``b * 2**j .. (b + 1) * 2**j - 1``, formed when its two halves (level ``j - 1``)
    merge at time ``(b + 2) * 2**j - 1``; at time t level ``j`` holds block
    ``(t + 1) // 2**j - 2`` and, when that quotient is odd, the block before it, so
    every lag in level ``j`` lies in ``[2**j, 2**(j+2))``. A level is chosen with
    weight ``live_j * 2**(-exponent * j)`` (a bound on its weights), a block in it by
    its live count, a live step in the block uniformly, and the step accepted with
    probability ``(lag / 2**j) ** -exponent``: accepted lags are exactly
    proportional to ``lag ** -exponent`` over the live steps, at any exponent. Each
    block keeps its live steps (with their items) packed at the start of its own
    stretch of ``slots``, so a merge is one sequential copy (each step is copied
    about ``log2(age)`` times in all), and the sampled step, whose slot is known,
    leaves by a swap with the block's last: one cache miss per need at 10^7 steps.
    """
    items = np.empty(n_events, np.int64)
    # each block's live steps, packed: step << 32 | item (both < 2**31)
    slots = np.empty(n_events, np.int64)
    block_live = np.zeros(n_events, np.int32)  # live steps of the block starting here
    n_levels = 2
    while (1 << n_levels) <= n_events:
        n_levels += 1
    level_live = np.zeros(n_levels, np.int64)
    top_weight = np.empty(n_levels)
    for j in range(n_levels):
        top_weight[j] = 2.0 ** (-exponent * j)

    n_known = 0
    for t in range(n_events):
        # blocks whose time has come merge with their younger sibling (2**j divides t + 1)
        j = 1
        while j < n_levels and (t + 1) % (1 << j) == 0:
            b = (t + 1 >> j) - 2
            if b >= 0:
                _merge(slots, block_live, level_live, b << j, j)
            j += 1
        new = n_known == 0 or (n_known < n_items and rng.random() < new_item_prob)
        if new:
            item = n_known
            n_known += 1
        else:
            slot, start, j = _sample_live_slot(rng, t, exponent, level_live, top_weight,
                                               block_live, slots)
            item = slots[slot] & 0xFFFFFFFF
            slots[slot] = slots[start + block_live[start] - 1]
            block_live[start] -= 1
            level_live[j] -= 1
        items[t] = item
        # step t becomes a level-0 block, sampled from the next step on
        slots[t] = (t << 32) | item
        block_live[t] = 1
        level_live[0] += 1
    return items


@njit
def _merge(slots, block_live, level_live, start, level):
    """Merge the two level ``level - 1`` halves of the block at ``start``."""
    half = 1 << (level - 1)
    older = block_live[start]
    younger = block_live[start + half]
    for i in range(younger):
        slots[start + older + i] = slots[start + half + i]
    block_live[start] = older + younger
    level_live[level - 1] -= older + younger
    level_live[level] += older + younger


@njit
def _sample_live_slot(rng, t, exponent, level_live, top_weight, block_live, slots):
    """A live step s < t drawn with weight (t - s) ** -exponent; returns (slot, block start, level)."""
    total = 0.0
    for j in range(len(level_live)):
        total += level_live[j] * top_weight[j]
    while True:
        u = rng.random() * total
        j = 0
        while j < len(level_live) - 1 and u >= level_live[j] * top_weight[j]:
            u -= level_live[j] * top_weight[j]
            j += 1
        if level_live[j] == 0:  # rounding carried u past the last full level: draw again
            continue
        quotient = (t + 1) >> j
        start = (quotient - 2) << j
        if quotient % 2 == 1 and quotient >= 3:
            # two blocks in this level: the older one by its share of the live steps
            older = (quotient - 3) << j
            if rng.random() * level_live[j] < block_live[older]:
                start = older
        live = block_live[start]
        slot = start + min(int(rng.random() * live), live - 1)
        lag = t - (slots[slot] >> 32)
        if exponent == 0.0 or lag == (1 << j):
            return slot, start, j
        if rng.random() < (lag / (1 << j)) ** -exponent:
            return slot, start, j
