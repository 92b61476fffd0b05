"""Open-loop study schedules: massed, spaced, expanding and view-batch, with delayed tests.

Every schedule gives each item the same pattern of STUDY events, shifted in time
from one item to the next, and (optionally for view-batch) one TEST event per item
a chosen retention interval after its last presentation. The retention intervals
are dealt to the items in turn (item ``i`` gets ``retention_intervals[i % k]``), so
one stream holds a between-items design over all intervals. Times are in seconds;
:data:`MINUTE`, :data:`HOUR`, :data:`DAY`, :data:`WEEK` and :func:`minutes`,
:func:`hours`, :func:`days` convert.
"""
import numpy as np

from environments.validation import EVENT_BYTES, check_memory, check_number
from environments.stream import STUDY, TEST, EventStream

MINUTE = 60.0
"""Seconds in a minute."""
HOUR = 3600.0
"""Seconds in an hour."""
DAY = 86400.0
"""Seconds in a day."""
WEEK = 7 * DAY
"""Seconds in a week."""


def minutes(n):
    """``n`` minutes in seconds.

    Parameters
    ----------
    n : float or array_like
        Number of minutes.

    Returns
    -------
    float or numpy.ndarray
        ``60 n`` seconds.
    """
    return np.multiply(n, MINUTE)


def hours(n):
    """``n`` hours in seconds.

    Parameters
    ----------
    n : float or array_like
        Number of hours.

    Returns
    -------
    float or numpy.ndarray
        ``3600 n`` seconds.
    """
    return np.multiply(n, HOUR)


def days(n):
    """``n`` days in seconds.

    Parameters
    ----------
    n : float or array_like
        Number of days.

    Returns
    -------
    float or numpy.ndarray
        ``86400 n`` seconds.
    """
    return np.multiply(n, DAY)


def massed(n_items, repetitions, retention_intervals, presentation_time=1.0):
    """Each item presented ``repetitions`` times back to back, then tested.

    Presentations of an item follow each other every ``presentation_time`` seconds;
    item ``i`` starts when item ``i - 1`` has finished
    (``i * repetitions * presentation_time``), so the items' massed runs do not
    overlap. See the module docstring for the tests.

    Parameters
    ----------
    n_items : int
        Number of items, >= 1.
    repetitions : int
        Presentations per item, >= 1.
    retention_intervals : float or sequence of float
        Seconds from an item's last presentation to its TEST, dealt to the items in
        turn; each > 0, at most ``n_items`` of them.
    presentation_time : float
        Seconds one presentation takes, > 0.

    Returns
    -------
    EventStream
        STUDY events and one TEST event per item (times in seconds), sorted by time;
        ``meta`` records the schedule and its parameters.
    """
    n_items, repetitions, intervals, presentation_time = _check_common(
        n_items, repetitions, retention_intervals, presentation_time)
    onsets = np.arange(repetitions) * presentation_time
    meta = {"generator": "massed", "repetitions": repetitions}
    return _schedule_stream(onsets, n_items, repetitions * presentation_time, intervals,
                            presentation_time, meta)


def spaced(n_items, repetitions, gap, retention_intervals, presentation_time=1.0):
    """Each item presented ``repetitions`` times, ``gap`` seconds apart (onset to onset), then tested.

    Item ``i`` starts at ``i * presentation_time``: the items are studied as a list,
    and a ``gap`` of at least ``n_items * presentation_time`` keeps the lists from
    overlapping.

    Parameters
    ----------
    n_items : int
        Number of items, >= 1.
    repetitions : int
        Presentations per item, >= 1.
    gap : float
        Seconds from one presentation's onset to the next, >= ``presentation_time``.
    retention_intervals : float or sequence of float
        Seconds from an item's last presentation to its TEST, dealt to the items in
        turn; each > 0, at most ``n_items`` of them.
    presentation_time : float
        Seconds one presentation takes, > 0.

    Returns
    -------
    EventStream
        STUDY events and one TEST event per item (times in seconds), sorted by time;
        ``meta`` records the schedule and its parameters.
    """
    n_items, repetitions, intervals, presentation_time = _check_common(
        n_items, repetitions, retention_intervals, presentation_time)
    gap = check_number("gap", gap, presentation_time, None)
    onsets = np.arange(repetitions) * float(gap)
    meta = {"generator": "spaced", "repetitions": repetitions, "gap": float(gap)}
    return _schedule_stream(onsets, n_items, presentation_time, intervals, presentation_time,
                            meta)


