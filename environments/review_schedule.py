"""Review schedules of many learners: the times at which a review log's reviews happen."""
import numpy as np

from environments._learner_kernels import group_by_learner
from environments.params import argument, declare_parameters
from environments.schedules import DAY
from environments.seeding import child, generator, seed_attrs, seed_sequence
from environments.stream import TEST, EventStream
from environments.validation import EVENT_BYTES, check_memory


@declare_parameters(
    n_learners=argument(low=1, integer=True, units="count", doc="number of learners"),
    n_items=argument(low=1, integer=True, units="count", doc="items per learner"),
    reviews_per_item=argument(low=1, integer=True, units="count",
                              doc="reviews of each item (the first is its first sight)"),
    min_gap=argument(low=0.0, low_open=True, high=1e12, units="s",
                     doc="shortest gap between reviews"),
    max_gap=argument(low=0.0, low_open=True, high=1e12, units="s",
                     doc="longest gap between reviews"),
    introduction_span=argument(low=0.0, high=1e12, units="s",
                               doc="items are first seen uniformly over this span"))
def review_schedule(n_learners, n_items, reviews_per_item, min_gap=60.0, max_gap=30 * DAY,
                    introduction_span=30 * DAY, seed=None):
    """When each learner reviews each item: a review log's times, without answers.

    Learner ``k`` first sees each of its ``n_items`` items at a time uniform over
    ``introduction_span``; then reviews it ``reviews_per_item - 1`` more times,
    each gap drawn log-uniformly between ``min_gap`` and ``max_gap``, so the log
    holds retention intervals from minutes to weeks, as real review logs do. Every
    event is a TEST (a review, which is also a study); the answers are left open
    (``simulator.simulate_answers`` draws them from a memory model). Items are
    numbered ``k * n_items + i``.

    Parameters
    ----------
    n_learners, n_items, reviews_per_item : int
        >= 1 each.
    min_gap, max_gap : float
        Seconds, 0 < min_gap <= max_gap <= 1e12.
    introduction_span : float
        Seconds, in [0, 1e12].
    seed : int, SeedSequence, Generator or None
        Learner ``k`` draws from child ``k`` of the seed.

    Returns
    -------
    EventStream
        Sorted by time, with ``learner``.
    """
    if min_gap > max_gap:
        raise ValueError(f"min_gap ({min_gap:g} s) must be <= max_gap ({max_gap:g} s)")
    check_memory("n_learners * n_items * reviews_per_item",
                 n_learners * n_items * reviews_per_item,
                 EVENT_BYTES * n_learners * n_items * reviews_per_item, "the review log")
    seed_seq = seed_sequence(seed)
    per_learner = n_items * reviews_per_item
    time = np.empty(n_learners * per_learner)
    item = np.repeat(np.arange(n_learners * n_items), reviews_per_item)
    for k in range(n_learners):
        rng = generator(child(seed_seq, k))
        first = rng.random(n_items) * introduction_span
        gaps = np.exp(rng.uniform(np.log(min_gap), np.log(max_gap),
                                  (n_items, reviews_per_item - 1)))
        times = np.concatenate([first[:, None], first[:, None] + np.cumsum(gaps, axis=1)],
                               axis=1)
        time[k * per_learner:(k + 1) * per_learner] = times.reshape(-1)
    order = np.argsort(time, kind="stable")
    meta = {"generator": "review_schedule", "n_learners": n_learners, "n_items": n_items,
            "reviews_per_item": reviews_per_item, "min_gap": float(min_gap),
            "max_gap": float(max_gap), "introduction_span": float(introduction_span)}
    meta.update(seed_attrs(seed_seq))
    return EventStream(time=time[order], item=item[order],
                       kind=np.full(len(time), TEST, np.int8),
                       learner=(item // n_items)[order], n_items=n_learners * n_items,
                       meta=meta)


def split_learners(stream):
    """``stream`` cut into one stream per learner, items renumbered 0.. within each.

    Parameters
    ----------
    stream : EventStream
        Without ``learner`` the whole stream is one learner, id 0.

    Returns
    -------
    list of (int, EventStream, numpy.ndarray)
        For each learner with events, in id order: its id, its events in stream
        order (items numbered by first appearance), and their positions in
        ``stream``.
    """
    learner = stream.learner
    if learner is None:
        learner = np.zeros(len(stream), np.int64)
    n_learners = int(learner.max()) + 1 if len(learner) else 0
    order, bounds, local_item, n_local = group_by_learner(learner, stream.item, n_learners,
                                                          stream.n_items)
    out = []
    for k in range(n_learners):
        if bounds[k] == bounds[k + 1]:
            continue
        idx = order[bounds[k]:bounds[k + 1]]
        out.append((k, EventStream(
            time=stream.time[idx], item=local_item[bounds[k]:bounds[k + 1]],
            kind=stream.kind[idx], n_items=int(n_local[k]),
            outcome=None if stream.outcome is None else stream.outcome[idx],
            rating=None if stream.rating is None else stream.rating[idx],
            learner=np.full(len(idx), k, np.int64)), idx))
    return out
