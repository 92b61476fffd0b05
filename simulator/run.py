"""The run loop: one agent, one stream, one seeded pass, one labelled dataset."""
import numpy as np
import pandas as pd
import xarray as xr

from environments.progress import announce_first_call
from environments import EventStream
from environments.version import version_attrs
from environments.seeding import generator, seed_attrs, seed_sequence
from environments.stream import compact_items, flat_attrs, kind_attrs
from environments.validation import check_memory

from environments.params import parameters
from simulator.probes import probe_rule
from simulator.protocol import check_model
from simulator.variables import COORDINATES, RUN_VARIABLES, variable_attrs


def run(agent, stream, seed=None, probe_times=None):
    """Run ``agent`` over ``stream`` once and return what it remembered, per event.

    Every event reports the agent's state just before the event updates it.
    Probes test every item at chosen times without learning anything.

    Parameters
    ----------
    agent : simulator.MemoryModel
        Any memory model (ACTR, Hebbian, SGDLearner, FSRS, ...).
    stream : environments.EventStream
    seed : int, SeedSequence, Generator or None
        Seeds the agent's random draws (e.g. recall). Same seed, same dataset, bit
        for bit; its entropy is stored in ``attrs["seed_entropy"]``.
    probe_times : array_like of float, rule or callable, optional
        Non-decreasing times (s) at which every item is tested without being
        presented; a probe at t sees every event at or before t. Or a rule
        resolved on ``stream`` (:mod:`simulator.probes`): ``"task_ends"``
        (a probe at each task's end), ``{"rule": "task_ends", "per_task": k}``
        (k per task, the last at its end), or ``f(stream) -> times``. Adds
        ``probe_accuracy`` (dims ``probe``, ``task``): the mean recall of each
        task's items (an item's task is that of its first event; one task 0
        when the stream has none), with coord ``probe_time``. Agents that
        return more per-item probe arrays (``probe_<x>``, e.g. the Hebbian
        agent's ``probe_familiarity``) get them aggregated the same way.

    Returns
    -------
    xarray.Dataset
        Over dim ``event``: ``activation``, ``p_recall``, ``recalled``,
        ``latency``, ``lag``, ``n_prior``; coords ``time``, ``item``, ``kind``
        (and ``event_task`` when the stream has tasks). ``attrs`` hold the agent's
        parameters (``agent_<name>``), the stream's meta (``environment_<name>``)
        and the seed entropy.
    """
    check_model(agent, "agent")
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    rule = probe_rule(probe_times)
    probe_times = _check_probe_times(probe_times if rule is None else rule(stream))
    working = working_stream(agent, stream)
    check_run_memory(agent, working, len(probe_times), n_probe_arrays=3)
    seed_seq = seed_sequence(seed)
    announce_first_call(type(agent).__name__)
    arrays = agent.simulate(working, generator(seed_seq), probe_times)
    probes = {name: arrays.pop(name) for name in list(arrays) if name.startswith("probe_")}
    ds = _to_dataset(agent, stream, arrays, seed_seq)
    if len(probe_times):
        ds = ds.merge(_probe_dataset(working, probe_times, probes))
    return ds


SPARSE_IDS_SLACK = 1024
"""A stream's id space is sparse when ``n_items > 2 * (items met) + SPARSE_IDS_SLACK``."""
RUN_EVENT_BYTES = 128
"""Bytes per event of a run's outputs and their dataset (a dozen 8-byte arrays)."""


def working_stream(agent, stream):
    """The stream a model runs on: ``stream``, or its compact renumbering
    (:func:`environments.stream.compact_items`) when its id space is sparse
    (:data:`SPARSE_IDS_SLACK`) and the model's ids carry no meaning
    (``agent.item_ids_matter`` false). Per-event results are the same either way;
    the model's state is sized by the items met, not by the largest id.

    Parameters
    ----------
    agent : simulator.MemoryModel
    stream : environments.EventStream

    Returns
    -------
    environments.EventStream
    """
    if agent.item_ids_matter or not len(stream):
        return stream
    if stream.n_items <= SPARSE_IDS_SLACK:
        return stream
    n_met = len(np.unique(stream.item))
    if stream.n_items <= 2 * n_met + SPARSE_IDS_SLACK:
        return stream
    return compact_items(stream)


