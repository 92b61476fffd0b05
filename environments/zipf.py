"""Frequency (Zipf) environment: items needed at fixed rates, with no recency structure."""
import numpy as np

from environments.seeding import generator, seed_attrs, seed_sequence
from environments.params import argument, declare_parameters
from environments.stream import EventStream
from environments.validation import EVENT_BYTES, check_memory


@declare_parameters(
    n_events=argument(low=1, integer=True, units="count", doc="number of events"),
    n_items=argument(low=1, integer=True, units="count", doc="number of items"),
    exponent=argument(low=0.0, doc="Zipf exponent of item frequency vs rank"),
    time_step=argument(low=0.0, low_open=True, high=1e9, units="s",
                       doc="seconds between events"))
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
        Seconds between events, in (0, 1e9].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    EventStream
    """
    check_memory("n_events", n_events, EVENT_BYTES * n_events, "the stream")
    check_memory("n_items", n_items, 16 * n_items, "the item frequencies")
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
