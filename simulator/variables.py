"""The variables cogmemsim's datasets hold: one declaration per name, in one registry.

Each entry gives the variable's ``long_name``, ``units`` (pint-parsable), a
description and, where fixed, its dims; :func:`variable_attrs` turns it into the
attrs xarray writes, so ``.plot()`` labels itself and every saved file documents
its contents. :data:`REGISTRY` refuses a name declared twice and validates a
dataset handed to an analysis function (:meth:`VariableRegistry.validate`). The
tables below (``RUN_VARIABLES``, ``COORDINATES``, ...) are views of it grouped by
the dataset they describe.
"""
import types


class VariableRegistry:
    """``name -> spec`` of every dataset variable; each name declared once."""

    def __init__(self):
        self._specs = {}

    def register(self, name, long_name, units, description="", dims=None):
        """Declare variable ``name``; a ValueError if it is declared already.

        Parameters
        ----------
        name : str
        long_name, units, description : str
            ``units`` as pint parses them (``"1"`` dimensionless, ``"s"``, ``"day"``).
        dims : tuple of str, optional
            Its dims, where they are fixed.

        Returns
        -------
        mappingproxy
            The spec.
        """
        if name in self._specs:
            raise ValueError(f"dataset variable {name!r} is declared twice "
                             f"(simulator.variables)")
        spec = {"long_name": long_name, "units": units, "description": description}
        if dims is not None:
            spec["dims"] = tuple(dims)
        self._specs[name] = types.MappingProxyType(spec)
        return self._specs[name]

    def __getitem__(self, name):
        return self._specs[name]

    def __contains__(self, name):
        return name in self._specs

    def __iter__(self):
        return iter(self._specs)

    def declare(self, table):
        """Register every ``{name: spec}`` of ``table``; returns the registered specs."""
        return {name: self.register(name, **spec) for name, spec in table.items()}

    def table(self, *names):
        """``{name: spec}`` of already declared ``names``."""
        return {name: self._specs[name] for name in names}

    def validate(self, ds, required=(), where="dataset"):
        """Check ``ds`` against the registry before an analysis uses it.

        Every name in ``required`` must be present; every declared variable or
        coordinate present must have the declared dims (where fixed) and carry
        ``long_name`` and ``units``.

        Parameters
        ----------
        ds : xarray.Dataset
        required : sequence of str
        where : str
            Names the caller in the error.

        Returns
        -------
        xarray.Dataset
            ``ds``, unchanged.
        """
        missing = [name for name in required if name not in ds.variables]
        if missing:
            raise ValueError(f"{where} needs the variable(s) {', '.join(missing)}; the dataset "
                             f"has {', '.join(map(str, ds.variables)) or 'none'}")
        for name in ds.variables:
            spec = self._specs.get(name)
            if spec is None:
                continue
            if "dims" in spec and ds[name].dims != spec["dims"] and ds[name].dims[-len(
                    spec["dims"]):] != spec["dims"]:
                raise ValueError(f"{where}: variable {name!r} must have dims "
                                 f"{spec['dims']}, got {ds[name].dims}")
        return ds


REGISTRY = VariableRegistry()
"""Every dataset variable of the toolkit."""

