"""Frequency (Zipf) environment: items needed at fixed rates, with no recency structure."""
import numpy as np

from environments.seeding import generator, seed_attrs, seed_sequence
from environments.units import parameter_units
from environments.validation import check_number
from environments.stream import EventStream


@parameter_units(n_events="events", n_items="items", exponent="1", time_step="s")
def zipf(n_events, n_items, exponent=1.0, time_step=1.0, seed=None):
    """A stream of independent needs whose item frequencies follow Zipf's law.

    Each event, one of ``n_items`` items is needed, item ``i`` (rank ``i + 1``) with
    probability proportional to ``(i + 1) ** -exponent`` (Zipf 1949), independently
    of the past. The contrast to :func:`environments.power_law`: need odds depend on
    an item's frequency only, not on the time since it was last needed, so each
    item's need probability is flat in that time (Anderson & Schooler 1991 separate
    the two effects; pooled over items of different frequency, need probability
    still falls with lag because the frequent items drop out of the long lags;
    ``analysis.need_probability``'s ``need_ratio`` corrects for this).

    Parameters
    ----------
    n_events : int
        Number of events, >= 1.
    n_items : int
        Number of items, >= 1.
    exponent : float
        Zipf exponent, >= 0 (0: every item equally likely).
    time_step : float
        Seconds between events, > 0.
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
    """
    n_events = check_number("n_events", n_events, 1, None, integer=True)
    n_items = check_number("n_items", n_items, 1, None, integer=True)
    exponent = check_number("exponent", exponent, 0.0, None)
    time_step = check_number("time_step", time_step, 0.0, None, low_open=True)
    seed_seq = seed_sequence(seed)
    cumulative = np.cumsum(np.arange(1, n_items + 1, dtype=np.float64) ** -float(exponent))
    draws = generator(seed_seq).random(n_events) * cumulative[-1]
    # inverse-CDF sampling; the clip guards the (measure-zero) draw equal to the total
    items = np.minimum(np.searchsorted(cumulative, draws, side="right"), n_items - 1)
    meta = {
        "generator": "zipf",
        "n_events": n_events,
        "n_items": n_items,
        "exponent": float(exponent),
        "time_step": float(time_step),
    }
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=np.arange(n_events) * float(time_step), item=items,
                       n_items=n_items, meta=meta)
