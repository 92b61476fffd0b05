"""Review logs in and out: the data spaced-repetition users have, as EventStreams.

Layouts read (:func:`read_revlog`):

- the FSRS optimizer / srs-benchmark review log, CSV or parquet: one row per
  review, columns ``card_id``, ``review_time`` (ms since the epoch),
  ``review_rating`` (or ``rating``; 1 Again, 2 Hard, 3 Good, 4 Easy), optional
  ``user_id``, ``review_duration`` (ms), ``review_state`` (Anki's revlog type:
  0 learning, 1 review, 2 relearning, 3 filtered/cram, 4 manual) and
  ``review_th`` (the review's index, used to order reviews at the same time);
- an Anki collection (``collection.anki2`` / ``.anki21``, SQLite), table
  ``revlog``: ``id`` (ms since the epoch), ``cid`` (card id), ``ease`` (1-4; 0 a
  manual reschedule), ``type`` (as ``review_state``), ``time`` (answer time, ms);
  read with :mod:`sqlite3`, read-only;
- a tidy :class:`pandas.DataFrame` with ``learner``, ``item``, ``time`` (s),
  ``outcome`` (1 recalled, 0 not) and optional ``rating``.

Each review becomes a TEST event carrying the observed outcome (a rating above
Again is a recall, as in FSRS) and the rating; the review is also the study it
implies (memory models learn from a test: ACT-R with ``test_is_presentation``,
FSRS from the rating). Manual reschedules and filtered/cram reviews are dropped,
as the FSRS optimizer drops them, and counted in ``meta``. Items and learners get
compact ids (``0 .. n - 1``); the original ids are kept (``stream.item_ids``,
``meta["learner_ids"]``).
"""
import logging
import os
import pathlib
import sqlite3

import numpy as np

from environments.stream import TEST, EventStream

logger = logging.getLogger("cogmemsim.revlog")

RATINGS = (1, 2, 3, 4)
"""Again, Hard, Good, Easy."""
CRAM, MANUAL = 3, 4
"""Anki revlog types dropped as the FSRS optimizer drops them."""
ANKI_SUFFIXES = (".anki2", ".anki21")


