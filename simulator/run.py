"""The run loop: one agent, one stream, one seeded pass, one labelled dataset."""
import numpy as np
import xarray as xr

from environments import EventStream
from environments._seeding import generator, seed_attrs, seed_sequence
from environments.stream import flat_attrs, kind_attrs

from ._params import parameters
from ._variables import COORDINATES, RUN_VARIABLES, variable_attrs


def run(agent, stream, seed=None):
    """Run ``agent`` over ``stream`` once and return what it remembered, per event.

    Every event reports the agent's state just before the event updates it.

    Parameters
    ----------
    agent : ACTR or another agent of :mod:`simulator`
    stream : environments.EventStream
    seed : int, SeedSequence, Generator or None
        Seeds the agent's random draws (e.g. recall). Same seed, same dataset, bit
        for bit; its entropy is stored in ``attrs["seed_entropy"]``.

    Returns
    -------
    xarray.Dataset
        Over dim ``event``: ``activation``, ``p_recall``, ``recalled``,
        ``latency``, ``lag``, ``n_prior``; coords ``time``, ``item``, ``kind``
        (and ``task`` when the stream has one). ``attrs`` hold the agent's
        parameters (``agent_<name>``), the stream's meta (``environment_<name>``)
        and the seed entropy.
    """
    if not hasattr(agent, "_simulate"):
        raise ValueError(f"agent must be a simulator agent such as simulator.ACTR, "
                         f"got {type(agent).__name__}")
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    seed_seq = seed_sequence(seed)
    arrays = agent._simulate(stream, generator(seed_seq))
    return _to_dataset(agent, stream, arrays, seed_seq)


def _to_dataset(agent, stream, arrays, seed_seq):
    data_vars = {name: (RUN_VARIABLES[name]["dims"], values, variable_attrs(name))
                 for name, values in arrays.items()}
    coords = {
        "time": ("event", stream.time, COORDINATES["time"]),
        "item": ("event", stream.item, COORDINATES["item"]),
        "kind": ("event", stream.kind, kind_attrs()),
    }
    if stream.task is not None:
        coords["task"] = ("event", stream.task, COORDINATES["task"])
    attrs = {"agent": type(agent).__name__}
    attrs.update(flat_attrs(parameters(agent), prefix="agent"))
    attrs.update(flat_attrs(stream.meta, prefix="environment"))
    attrs["n_items"] = stream.n_items
    attrs.update(seed_attrs(seed_seq))
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    ds["event"] = ("event", np.arange(len(stream)), {"long_name": "event", "units": "1"})
    return ds