def check_run_memory(agent, stream, n_probes, n_probe_arrays=1):
    """ValueError naming the culprit when a run of ``agent`` over ``stream`` would not
    fit in the available memory (:func:`environments.validation.check_memory`).

    Parameters
    ----------
    agent : simulator.MemoryModel
    stream : environments.EventStream
        As the model will see it (:func:`working_stream`).
    n_probes : int
        Probe times (each gives ``n_probe_arrays`` arrays over the items).
    n_probe_arrays : int
    """
    check_memory("probe_times", f"{n_probes} probes of {stream.n_items} items",
                 8 * n_probe_arrays * n_probes * stream.n_items,
                 "the (probe, item) results")
    check_memory("stream", f"{len(stream)} events", RUN_EVENT_BYTES * len(stream),
                 "the per-event results")
    sizes = ", ".join(f"{name}={value}" for name, value in parameters(agent).items()
                      if isinstance(value, int) and not isinstance(value, bool))
    check_memory("agent", f"{type(agent).__name__}({sizes}) over {stream.n_items} items",
                 agent.state_bytes(stream.n_items), "its state")


def _check_probe_times(probe_times):
    if probe_times is None:
        return np.empty(0)
    try:
        times = np.array(probe_times, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"probe_times must be an array of times in seconds, "
                         f"got {probe_times!r}") from None
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0):
        raise ValueError("probe_times must be finite and non-decreasing")
    return times


def item_tasks(stream):
    """Task of each item (that of its first event); -1 for items that never occur."""
    tasks = np.full(stream.n_items, -1, np.int64)
    first = np.unique(stream.item, return_index=True)
    event_task = stream.task if stream.task is not None else np.zeros(len(stream), np.int64)
    tasks[first[0]] = event_task[first[1]]
    return tasks


def _probe_dataset(stream, probe_times, probes):
    """Aggregate per-item probe results into ``probe x task`` matrices.

    ``probes`` maps names to ``(probe, item)`` arrays: ``probe_recall`` becomes
    ``probe_accuracy``, any other ``probe_<x>`` (e.g. the Hebbian agent's
    ``probe_familiarity``) keeps its name. NaN items (not tested) are left out
    of a task's mean.
    """
    tasks = item_tasks(stream)
    task_ids = np.unique(tasks[tasks >= 0])
    counts = np.array([np.count_nonzero(tasks == task) for task in task_ids], np.int64)
    data_vars = {}
    for name, per_item in probes.items():
        means = np.full((len(probe_times), len(task_ids)), np.nan)
        for k, task in enumerate(task_ids):
            members = per_item[:, tasks == task]
            tested = ~np.isnan(members)
            n_tested = tested.sum(axis=1)
            totals = np.where(tested, members, 0.0).sum(axis=1)
            means[:, k] = np.where(n_tested > 0, totals / np.maximum(n_tested, 1), np.nan)
        name = "probe_accuracy" if name == "probe_recall" else name
        data_vars[name] = (("probe", "task"), means, variable_attrs(name))
    return xr.Dataset(
        data_vars,
        coords={
            "probe": ("probe", np.arange(len(probe_times)), COORDINATES["probe"]),
            "probe_time": ("probe", probe_times, COORDINATES["probe_time"]),
            "task": ("task", task_ids, COORDINATES["task"]),
            "task_items": ("task", counts, COORDINATES["task_items"]),
        },
    )


def event_variable_attrs(model, name):
    """Attrs of a per-event variable: the declared ones, else the model's state variable."""
    if name in RUN_VARIABLES:
        return variable_attrs(name)
    spec = model.state_variables[name]
    return {"long_name": spec["long_name"], "units": spec["units"],
            "description": spec.get("description", spec["long_name"])}


def _to_dataset(agent, stream, arrays, seed_seq):
    data_vars = {name: (("event",), values, event_variable_attrs(agent, name))
                 for name, values in arrays.items()}
    coords = {
        # a RangeIndex: no index array to build and copy (1.4 -> 0.2 ms at 200k events)
        "event": ("event", pd.RangeIndex(len(stream)), {"long_name": "event", "units": "1"}),
        "time": ("event", stream.time, COORDINATES["time"]),
        "item": ("event", stream.item, COORDINATES["item"]),
        "kind": ("event", stream.kind, kind_attrs()),
    }
    if stream.task is not None:
        # named apart from the `task` dim of task-indexed results (probe_accuracy)
        coords["event_task"] = ("event", stream.task, COORDINATES["event_task"])
    attrs = {"agent": type(agent).__name__}
    attrs.update(flat_attrs(parameters(agent), prefix="agent"))
    attrs.update(flat_attrs(stream.meta, prefix="environment"))
    attrs["n_items"] = stream.n_items
    attrs.update(seed_attrs(seed_seq))
    attrs.update(version_attrs())
    # the event index in the constructor: assigned afterwards it rebuilt every variable
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
