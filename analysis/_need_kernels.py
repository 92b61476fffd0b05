"""Kernels for the Anderson & Schooler need-probability analysis (arrays and scalars only)."""
import numpy as np

from environments.jit import njit


@njit
def next_need_gap(time, item, n_items):
    """Time from each event to the next event of the same item (inf if none)."""
    n = len(time)
    gap = np.empty(n)
    next_time = np.full(n_items, np.inf)
    for e in range(n - 1, -1, -1):
        i = item[e]
        gap[e] = next_time[i] - time[e]
        next_time[i] = time[e]
    return gap


@njit
def need_counts(time, item, gap, item_rate, lags, window, end):
    """Per lag: needs seen at risk, needs within the window, and needs expected at base rate.

    An event at ``t0`` whose item is next needed ``gap`` later is at risk at lag
    ``L`` if the item was not needed in ``(t0, t0 + L)`` (``gap >= L``) and the
    window ``[t0 + L, t0 + L + window)`` ends by ``end``; it is needed if
    ``gap < L + window``. ``lags`` must be increasing, so the first failing lag
    ends the scan of an event.
    """
    n_lags = len(lags)
    n_at_risk = np.zeros(n_lags, np.int64)
    n_needed = np.zeros(n_lags, np.int64)
    expected = np.zeros(n_lags)
    for e in range(len(time)):
        g = gap[e]
        for k in range(n_lags):
            lag = lags[k]
            if g < lag or time[e] + lag + window > end:
                break
            n_at_risk[k] += 1
            expected[k] += item_rate[item[e]] * window
            if g < lag + window:
                n_needed[k] += 1
    return n_at_risk, n_needed, expected