def expanding(n_items, repetitions, first_gap, ratio, retention_intervals,
              presentation_time=1.0):
    """Gaps between an item's presentations grow geometrically: ``first_gap * ratio ** m``.

    Expanding retrieval practice (Landauer & Bjork 1978): the ``m``-th gap
    (``m = 0 .. repetitions - 2``) is ``first_gap * ratio ** m``; ``ratio = 1`` is
    :func:`spaced`, ``ratio < 1`` a contracting schedule. Every gap must be at
    least ``presentation_time``. Item ``i`` starts at ``i * presentation_time``.

    Parameters
    ----------
    n_items : int
        Number of items, >= 1.
    repetitions : int
        Presentations per item, >= 1.
    first_gap : float
        Seconds between the first two presentations (onset to onset).
    ratio : float
        Growth factor of successive gaps, > 0.
    retention_intervals : float or sequence of float
        Seconds from an item's last presentation to its TEST, dealt to the items in
        turn; each > 0, at most ``n_items`` of them.
    presentation_time : float
        Seconds one presentation takes, > 0.

    Returns
    -------
    EventStream
        STUDY events and one TEST event per item (times in seconds), sorted by time;
        ``meta`` records the schedule and its parameters.
    """
    n_items, repetitions, intervals, presentation_time = _check_common(
        n_items, repetitions, retention_intervals, presentation_time)
    first_gap = check_number("first_gap", first_gap, presentation_time, None)
    ratio = check_number("ratio", ratio, 0.0, None, low_open=True)
    gaps = float(first_gap) * float(ratio) ** np.arange(repetitions - 1)
    if len(gaps) and gaps.min() < presentation_time:
        raise ValueError(f"ratio must keep every gap >= presentation_time "
                         f"({presentation_time:g} s), got ratio {ratio!r} "
                         f"(smallest gap {gaps.min():g} s)")
    onsets = np.concatenate([[0.0], np.cumsum(gaps)])
    meta = {"generator": "expanding", "repetitions": repetitions,
            "first_gap": float(first_gap), "ratio": float(ratio)}
    return _schedule_stream(onsets, n_items, presentation_time, intervals, presentation_time,
                            meta)