def read_revlog(source, lazy=False):
    """Read a review log into an :class:`EventStream` of observed TEST events.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A ``.csv`` or ``.parquet`` review log (FSRS optimizer / srs-benchmark
        layout; a folder of ``.parquet`` files is one log), an Anki collection
        (``.anki2``/``.anki21``), or a tidy DataFrame (see the module docstring).
    lazy : bool
        Parquet only: open the log without reading its reviews and return a
        :class:`~environments.revlog_dataset.RevlogDataset`, which lists the
        learners and reads one learner at a time (for logs larger than memory;
        each file must hold whole learners, as :func:`write_revlog` writes them).

    Returns
    -------
    EventStream or RevlogDataset
        Sorted by time; ``outcome``, ``rating``, ``learner`` and ``item_ids`` set;
        ``meta`` holds the source, ``learner_ids``, and the numbers of reviews read
        and dropped (``n_dropped_manual``, ``n_dropped_cram``).
    """
    import pandas as pd

    if lazy:
        from environments.revlog_dataset import RevlogDataset
        if isinstance(source, (str, os.PathLike)) and (
                pathlib.Path(source).is_dir()
                or pathlib.Path(source).suffix.lower() == ".parquet"):
            return RevlogDataset(source)
        raise ValueError(f"lazy=True reads a .parquet file or a folder of them, "
                         f"got {source!r}")

    if isinstance(source, pd.DataFrame):
        return _from_tidy(source, "DataFrame")
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(f"source must be a review-log path or a pandas DataFrame, "
                         f"got {type(source).__name__}")
    path = pathlib.Path(source)
    if not path.exists():
        raise ValueError(f"source {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix in ANKI_SUFFIXES:
        frame, dropped = _read_anki(path)
    elif suffix == ".csv":
        frame, dropped = _drop_unused(_read_table(path, pd.read_csv))
    elif suffix == ".parquet" or path.is_dir():
        frame, dropped = _drop_unused(_read_table(path, pd.read_parquet))
    else:
        raise ValueError(f"source {str(path)!r} is not a review log: expected a .csv or "
                         f".parquet file (FSRS optimizer layout) or an Anki collection "
                         f"(.anki2, .anki21)")
    return _from_fsrs_layout(frame, str(path), dropped)


def _read_table(path, reader):
    try:
        return reader(path)
    except ImportError as err:
        raise ValueError(f"reading {path.name} needs {err.name or 'pyarrow'}: "
                         f"pip install pyarrow") from None
    except Exception as err:  # a parser's own error: say what the file is not
        raise ValueError(f"{path.name} is not a readable review log: {err}") from None


def _read_anki(path):
    import pandas as pd

    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
            frame = pd.read_sql_query(
                "SELECT id AS review_time, cid AS card_id, ease AS review_rating, "
                "type AS review_state, time AS review_duration FROM revlog ORDER BY id", db)
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as err:
        raise ValueError(f"{path.name} is not an Anki collection with a revlog table: "
                         f"{err}") from None
    manual = (frame["review_rating"] == 0).to_numpy()
    frame = frame[~manual]
    frame, dropped = _drop_unused(frame)
    dropped["manual"] += int(manual.sum())
    return frame, dropped


def _drop_unused(frame):
    """Drop manual reschedules and filtered/cram reviews; count what went."""
    dropped = {"manual": 0, "cram": 0}
    if "review_state" in frame.columns:
        state = frame["review_state"].to_numpy()
        dropped["manual"] = int(np.count_nonzero(state == MANUAL))
        dropped["cram"] = int(np.count_nonzero(state == CRAM))
        frame = frame[(state != MANUAL) & (state != CRAM)]
    return frame, dropped


def _column(frame, names, where):
    for name in names:
        if name in frame.columns:
            return name
    raise ValueError(f"{where} has no column {' or '.join(map(repr, names))} "
                     f"(columns: {', '.join(map(str, frame.columns))})")


def _from_fsrs_layout(frame, name, dropped):
    card = _column(frame, ("card_id",), name)
    time_column = _column(frame, ("review_time",), name)
    rating_column = _column(frame, ("review_rating", "rating"), name)
    rows = np.arange(len(frame))
    user = frame["user_id"].to_numpy() if "user_id" in frame.columns else np.zeros(len(frame),
                                                                                  np.int64)
    rating = _numbers(frame[rating_column].to_numpy(), rating_column, rows)
    bad = np.flatnonzero(~np.isin(rating, RATINGS))
    if bad.size:
        raise ValueError(f"column {rating_column!r} must hold ratings 1-4 (Again, Hard, Good, "
                         f"Easy), got {rating[bad[0]]:g} at row {rows[bad[0]]}")
    time = _numbers(frame[time_column].to_numpy(), time_column, rows) / 1000.0
    order = frame["review_th"].to_numpy() if "review_th" in frame.columns else rows
    stream = _build(user, frame[card].to_numpy(), time, (rating > 1).astype(np.float64),
                    rating.astype(np.int8), order, rows, card, time_column, name)
    meta = stream.meta
    meta.update(n_dropped_manual=dropped["manual"], n_dropped_cram=dropped["cram"])
    if dropped["manual"] or dropped["cram"]:
        logger.info("%s: dropped %d manual reschedules and %d filtered/cram reviews", name,
                    dropped["manual"], dropped["cram"])
    return _with_meta(stream, meta)


def _from_tidy(frame, name):
    for column in ("learner", "item", "time", "outcome"):
        _column(frame, (column,), name)
    rows = np.arange(len(frame))
    outcome = _numbers(frame["outcome"].to_numpy(), "outcome", rows).astype(np.float64)
    bad = np.flatnonzero((outcome != 0.0) & (outcome != 1.0))
    if bad.size:
        raise ValueError(f"column 'outcome' must hold 0 or 1, got {outcome[bad[0]]:g} at "
                         f"row {bad[0]}")
    if "rating" in frame.columns:
        rating = _numbers(frame["rating"].to_numpy(), "rating", rows)
        bad = np.flatnonzero(~np.isin(rating, (0,) + RATINGS))
        if bad.size:
            raise ValueError(f"column 'rating' must hold 0 (none) or 1-4, got "
                             f"{rating[bad[0]]:g} at row {bad[0]}")
    else:
        rating = np.zeros(len(frame), np.int8)
    time = _numbers(frame["time"].to_numpy(), "time", rows).astype(np.float64)
    return _build(frame["learner"].to_numpy(), frame["item"].to_numpy(), time, outcome,
                  rating.astype(np.int8), rows, rows, "item", "time", name)


def _numbers(values, column, rows):
    try:
        values = np.asarray(values, np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"column {column!r} must hold numbers") from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(f"column {column!r} must hold finite numbers, got {values[bad[0]]:g} "
                         f"at row {rows[bad[0]]}")
    return values


def _build(user, card, time, outcome, rating, order, rows, card_column, time_column, name):
    """Compact ids, checks per card, then one stream sorted by time."""
    if len(time) == 0:
        raise ValueError(f"{name} holds no reviews")
    learner_ids, learner = np.unique(user, return_inverse=True)
    card_rank = np.unique(card, return_inverse=True)[1].reshape(-1)
    if len(learner_ids) == 1:  # one learner (a lazy log's): items are its cards' ranks
        item = card_rank
    else:
        pairs = np.stack([learner, card_rank], axis=1)
        _, item = np.unique(pairs, axis=0, return_inverse=True)
        item = item.reshape(-1)
    item_ids = np.empty(item.max() + 1, dtype=np.asarray(card).dtype)
    item_ids[item] = card
    # within a card, reviews must come in time order and never twice at one time
    by_card = np.lexsort((rows, item))
    same = item[by_card][1:] == item[by_card][:-1]
    step = np.diff(time[by_card])
    back = np.flatnonzero(same & (step < 0))
    if back.size:
        row = rows[by_card[back[0] + 1]]
        raise ValueError(f"column {time_column!r} goes back in time within {card_column} "
                         f"{item_ids[item[by_card[back[0]]]]!r} at row {row}")
    twice = np.flatnonzero(same & (step == 0))
    if twice.size:
        row = rows[by_card[twice[0] + 1]]
        raise ValueError(f"duplicate review: {card_column} {item_ids[item[by_card[twice[0]]]]!r} "
                         f"reviewed twice at the same {time_column} at row {row}")
    sort = np.lexsort((order, time))
    meta = {"generator": "read_revlog", "source": name, "n_reviews": int(len(time)),
            "learner_ids": learner_ids.tolist()}
    return EventStream(time=time[sort], item=item[sort], kind=np.full(len(time), TEST, np.int8),
                       outcome=outcome[sort], rating=rating[sort], learner=learner[sort],
                       item_ids=item_ids, meta=meta)


def _with_meta(stream, meta):
    return EventStream(time=stream.time, item=stream.item, kind=stream.kind,
                       n_items=stream.n_items, outcome=stream.outcome, rating=stream.rating,
                       learner=stream.learner, item_ids=stream.item_ids, meta=meta)


def write_revlog(data, path, overwrite=False, learners_per_file=1000, append=False):
    """Write observed or simulated reviews in the FSRS optimizer's layout (CSV or a
    partitioned Parquet data set).

    One row per TEST event: ``card_id`` (the item's original id where known),
    ``review_time`` (ms since the epoch, from the event time in seconds),
    ``review_rating`` (the rating; Good/Again from the answer where none is
    recorded), ``review_state`` (0 for a card's first review, else 1) and
    ``user_id``. Tools that read that layout (the FSRS optimizer, srs-benchmark,
    :func:`read_revlog`) can then read cogmemsim's simulations.

    Parameters
    ----------
    data : EventStream or xarray.Dataset
        A stream with ``outcome`` (or ``rating``), or a dataset of events from
        :func:`simulator.simulate_schedule` (``events=True``),
        :func:`simulator.run` or :func:`simulator.predict` (``kind``, ``item``,
        ``time`` and ``recalled``/``outcome``; ``rating`` if present).
    path : str or os.PathLike
        A ``.csv`` file, or a folder (any other name): a Parquet data set of files
        of ``learners_per_file`` learners each, one row group per learner, which
        ``read_revlog(path, lazy=True)`` streams learner by learner. Its parent
        folder must exist.
    overwrite : bool
        Replace an existing file (or the data set's files).
    learners_per_file : int
        Parquet data sets: learners per file, >= 1.
    append : bool
        Parquet data sets: add these learners (``user_id`` = the stream's
        ``learner``) to an existing data set, e.g. a log written in parts.

    Returns
    -------
    pathlib.Path
        The file or folder written.
    """
    import pandas as pd

    path = pathlib.Path(path)
    parquet = path.suffix.lower() != ".csv"
    if not path.parent.is_dir():
        raise ValueError(f"path's folder {str(path.parent)!r} does not exist")
    if parquet and path.exists() and not path.is_dir():
        raise ValueError(f"path {str(path)!r} must end in .csv or name a folder")
    if path.exists() and not overwrite and not (parquet and (append or not any(
            path.iterdir()))):
        raise ValueError(f"{str(path)!r} exists; pass overwrite=True to replace it")
    if parquet and overwrite and path.exists() and not append:
        for old in path.glob("*.parquet"):
            old.unlink()
    time, item, kind, answer, rating, learner, item_ids = _events_of(data)
    tests = kind == TEST
    time, item, answer, rating, learner = (a[tests] for a in (time, item, answer, rating,
                                                              learner))
    if np.any(np.isnan(answer)):
        raise ValueError("data has TEST events without an answer (outcome NaN): nothing to write "
                         "for them")
    rating = np.where(rating > 0, rating, np.where(answer > 0.5, 3, 1)).astype(np.int64)
    card = item_ids[item] if item_ids is not None else item
    first = np.zeros(len(item), np.bool_)
    _, first_index = np.unique(np.stack([learner, item], axis=1), axis=0, return_index=True)
    first[first_index] = True
    frame = pd.DataFrame({"card_id": card, "review_time": np.round(time * 1000.0).astype(np.int64),
                          "review_rating": rating, "review_state": np.where(first, 0, 1),
                          "user_id": learner})
    if parquet:
        from environments.revlog_dataset import write_revlog_parquet
        return write_revlog_parquet(frame, path, learners_per_file, append)
    frame.to_csv(path, index=False)
    return path


def _events_of(data):
    import xarray as xr

    if isinstance(data, EventStream):
        n = len(data)
        answer = data.outcome if data.outcome is not None else np.full(n, np.nan)
        rating = data.rating if data.rating is not None else np.zeros(n, np.int8)
        learner = data.learner if data.learner is not None else np.zeros(n, np.int64)
        return data.time, data.item, data.kind, answer, rating, learner, data.item_ids
    if isinstance(data, xr.Dataset):
        for name in ("time", "item", "kind"):
            if name not in data.variables:
                raise ValueError(f"data must have per-event {name!r} (a dataset of events)")
        n = data.sizes["event"]
        if "outcome" in data.variables:
            answer = data["outcome"].values.astype(np.float64)
        elif "recalled" in data.variables:
            answer = data["recalled"].values.astype(np.float64)
        else:
            raise ValueError("data must have 'outcome' or 'recalled' per event")
        rating = data["rating"].values if "rating" in data.variables else np.zeros(n, np.int8)
        learner = data["learner"].values if "learner" in data.variables else np.zeros(n, np.int64)
        return (data["time"].values, data["item"].values, data["kind"].values, answer, rating,
                learner, None)
    raise ValueError(f"data must be an EventStream or an xarray.Dataset of events, "
                     f"got {type(data).__name__}")
