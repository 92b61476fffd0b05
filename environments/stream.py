"""EventStream: what an agent meets, as equal-length arrays sorted by time."""
import numbers

import numpy as np
import xarray as xr

STUDY = 0
"""Event kind: the item is presented (studied, or simply needed and met)."""
TEST = 1
"""Event kind: the agent is asked to recall the item first; the answer is recorded."""

KIND_NAMES = {STUDY: "study", TEST: "test"}


class EventStream:
    """An immutable sequence of memory events, sorted by time.

    The arrays are stored read-only (``time`` float64, ``item`` int64, ``kind``
    int8, ``task`` int32, ``context`` int64, ``outcome`` float64, ``rating``
    int8, ``learner`` int64). Bad input raises ``ValueError`` naming the field.

    Parameters
    ----------
    time : array_like of float
        Event times in seconds, finite and non-decreasing.
    item : array_like of int
        Which item each event concerns, ``0 <= item < n_items``.
    kind : array_like of int, optional
        ``STUDY`` (0) or ``TEST`` (1) per event; all ``STUDY`` when omitted.
    task : array_like of int, optional
        The task (or list) each event's item belongs to, ``>= 0``.
    n_items : int, optional
        Size of the item pool; ``max(item) + 1`` when omitted.
    meta : dict, optional
        How the stream was made: generator name, parameters, seed entropy.
    context : array_like of int, optional
        The context (session, basket, playlist) each event happens in, ``>= 0``:
        items met in the same context become associated (ACT-R spreading
        activation from co-occurrence).
    outcome : array_like of float, optional
        The observed answer of each TEST event: 1 recalled, 0 not, NaN where
        nothing was observed (every STUDY event).
    rating : array_like of int, optional
        The grade given with each answer: 0 none, 1 Again, 2 Hard, 3 Good, 4 Easy.
    learner : array_like of int, optional
        The person each event belongs to, ``>= 0``.
    item_ids : array_like, optional
        The original id of each item (``item_ids[item]``), e.g. a review log's card
        ids, so that results can be joined back; ``n_items`` long.
    """

    __slots__ = ("_time", "_item", "_kind", "_task", "_n_items", "_meta", "_context",
                 "_outcome", "_rating", "_learner", "_item_ids")

    def __init__(self, time, item, kind=None, task=None, n_items=None, meta=None,
                 context=None, outcome=None, rating=None, learner=None, item_ids=None):
        time = _as_1d("time", time, np.float64)
        item = _as_integer_1d("item", item, np.int64)
        n = len(time)
        if len(item) != n:
            raise ValueError(f"item must have the same length as time ({n}), got {len(item)}")
        if kind is None:
            kind = np.full(n, STUDY, dtype=np.int8)
        else:
            kind = _as_integer_1d("kind", kind, np.int8)
            if len(kind) != n:
                raise ValueError(f"kind must have the same length as time ({n}), got {len(kind)}")
        if task is not None:
            task = _as_integer_1d("task", task, np.int32)
            if len(task) != n:
                raise ValueError(f"task must have the same length as time ({n}), got {len(task)}")
        if context is not None:
            context = _as_integer_1d("context", context, np.int64)
            if len(context) != n:
                raise ValueError(
                    f"context must have the same length as time ({n}), got {len(context)}")

        outcome, rating, learner = _observations(n, kind, outcome, rating, learner)
        bad = np.flatnonzero(~np.isfinite(time))
        if bad.size:
            raise ValueError(f"time must be finite, got {time[bad[0]]} at event {bad[0]}")
        back = np.flatnonzero(np.diff(time) < 0)
        if back.size:
            e = back[0] + 1
            raise ValueError(
                f"time must be non-decreasing, got {time[e]} after {time[e - 1]} at event {e}"
            )
        if n and item.min() < 0:
            e = int(np.argmin(item))
            raise ValueError(f"item must be >= 0, got {item[e]} at event {e}")
        unknown = np.flatnonzero((kind != STUDY) & (kind != TEST))
        if unknown.size:
            e = unknown[0]
            raise ValueError(
                f"kind must be STUDY (0) or TEST (1), got {kind[e]} at event {e}"
            )
        if task is not None and n and task.min() < 0:
            e = int(np.argmin(task))
            raise ValueError(f"task must be >= 0, got {task[e]} at event {e}")
        if context is not None and n and context.min() < 0:
            e = int(np.argmin(context))
            raise ValueError(f"context must be >= 0, got {context[e]} at event {e}")

        smallest = int(item.max()) + 1 if n else 0
        if n_items is None:
            n_items = smallest
        if (isinstance(n_items, bool) or not isinstance(n_items, numbers.Integral)
                or n_items < smallest):
            raise ValueError(
                f"n_items must be an integer >= {smallest} (the largest item + 1), got {n_items!r}"
            )
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            raise ValueError(f"meta must be a dict, got {type(meta).__name__}")

        if item_ids is not None:
            item_ids = np.asarray(item_ids)
            if item_ids.ndim != 1 or len(item_ids) != n_items:
                raise ValueError(f"item_ids must be one id per item ({n_items}), "
                                 f"got shape {item_ids.shape}")
        for array in (time, item, kind, task, context, outcome, rating, learner, item_ids):
            if array is not None:
                array.flags.writeable = False
        self._time, self._item, self._kind, self._task = time, item, kind, task
        self._context = context
        self._outcome, self._rating, self._learner = outcome, rating, learner
        self._item_ids = item_ids
        self._n_items = int(n_items)
        self._meta = dict(meta)

    time = property(lambda self: self._time, doc="Event times in seconds (float64).")
    item = property(lambda self: self._item, doc="Item of each event (int64).")
    kind = property(lambda self: self._kind, doc="STUDY (0) or TEST (1) per event (int8).")
    task = property(lambda self: self._task, doc="Task of each event (int32), or None.")
    context = property(lambda self: self._context,
                       doc="Context (session) of each event (int64), or None.")
    n_items = property(lambda self: self._n_items, doc="Size of the item pool.")
    outcome = property(lambda self: self._outcome,
                       doc="Observed answer per event (1, 0, NaN: none; float64), or None.")
    rating = property(lambda self: self._rating,
                      doc="Rating per event (0 none, 1 Again .. 4 Easy; int8), or None.")
    learner = property(lambda self: self._learner, doc="Learner of each event (int64), or None.")
    item_ids = property(lambda self: self._item_ids,
                        doc="Original id of each item (``item_ids[item]``), or None.")
    meta = property(lambda self: dict(self._meta), doc="Generator name, parameters, seed entropy.")

    def __len__(self):
        return len(self._time)

    def __repr__(self):
        name = self._meta.get("generator", "hand-made")
        span = f"{self._time[0]:g}..{self._time[-1]:g} s" if len(self) else "empty"
        n_test = int(np.count_nonzero(self._kind == TEST))
        return (f"<EventStream {name}: {len(self)} events ({n_test} tests), "
                f"{self._n_items} items, {span}>")

    def __eq__(self, other):
        if not isinstance(other, EventStream):
            return NotImplemented
        same_task = (self._task is None and other._task is None) or (
            self._task is not None and other._task is not None
            and np.array_equal(self._task, other._task))
        same_context = (self._context is None and other._context is None) or (
            self._context is not None and other._context is not None
            and np.array_equal(self._context, other._context))
        same_observed = all(
            (a is None and b is None) or (a is not None and b is not None
                                          and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
            for a, b in ((self._outcome, other._outcome), (self._rating, other._rating),
                         (self._learner, other._learner), (self._item_ids, other._item_ids)))
        return (same_observed and np.array_equal(self._time, other._time)
                and np.array_equal(self._item, other._item)
                and np.array_equal(self._kind, other._kind)
                and same_task and same_context and self._n_items == other._n_items
                and self._meta == other._meta)

    __hash__ = None

    def to_dataset(self):
        """The stream as an :class:`xarray.Dataset` over dim ``event``; meta in ``attrs``."""
        data = {
            "time": ("event", self._time, {"long_name": "time", "units": "s"}),
            "item": ("event", self._item, {"long_name": "item", "units": "1"}),
            "kind": ("event", self._kind, kind_attrs()),
        }
        if self._task is not None:
            data["task"] = ("event", self._task, {"long_name": "task", "units": "1"})
        if self._context is not None:
            data["context"] = ("event", self._context, {"long_name": "context", "units": "1"})
        if self._outcome is not None:
            data["outcome"] = ("event", self._outcome, {"long_name": "observed answer",
                                                        "units": "1"})
        if self._rating is not None:
            data["rating"] = ("event", self._rating, {"long_name": "rating", "units": "1"})
        if self._learner is not None:
            data["learner"] = ("event", self._learner, {"long_name": "learner", "units": "1"})
        attrs = {"n_items": self._n_items}
        attrs.update(flat_attrs(self._meta, prefix="environment"))
        return xr.Dataset(data, attrs=attrs)


def compact_items(stream):
    """``stream`` with its items renumbered ``0 .. k - 1`` (k distinct items, in id order).

    The original ids are kept: ``item_ids[new] = old`` (composed with the stream's own
    ``item_ids`` when it has them), so results join back; everything else is unchanged.
    A model whose ids carry no meaning then sizes its state by the items met, not by
    the largest id.

    Parameters
    ----------
    stream : EventStream

    Returns
    -------
    EventStream
    """
    ids, item = np.unique(stream.item, return_inverse=True)
    item_ids = ids if stream.item_ids is None else stream.item_ids[ids]
    return EventStream(time=stream.time, item=item.reshape(-1), kind=stream.kind,
                       task=stream.task, n_items=len(ids), meta=stream.meta,
                       context=stream.context, outcome=stream.outcome, rating=stream.rating,
                       learner=stream.learner, item_ids=item_ids)


def _observations(n, kind, outcome, rating, learner):
    """Checked ``outcome``, ``rating`` and ``learner`` arrays (None where not given)."""
    if outcome is not None:
        outcome = _as_1d("outcome", outcome, np.float64)
        if len(outcome) != n:
            raise ValueError(f"outcome must have the same length as time ({n}), "
                             f"got {len(outcome)}")
        bad = np.flatnonzero(~(np.isnan(outcome) | (outcome == 0.0) | (outcome == 1.0)))
        if bad.size:
            raise ValueError(f"outcome must be 0, 1 or NaN, got {outcome[bad[0]]} at event "
                             f"{bad[0]}")
        bad = np.flatnonzero(~np.isnan(outcome) & (kind != TEST))
        if bad.size:
            raise ValueError(f"outcome must be NaN at STUDY events, got {outcome[bad[0]]} at "
                             f"event {bad[0]}")
    if rating is not None:
        rating = _as_integer_1d("rating", rating, np.int8)
        if len(rating) != n:
            raise ValueError(f"rating must have the same length as time ({n}), "
                             f"got {len(rating)}")
        bad = np.flatnonzero((rating < 0) | (rating > 4))
        if bad.size:
            raise ValueError(f"rating must be 0 (none) or 1..4 (Again, Hard, Good, Easy), "
                             f"got {rating[bad[0]]} at event {bad[0]}")
    if learner is not None:
        learner = _as_integer_1d("learner", learner, np.int64)
        if len(learner) != n:
            raise ValueError(f"learner must have the same length as time ({n}), "
                             f"got {len(learner)}")
        if n and learner.min() < 0:
            e = int(np.argmin(learner))
            raise ValueError(f"learner must be >= 0, got {learner[e]} at event {e}")
    return outcome, rating, learner


def kind_attrs():
    """CF flag attrs for the ``kind`` variable."""
    return {
        "long_name": "event kind",
        "units": "1",
        "flag_values": np.array([STUDY, TEST], dtype=np.int8),
        "flag_meanings": "study test",
    }


def flat_attrs(mapping, prefix):
    """Flatten ``mapping`` into NetCDF-safe attrs named ``prefix`` / ``prefix_key``.

    NetCDF attributes hold numbers, strings and 1-D arrays only: booleans become
    0/1, ``None`` the string ``"None"``, and anything else its ``repr``.
    """
    attrs = {}
    for key, value in mapping.items():
        name = prefix if key == "generator" else f"{prefix}_{key}"
        attrs[name] = netcdf_safe(value)
    return attrs


def netcdf_safe(value):
    """A value NetCDF can store as an attribute."""
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (numbers.Integral,)):
        value = int(value)
        return value if -2**63 <= value < 2**63 else str(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.ndim == 1 and array.dtype.kind in "iuf":
            return array
    if value is None:
        return "None"
    return repr(value)


def _as_1d(name, values, dtype):
    try:
        array = np.array(values, dtype=dtype, copy=True)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a 1-D array of numbers: {err}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    return array


def _as_integer_1d(name, values, dtype):
    raw = np.asarray(values)
    if raw.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {raw.shape}")
    if raw.size and raw.dtype.kind not in "iub":
        if raw.dtype.kind != "f" or not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)):
            raise ValueError(f"{name} must hold integers, got dtype {raw.dtype}")
    info = np.iinfo(dtype)
    if raw.size and (raw.min() < info.min or raw.max() > info.max):
        raise ValueError(f"{name} must fit in {np.dtype(dtype).name}, got values up to {raw.max()}")
    return raw.astype(dtype, copy=True)