def view_batch(n_items, views, cycles, recall_interval=None, retention_intervals=None,
               presentation_time=1.0):
    """View-batch replay: each item seen ``views`` times in a row, then rested.

    After Kang et al. (CVPR 2025, "Do your best and get enough rest"): a batch of an
    item is ``views`` consecutive presentations; ``cycles`` batches per item, so
    each item gets ``views * cycles`` presentations. The *recall interval* is an
    item's rest: from the end of its last view in one batch to its first view in
    the next. By default the items take turns (item 0's batch, item 1's, ...), so
    the rest is the time the other items' batches take,
    ``views * (n_items - 1) * presentation_time``: ``views`` times the rest of the
    one-view cycle, while ``view_batch(n, views, cycles)`` and
    ``view_batch(n, 1, views * cycles)`` present the same total. ``recall_interval``
    sets the rest explicitly (item ``i``'s batch ``c`` then starts at
    ``(i * views + c * (views + rest / presentation_time)) * presentation_time``;
    a short rest makes items overlap in time). ``retention_intervals``, if given,
    adds a TEST of each item that long after its last presentation.

    Parameters
    ----------
    n_items : int
        Number of items, >= 1.
    views : int
        Consecutive presentations in one batch, >= 1.
    cycles : int
        Batches per item, >= 1.
    recall_interval : float, optional
        Rest (s) from the end of an item's batch to its next batch; default: the
        other items' batches.
    retention_intervals : float or sequence of float, optional
        Seconds from an item's last presentation to a TEST, dealt to the items in
        turn; default: no TEST events.
    presentation_time : float
        Seconds one presentation takes, > 0.

    Returns
    -------
    EventStream
        STUDY events (and TEST events if ``retention_intervals`` is given), sorted
        by time; ``meta`` records the schedule and its parameters.
    """
    n_items = check_number("n_items", n_items, 1, None, integer=True)
    views = check_number("views", views, 1, None, integer=True)
    cycles = check_number("cycles", cycles, 1, None, integer=True)
    presentation_time = float(check_number("presentation_time", presentation_time, 0.0, None,
                                           low_open=True))
    if recall_interval is None:
        recall_interval = views * (n_items - 1) * presentation_time
    recall_interval = float(check_number("recall_interval", recall_interval, 0.0, None))
    check_memory("n_items * views * cycles", n_items * views * cycles,
                 EVENT_BYTES * n_items * (views * cycles + 1), "the schedule")
    intervals = None
    if retention_intervals is not None:
        intervals = _check_intervals(retention_intervals, n_items)
    batch_onsets = np.arange(cycles) * (views * presentation_time + recall_interval)
    onsets = (batch_onsets[:, None] + np.arange(views) * presentation_time).reshape(-1)
    meta = {"generator": "view_batch", "views": views, "cycles": cycles,
            "recall_interval": recall_interval}
    return _schedule_stream(onsets, n_items, views * presentation_time, intervals,
                            presentation_time, meta)


def _schedule_stream(onsets, n_items, item_offset, intervals, presentation_time, meta):
    """Item ``i`` studied at ``i * item_offset + onsets``, tested after its last onset."""
    starts = np.arange(n_items) * float(item_offset)
    study_time = (starts[:, None] + onsets).reshape(-1)
    study_item = np.repeat(np.arange(n_items), len(onsets))
    time, item = [study_time], [study_item]
    kind = [np.full(len(study_time), STUDY)]
    if intervals is not None:
        assigned = intervals[np.arange(n_items) % len(intervals)]
        time.append(starts + onsets[-1] + assigned)
        item.append(np.arange(n_items))
        kind.append(np.full(n_items, TEST))
    time, item, kind = np.concatenate(time), np.concatenate(item), np.concatenate(kind)
    order = np.argsort(time, kind="stable")
    meta = dict(meta, n_items=n_items, presentation_time=presentation_time,
                retention_intervals=None if intervals is None else tuple(intervals.tolist()))
    return EventStream(time=time[order], item=item[order], kind=kind[order], n_items=n_items,
                       meta=meta)


def _check_common(n_items, repetitions, retention_intervals, presentation_time):
    n_items = check_number("n_items", n_items, 1, None, integer=True)
    repetitions = check_number("repetitions", repetitions, 1, None, integer=True)
    presentation_time = float(check_number("presentation_time", presentation_time, 0.0, None,
                                           low_open=True))
    check_memory("n_items * repetitions", n_items * repetitions,
                 EVENT_BYTES * n_items * (repetitions + 1), "the schedule")
    return n_items, repetitions, _check_intervals(retention_intervals, n_items), presentation_time


def _check_intervals(retention_intervals, n_items):
    try:
        intervals = np.array(retention_intervals, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"retention_intervals must be an array of times in seconds, "
                         f"got {retention_intervals!r}") from None
    if len(intervals) == 0 or not np.all(np.isfinite(intervals)) or np.any(intervals <= 0):
        raise ValueError("retention_intervals must be a non-empty array of times > 0 s")
    if len(intervals) > n_items:
        raise ValueError(f"retention_intervals must not outnumber the items ({n_items}), "
                         f"got {len(intervals)}")
    return intervals