RUN_VARIABLES = REGISTRY.declare({
    "activation": {
        "dims": ("event",),
        "long_name": "activation",
        "units": "1",
        "description": "noise-free activation just before the event (-inf before any presentation)",
    },
    "p_recall": {
        "dims": ("event",),
        "long_name": "recall probability",
        "units": "1",
        "description": "probability of successful recall at the event, before it updates memory",
    },
    "recalled": {
        "dims": ("event",),
        "long_name": "recalled",
        "units": "1",
        "description": "seeded draw: whether the item was recalled at the event",
    },
    "latency": {
        "dims": ("event",),
        "long_name": "retrieval latency",
        "units": "s",
        "description": "time taken by the retrieval attempt (success or failure)",
    },
    "lag": {
        "long_name": "retention interval",
        "units": "s",
        "description": "time since the item was last presented (NaN on first sight); where "
                       "lag is a dimension, the centre of a retention-interval bin",
    },
    "n_prior": {
        "dims": ("event",),
        "long_name": "prior presentations",
        "units": "1",
        "description": "number of presentations of the item before the event",
    },
    "outcome": {
        "dims": ("event",),
        "long_name": "answer",
        "units": "1",
        "description": "answer at a TEST event: 1 recalled, 0 not (observed, or drawn where "
                       "none was observed); NaN at STUDY events",
    },
    "rating": {
        "dims": ("event",),
        "long_name": "rating",
        "units": "1",
        "description": "grade of the answer: 0 none, 1 Again, 2 Hard, 3 Good, 4 Easy",
    },
    "probe_accuracy": {
        "dims": ("probe", "task"),
        "long_name": "probe accuracy",
        "units": "1",
        "description": "mean recall of a task's items at a probe (probes do not learn)",
    },
    "overlap": {
        "dims": ("event",),
        "long_name": "recall overlap",
        "units": "1",
        "description": "Hebbian network: overlap (xi - a).s / norm of the state recalled from the "
                       "event's cue with the item's pattern (1: perfect recall; NaN at STUDY events)",
    },
    "familiarity": {
        "dims": ("event",),
        "long_name": "familiarity",
        "units": "1",
        "description": "Hebbian network: negative energy of the item's clean pattern, "
                       "u^T W u / (learning_rate norm): ~1 when just stored, ~0 when new",
    },
    "sweeps": {
        "dims": ("event",),
        "long_name": "update sweeps",
        "units": "1",
        "description": "Hebbian network: sweeps of the dynamics until the fixed point "
                       "(or max_sweeps); 0 at STUDY events",
    },
    "probe_overlap": {
        "dims": ("probe", "task"),
        "long_name": "probe recall overlap",
        "units": "1",
        "description": "mean recall overlap of a task's presented items at a probe (probes do not learn)",
    },
    "probe_familiarity": {
        "dims": ("probe", "task"),
        "long_name": "probe familiarity",
        "units": "1",
        "description": "mean familiarity of a task's items at a probe (probes do not learn)",
    },
    "loss": {
        "dims": ("event",),
        "long_name": "cross-entropy loss",
        "units": "nat",
        "description": "SGD learner: cross-entropy of the event's example before it is learned",
    },
    "probe_loss": {
        "dims": ("probe", "task"),
        "long_name": "probe held-out cross-entropy",
        "units": "nat",
        "description": "SGD learner: mean cross-entropy on a task's held-out test set at a probe",
    },
})

COORDINATES = REGISTRY.declare({
    "event": {"long_name": "event", "units": "1", "description": "event index"},
    "time": {"long_name": "time", "units": "s", "description": "event time"},
    "item": {"long_name": "item", "units": "1", "description": "the event's item"},
    "kind": {"long_name": "event kind", "units": "1", "description": "0 study, 1 test"},
    "task": {"long_name": "task", "units": "1"},
    "event_task": {"long_name": "task of the event's item", "units": "1"},
    "probe": {"long_name": "probe", "units": "1"},
    "probe_time": {"long_name": "probe time", "units": "s"},
    "task_items": {"long_name": "items in task", "units": "1"},
    "lag_lower": {"long_name": "retention interval, bin lower edge", "units": "s"},
    "lag_upper": {"long_name": "retention interval, bin upper edge", "units": "s"},
    "n_events": {"long_name": "events in bin", "units": "1"},
}) | REGISTRY.table("lag")


def variable_attrs(name, table=RUN_VARIABLES):
    """``long_name``, ``units`` and ``description`` of a declared variable."""
    spec = table[name]
    return {"long_name": spec["long_name"], "units": spec["units"],
            "description": spec["description"]}


