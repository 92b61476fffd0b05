"""Need prediction: does a memory model's strength track which item the environment needs next?"""
import numpy as np
import xarray as xr

from environments import EventStream
from environments.seeding import generator, seed_attrs, seed_sequence
from environments.validation import check_number
from environments.stream import flat_attrs

from environments.params import parameters
from simulator.protocol import check_model
from simulator.variables import NEED_VARIABLES, variable_attrs

MODELS = ("activation", "frequency", "recency")
"""Rankings compared by :func:`predict_need`: the model (ACT-R's activation, any other
model's recall probability) and two one-cue baselines."""


def predict_need(agent, stream, k=10, seed=None):
    """Rank every known item by activation before each event; score the item that comes.

    The rational analysis of memory (Anderson & Schooler 1991, Psychological
    Science 2) holds that activation tracks the log odds that an item is needed;
    ACT-R-based recommenders use the same ranking to predict repeat
    consumption. Before each event every item presented so far is ranked by the
    agent's activation (base level with its approximation and spacing model,
    spreading activation from the event's context, permanent noise), by
    frequency alone (number of presentations) and by recency alone (time of the
    last presentation); the rank of the event's item is recorded (ties share the
    mid-rank). Events whose item has never been presented are not ranked. The
    memory learns from the stream exactly as :func:`simulator.run` does.

    One jitted pass; each event costs O(items so far x base-level cost): O(1)
    per item for ``"optimized"``, 58 traces for ``"multiscale"``, the item's
    presentations for ``"exact"`` (O(events**2) over a whole stream).

    Parameters
    ----------
    agent : simulator.MemoryModel
        ACT-R ranks by activation (with spreading from the event's context); any
        other model by its predicted recall probability.
    stream : environments.EventStream
    k : int
        Cut-off of ``hit_rate`` (the item is among the top k), >= 1.
    seed : int, SeedSequence, Generator or None
        Seeds the permanent noise (the only random draw here).

    Returns
    -------
    xarray.Dataset
        ``need_rank`` (``model``, ``event``), ``n_candidates`` (``event``),
        ``hit_rate`` and ``mean_reciprocal_rank`` (``model``) over the ranked
        events, with coords ``model``, ``time``, ``item``; attrs: ``k``, the
        agent's parameters, the stream's meta, the seed entropy.
    """
    check_model(agent, "agent")
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    k = check_number("k", k, 1, None, integer=True)
    seed_seq = seed_sequence(seed)
    ranks, n_candidates = agent.rank_needs(stream, generator(seed_seq))
    return _need_dataset(agent, stream, k, ranks, n_candidates, seed_seq)


def _need_dataset(agent, stream, k, ranks, n_candidates, seed_seq):
    ranked = np.isfinite(ranks[0])
    hits = (ranks[:, ranked] <= k).mean(axis=1) if ranked.any() else np.full(len(MODELS), np.nan)
    mrr = (1.0 / ranks[:, ranked]).mean(axis=1) if ranked.any() else np.full(len(MODELS), np.nan)
    attrs = {"agent": type(agent).__name__, "k": k}
    attrs.update(flat_attrs(parameters(agent), prefix="agent"))
    attrs.update(flat_attrs(stream.meta, prefix="environment"))
    attrs.update(seed_attrs(seed_seq))

    def var(name, dims, values):
        return (dims, values, variable_attrs(name, NEED_VARIABLES))

    return xr.Dataset(
        {"need_rank": var("need_rank", ("model", "event"), ranks),
         "n_candidates": var("n_candidates", ("event",), n_candidates),
         "hit_rate": var("hit_rate", ("model",), hits),
         "mean_reciprocal_rank": var("mean_reciprocal_rank", ("model",), mrr)},
        coords={"model": var("model", ("model",), list(MODELS)),
                "event": var("event", ("event",), np.arange(len(stream))),
                "time": var("time", ("event",), stream.time),
                "item": var("item", ("event",), stream.item)},
        attrs=attrs)
