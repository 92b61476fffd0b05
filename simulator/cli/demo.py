"""The built-in experiment behind ``cogmemsim demo``.

ACT-R agents with a few decays live in Anderson & Schooler (1991) power-law
environments with a few exponents; what each remembers is reduced to a retention
curve (recall probability vs time since the item was last needed).
"""
import sys

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from environments import power_law
from environments.seeding import child, seed_attrs, seed_sequence
from environments.validation import check_number
from environments.version import version_attrs

from simulator.variables import COORDINATES, lag_bin_coords, variable_attrs
from simulator.models.actr.model import ACTR
from simulator.reductions import keep_retention
from simulator.run import run

DECAYS = (0.3, 0.5, 0.7)
EXPONENTS = (0.5, 1.0, 1.5)


def demo_retention(n_events=100_000, decays=DECAYS, exponents=EXPONENTS, n_bins=20,
                   seed=2026, progress=True):
    """Retention curves of ACT-R agents (one per decay) in power-law environments.

    Each environment exponent gets one stream, met by every agent, so the agents
    differ only by their decay. Returns a Dataset with ``p_recall`` and
    ``recalled`` over dims ``exponent``, ``decay`` and ``lag``; ``progress``
    shows a progress bar on stderr.
    """
    n_events = check_number("n_events", n_events, 10, None, integer=True)
    n_bins = check_number("n_bins", n_bins, 1, None, integer=True)
    agents = [ACTR(decay=decay) for decay in decays]
    for exponent in exponents:
        check_number("exponent", exponent, 0.0, None)
    root = seed_sequence(seed)
    edges = np.geomspace(1.0, float(n_events), n_bins + 1)
    shape = (len(exponents), len(decays), n_bins)
    p_recall, recalled = np.empty(shape), np.empty(shape)
    counts = np.empty(shape, np.int64)
    env_seeds = [child(root, a) for a in range(len(exponents))]
    bar = tqdm(total=len(exponents) * len(agents), desc="demo runs", unit="run",
               file=sys.stderr, disable=not progress)
    with bar:
        for a, (exponent, env_seed) in enumerate(zip(exponents, env_seeds)):
            stream = power_law(n_events, exponent=exponent, seed=env_seed)
            agent_seeds = [child(env_seed, d) for d in range(len(agents))]
            for d, (agent, agent_seed) in enumerate(zip(agents, agent_seeds)):
                kept = keep_retention(run(agent, stream, seed=agent_seed), edges)
                p_recall[a, d], recalled[a, d], counts[a, d] = (
                    kept[name].values for name in ("p_recall", "recalled", "n_events"))
                bar.update(1)

    agent = ACTR()
    attrs = {"title": "ACT-R retention in power-law environments (cogmemsim demo)",
             "agent": "ACTR", "environment": "power_law", "environment_n_events": n_events}
    attrs.update({f"agent_{k}": v for k, v in (
        ("threshold", agent.threshold), ("noise", agent.noise), ("age_floor", agent.age_floor))})
    attrs.update(seed_attrs(root))
    attrs.update(version_attrs())
    dims = ("exponent", "decay", "lag")
    return xr.Dataset(
        {
            "p_recall": (dims, p_recall, variable_attrs("p_recall")),
            "recalled": (dims, recalled, variable_attrs("recalled")),
        },
        coords={
            "exponent": ("exponent", np.array(exponents, float),
                         {"long_name": "environment exponent", "units": "1",
                          "description": "need probability ~ (time since last need)^-exponent"}),
            "decay": ("decay", np.array(decays, float),
                      {"long_name": "base-level decay", "units": "1"}),
            **lag_bin_coords(edges),
            "n_events": (dims, counts, COORDINATES["n_events"]),
        },
        attrs=attrs,
    )


def summary_table(ds):
    """Recall probability per decade of retention interval, as printable text."""
    lag_upper = ds["lag_upper"].values
    decade_edges = 10.0 ** np.arange(0, int(np.ceil(np.log10(lag_upper[-1]))) + 1)
    header = "exponent  decay  " + "  ".join(
        f"{f'{lo:g}-{hi:g} s':>14}" for lo, hi in zip(decade_edges[:-1], decade_edges[1:]))
    lines = ["recall probability by retention interval (time since last need)", header]
    centre = ds["lag"].values
    for exponent in ds["exponent"].values:
        for decay in ds["decay"].values:
            cell = ds.sel(exponent=exponent, decay=decay)
            weights = cell["n_events"].values.astype(float)
            values = []
            for lo, hi in zip(decade_edges[:-1], decade_edges[1:]):
                inside = (centre >= lo) & (centre < hi) & (weights > 0)
                if inside.any():
                    mean = np.average(cell["p_recall"].values[inside], weights=weights[inside])
                    values.append(f"{mean:>14.3f}")
                else:
                    values.append(f"{'-':>14}")
            lines.append(f"{exponent:>8g}  {decay:>5g}  " + "  ".join(values))
    return "\n".join(lines)