NEED_VARIABLES = REGISTRY.declare({
    "need_rank": {
        "long_name": "rank of the needed item",
        "units": "1",
        "description": "mid-rank (1 = top) of the event's item among the items presented "
                       "before it, by each model's score; NaN when the item is new",
    },
    "n_candidates": {
        "long_name": "items ranked",
        "units": "1",
        "description": "number of items presented before the event",
    },
    "hit_rate": {
        "long_name": "hit rate at k",
        "units": "1",
        "description": "fraction of ranked events whose item ranks k or better",
    },
    "mean_reciprocal_rank": {
        "long_name": "mean reciprocal rank",
        "units": "1",
        "description": "mean of 1 / need_rank over the ranked events",
    },
    "model": {
        "long_name": "need model",
        "units": "1",
        "description": "activation (ACT-R), frequency only, recency only",
    },
}) | REGISTRY.table("event", "time", "item")


SWEEP_VARIABLES = REGISTRY.declare({
    "replicate": {"long_name": "replicate", "units": "1"},
    "regime": {"long_name": "regime", "units": "1",
               "description": "named set of environment and agent parameter overrides"},
    "finished": {
        "long_name": "run finished",
        "units": "1",
        "description": "whether the run's results are written to the store (resume skips them)",
    },
})


SCHEDULE_VARIABLES = REGISTRY.declare({
    "reviews": {
        "long_name": "reviews",
        "units": "1",
        "description": "reviews (a test, then study) done that day",
    },
    "new_items": {
        "long_name": "new items",
        "units": "1",
        "description": "items studied for the first time that day",
    },
    "items_learned": {
        "long_name": "items learned",
        "units": "1",
        "description": "items studied at least once by the end of the day",
    },
    "presentations": {
        "long_name": "events",
        "units": "1",
        "description": "tests and study presentations that day",
    },
    "mean_recall": {
        "long_name": "mean recall probability",
        "units": "1",
        "description": "mean true recall probability of the items learned, at the "
                       "start of the day (NaN before the first item)",
    },
    "time_spent": {
        "long_name": "time spent studying",
        "units": "s",
        "description": "seconds of study that day (reviews, new items and their steps, "
                       "at the schedule's review costs)",
    },
    "memorized": {
        "long_name": "items memorized",
        "units": "count",
        "description": "sum of the learned items' true recall probabilities after the "
                       "day's session (expected number recalled)",
    },
    "retention": {
        "long_name": "final retention",
        "units": "1",
        "description": "mean true recall probability of the items learned, a test delay "
                       "after the start of the last day",
    },
    "reviews_per_item": {
        "long_name": "reviews per item",
        "units": "1",
        "description": "reviews over the whole schedule divided by the items learned",
    },
    "day": {"long_name": "day of the schedule", "units": "day",
            "description": "days since the first study"},
    "test_delay": {"long_name": "test delay", "units": "day",
                   "description": "delay after the start of the last day"},
}) | REGISTRY.table("event", "time", "item", "kind", "p_recall", "recalled", "rating")


def lag_bin_coords(edges, bounds=True):
    """Coordinates of lag bins with these ``edges`` (s): geometric centres ``lag`` with
    CF ``bounds`` (``lag_bounds``, dims ``lag x bounds``), and ``lag_lower`` /
    ``lag_upper`` (the same edges, one array each).

    Parameters
    ----------
    edges : numpy.ndarray
        Increasing bin edges in seconds, > 0.
    bounds : bool
        Include ``lag_bounds`` (a Dataset can hold it; a DataArray over ``lag``
        cannot, and keeps ``lag_lower``/``lag_upper`` only).

    Returns
    -------
    dict
        ``name -> (dims, values, attrs)`` for ``xarray.Dataset(coords=...)``.
    """
    import numpy as np

    edges = np.asarray(edges, float)
    coords = {
        "lag": ("lag", np.sqrt(edges[:-1] * edges[1:]), dict(COORDINATES["lag"])),
        "lag_lower": ("lag", edges[:-1], COORDINATES["lag_lower"]),
        "lag_upper": ("lag", edges[1:], COORDINATES["lag_upper"]),
    }
    if bounds:
        coords["lag"][2]["bounds"] = "lag_bounds"
        coords["lag_bounds"] = (("lag", "bounds"), np.stack([edges[:-1], edges[1:]], axis=1),
                                {"long_name": "retention interval, bin edges", "units": "s"})
    return coords
