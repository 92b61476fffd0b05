"""Replaying observed data: a memory model's predictions on the answers people gave."""
import numpy as np

from environments import EventStream
from environments.seeding import generator, seed_sequence
from simulator.drivers import replay_stream
from simulator.protocol import check_model
from simulator.run import _to_dataset


def predict(model, stream, seed=None):
    """Replay ``stream``'s observed history through ``model``, predicting every answer.

    Before each event the model gives its recall probability from everything
    observed so far; then the event updates the model with the observed answer
    (``stream.outcome``) and rating (``stream.rating``), exactly as the person
    experienced it. Nothing is drawn where an answer was observed; a TEST event
    with no observed answer (NaN) gets one drawn from the model, seeded by
    ``seed``. One jitted pass (:func:`simulator.drivers.replay_stream`).

    Parameters
    ----------
    model : simulator.MemoryModel
        Any memory model (ACTR, FSRS, Ebisu, HLR, ...).
    stream : environments.EventStream
        Events with observed ``outcome``/``rating`` (e.g. from
        :func:`environments.read_revlog`); ``learner`` is carried along.
    seed : int, SeedSequence, Generator or None
        For draws the data leave open (permanent noise, unobserved answers).

    Returns
    -------
    xarray.Dataset
        Over ``event``: ``p_recall`` (the prediction before the event),
        ``outcome`` (the answer the model learned from: observed, or drawn),
        ``rating``, the model's state variables (e.g. ACT-R's ``activation``),
        ``recalled``, ``lag``, ``n_prior``; coords ``time``, ``item``, ``kind``
        (and ``learner``/``event_task`` where the stream has them). Attrs as
        :func:`simulator.run`'s.
    """
    check_model(model)
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    seed_seq = seed_sequence(seed)
    arrays = replay_stream(model, stream, generator(seed_seq), np.empty(0), observed=True)
    arrays.pop("probe_recall")
    ds = _to_dataset(model, stream, arrays, seed_seq)
    learner = getattr(stream, "learner", None)
    if learner is not None and "learner" not in ds.coords:
        ds = ds.assign_coords(learner=("event", np.asarray(learner),
                                       {"long_name": "learner", "units": "1"}))
    ds.attrs["driver"] = "predict"
    return ds
