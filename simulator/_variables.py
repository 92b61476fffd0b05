"""The variables a run produces: one declaration per name, used for every dataset.

Each entry gives the variable's dims, ``long_name``, ``units`` and a description;
:func:`variable_attrs` turns it into the attrs xarray writes, so ``.plot()``
labels itself and every saved file documents its contents.
"""

RUN_VARIABLES = {
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
        "dims": ("event",),
        "long_name": "time since previous presentation",
        "units": "s",
        "description": "retention interval: time since the item was last presented (NaN on first sight)",
    },
    "n_prior": {
        "dims": ("event",),
        "long_name": "prior presentations",
        "units": "1",
        "description": "number of presentations of the item before the event",
    },
    "probe_accuracy": {
        "dims": ("probe", "task"),
        "long_name": "probe accuracy",
        "units": "1",
        "description": "mean recall of a task's items at a probe (probes do not learn)",
    },
}

COORDINATES = {
    "time": {"long_name": "time", "units": "s"},
    "item": {"long_name": "item", "units": "1"},
    "task": {"long_name": "task", "units": "1"},
    "event_task": {"long_name": "task of the event's item", "units": "1"},
    "probe": {"long_name": "probe", "units": "1"},
    "probe_time": {"long_name": "probe time", "units": "s"},
    "task_items": {"long_name": "items in task", "units": "1"},
    "lag": {"long_name": "retention interval", "units": "s"},
    "lag_lower": {"long_name": "retention interval, bin lower edge", "units": "s"},
    "lag_upper": {"long_name": "retention interval, bin upper edge", "units": "s"},
    "n_events": {"long_name": "events in bin", "units": "1"},
}


def variable_attrs(name, table=RUN_VARIABLES):
    """``long_name``, ``units`` and ``description`` of a declared variable."""
    spec = table[name]
    return {"long_name": spec["long_name"], "units": spec["units"],
            "description": spec["description"]}

SWEEP_VARIABLES = {
    "replicate": {"long_name": "replicate", "units": "1"},
    "finished": {
        "long_name": "run finished",
        "units": "1",
        "description": "whether the run's results are written to the store (resume skips them)",
    },
}
