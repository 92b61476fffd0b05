"""Replaying observed data: a memory model's predictions on the answers people gave."""
import numpy as np

from environments import TEST, EventStream
from environments.seeding import generator, seed_sequence
from simulator.drivers import replay_stream
from simulator.protocol import check_model
from simulator.run import _to_dataset


def predict(model, stream, seed=None, out=None, backend="serial", workers=None, client=None,
            overwrite=False):
    """Replay ``stream``'s observed history through ``model``, predicting every answer.

    Before each event the model gives its recall probability from everything
    observed so far; then the event updates the model with the observed answer
    (``stream.outcome``) and rating (``stream.rating``), exactly as the person
    experienced it. Nothing is drawn where an answer was observed; a TEST event
    with no observed answer (NaN) gets one drawn from the model, seeded by
    ``seed``. Each learner has a memory of their own (and their own
    psychological clock), replayed in one jitted pass
    (:func:`simulator.drivers.replay_stream`) from child ``learner`` of ``seed``.

    A review log larger than memory (``environments.read_revlog(path,
    lazy=True)``, a :class:`~environments.revlog_dataset.RevlogDataset`) is
    streamed: learners are read, replayed and written to ``out`` one at a time
    (:mod:`simulator.predict_stream`), on ``backend``; each learner's results are
    those the in-memory replay gives, and memory is bounded by the largest learner.

    Parameters
    ----------
    model : simulator.MemoryModel
        Any memory model (ACTR, FSRS, Ebisu, HLR, ...).
    stream : environments.EventStream or environments.revlog_dataset.RevlogDataset
        Events with observed ``outcome``/``rating`` (e.g. from
        :func:`environments.read_revlog`); ``learner`` is carried along.
    seed : int, SeedSequence, Generator or None
        For draws the data leave open (permanent noise, unobserved answers).
    out : str or os.PathLike, optional
        Lazy logs only: the folder the predictions are written to.
    backend : "serial", "processes" or "dask"
        Lazy logs only: where learners are replayed (the results do not depend on it).
    workers : int, optional
        Lazy logs only: processes (or workers of a local dask cluster).
    client : dask.distributed.Client, optional
        Lazy logs only: an existing cluster, with ``backend="dask"``.
    overwrite : bool
        Lazy logs only: replace predictions already in ``out``.

    Returns
    -------
    xarray.Dataset or simulator.predict_stream.PredictionLog
        Over ``event``: ``p_recall`` (the prediction before the event),
        ``outcome`` (the answer the model learned from: observed, or drawn),
        ``rating``, the model's state variables (e.g. ACT-R's ``activation``),
        ``recalled``, ``lag``, ``n_prior``; coords ``time``, ``item``, ``kind``
        (and ``learner``/``event_task`` where the stream has them). Attrs as
        :func:`simulator.run`'s. A lazy log gives a
        :class:`~simulator.predict_stream.PredictionLog` of the same variables per
        learner (items numbered by card id within each learner, plus ``card_id``).
    """
    check_model(model)
    from environments.revlog_dataset import RevlogDataset
    if isinstance(stream, RevlogDataset):
        from simulator.predict_stream import predict_dataset
        return predict_dataset(model, stream, seed_sequence(seed), out, backend, workers,
                               client, overwrite)
    if out is not None or backend != "serial" or workers is not None or client is not None:
        raise ValueError("out, backend, workers and client are for a lazy review log "
                         "(environments.read_revlog(path, lazy=True)); an EventStream is "
                         "replayed in memory")
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    seed_seq = seed_sequence(seed)
    arrays = replay_learners(model, stream, seed_seq, observed=True)
    ds = _to_dataset(model, stream, arrays, seed_seq)
    learner = getattr(stream, "learner", None)
    if learner is not None and "learner" not in ds.coords:
        ds = ds.assign_coords(learner=("event", np.asarray(learner),
                                       {"long_name": "learner", "units": "1"}))
    ds.attrs["driver"] = "predict"
    return ds


def simulate_answers(model, stream, seed=None):
    """A review log's answers drawn from ``model``: ``stream`` with ``outcome`` and ``rating``.

    Each learner's events are run through the model on their own (its own
    memory, psychological clock and seed: child ``learner`` of ``seed``); every
    TEST event's answer is drawn from the model's recall probability and rated
    by its ``rate``. The result is the log a learner with this memory would have
    produced, ready for :func:`simulator.predict`, :func:`analysis.evaluate` and
    :func:`analysis.fit_agent` (parameter recovery).

    Parameters
    ----------
    model : simulator.MemoryModel
    stream : environments.EventStream
        Review times (e.g. :func:`environments.review_schedule`).
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    environments.EventStream
        ``stream`` with ``outcome`` (NaN at STUDY events) and ``rating``.
    """
    check_model(model)
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    seed_seq = seed_sequence(seed)
    outcome = np.full(len(stream), np.nan)
    rating = np.zeros(len(stream), np.int8)
    answers = replay_learners(model, stream, seed_seq, observed=False)
    tested = stream.kind == TEST
    outcome[tested] = answers["outcome"][tested]
    rating[tested] = answers["rating"][tested]
    return EventStream(time=stream.time, item=stream.item, kind=stream.kind,
                       n_items=stream.n_items, task=stream.task, context=stream.context,
                       outcome=outcome, rating=rating, learner=stream.learner,
                       item_ids=stream.item_ids, meta=dict(stream.meta))


def replay_learners(model, stream, seed_seq, observed):
    """:func:`simulator.drivers.replay_stream` of each learner on their own (child
    ``learner`` of ``seed_seq``), the arrays put back in the stream's event order."""
    from environments import split_learners
    from environments.seeding import child
    from simulator.run import check_run_memory, working_stream
    stream = working_stream(model, stream)  # per-event results: the same on compact ids
    check_run_memory(model, stream, 0)
    if stream.learner is None or _one_pass_suffices(model, stream, observed):
        arrays = replay_stream(model, stream, generator(seed_seq), np.empty(0),
                               observed=observed)
        arrays.pop("probe_recall")
        return arrays
    arrays = {}
    for learner_id, events, where in split_learners(stream):
        part = replay_stream(model, events, generator(child(seed_seq, learner_id)),
                             np.empty(0), observed=observed)
        part.pop("probe_recall")
        for name, values in part.items():
            if name not in arrays:
                arrays[name] = np.empty(len(stream), values.dtype)
            arrays[name][where] = values
    return arrays


def _one_pass_suffices(model, stream, observed):
    """A replay of observed answers gives each learner's predictions in one pass when
    no learner's items are another's and the model couples no items and draws no
    per-learner state (then nothing about a learner's memory depends on the others)."""
    from environments._learner_kernels import items_shared
    outcome = stream.outcome
    return (observed and outcome is not None and model.items_independent()
            and not model.state_is_random()
            and not np.any(np.isnan(outcome[stream.kind == TEST]))
            and not items_shared(stream.learner, stream.item, stream.n_items))
