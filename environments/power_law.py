"""Power-law recency environment (Anderson & Schooler 1991)."""
import numpy as np

from environments._power_law_kernels import power_law_items
from environments.seeding import generator, seed_attrs, seed_sequence
from environments.params import argument, declare_parameters
from environments.stream import EventStream
from environments.validation import EVENT_BYTES, check_memory


@declare_parameters(
    # the sampler indexes steps with int32
    n_events=argument(low=1, high=2**31 - 1, integer=True, units="count",
                      doc="number of events"),
    exponent=argument(low=0.0, doc="exponent of need probability vs time since last need"),
    new_item_prob=argument(low=0.0, high=1.0, doc="probability an event introduces a new item"),
    n_items=argument(low=1, integer=True, optional=True, units="count",
                     doc="size of the item pool"),
    time_step=argument(low=0.0, low_open=True, high=1e9, units="s",
                       doc="seconds between events"))
def power_law(n_events, exponent=1.0, new_item_prob=0.05, n_items=None, time_step=1.0,
              seed=None):
    """A stream in which need probability falls as a power of time since last need.

    Anderson & Schooler (1991, Psychological Science 2) found that in newspaper
    headlines, speech to children and e-mail, the probability that an item is
    needed falls as a power function of the time since it was last needed. Here one
    item is needed every ``time_step`` seconds: a new item with probability
    ``new_item_prob`` (while the pool lasts), otherwise a known item ``i`` with
    probability proportional to ``(t - last_i) ** -exponent``. All events are
    ``STUDY`` events: each need is a presentation.

    Parameters
    ----------
    n_events : int
        Number of events, in 1 .. 2**31 - 1.
    exponent : float
        Power-law exponent of need probability vs time since last need, >= 0
        (0: every known item equally likely, no recency structure).
    new_item_prob : float
        Probability that an event introduces a new item, in [0, 1].
    n_items : int, optional
        Size of the item pool (>= 1); once every item has appeared only known items
        recur. Unbounded when omitted.
    time_step : float
        Seconds between events, in (0, 1e9].
    seed : int, SeedSequence, Generator or None
        Source of randomness; its entropy is stored in ``meta``.

    Returns
    -------
    EventStream
    """
    check_memory("n_events", n_events, (EVENT_BYTES + 32) * n_events,
                 "the stream and its live-item slots")
    seed_seq = seed_sequence(seed)

    pool = n_events if n_items is None else min(n_items, n_events)
    items = power_law_items(generator(seed_seq), n_events, float(exponent),
                            float(new_item_prob), pool)
    meta = {
        "generator": "power_law",
        "n_events": n_events,
        "exponent": float(exponent),
        "new_item_prob": float(new_item_prob),
        "n_items": n_items,
        "time_step": float(time_step),
    }
    meta.update(seed_attrs(seed_seq))
    n_items_out = n_items if n_items is not None else int(items.max()) + 1
    return EventStream(time=np.arange(n_events) * float(time_step), item=items,
                       n_items=n_items_out, meta=meta)
