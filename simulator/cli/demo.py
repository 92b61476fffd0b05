"""The built-in experiment behind ``cogmemsim demo``.

ACT-R agents with a few decays live in Anderson & Schooler (1991) power-law
environments with a few exponents; what each remembers is reduced to a retention
curve (recall probability vs time since the item was last needed).
"""
import numpy as np

from environments import power_law
from environments.validation import check_number

from simulator.models.actr.model import ACTR
from simulator.sweeps.api import sweep

DECAYS = (0.3, 0.5, 0.7)
EXPONENTS = (0.5, 1.0, 1.5)


def demo_retention(n_events=100_000, decays=DECAYS, exponents=EXPONENTS, n_bins=20,
                   seed=2026, progress=True):
    """Retention curves of ACT-R agents (one per decay) in power-law environments.

    One :func:`simulator.sweep` of :class:`simulator.ACTR` in
    :func:`environments.power_law` over ``exponent`` x ``decay``: each
    environment exponent gets one stream, met by every agent, so the agents
    differ only by their decay; ``sweep(ACTR, power_law, {"exponent": exponents,
    "decay": decays}, environment_kwargs={"n_events": n_events}, bins=edges,
    seed=seed)`` gives the same numbers.

    Parameters
    ----------
    n_events : int
        Events per stream, >= 10.
    decays : sequence of float
        ACT-R base-level decays.
    exponents : sequence of float
        Power-law exponents of the environments.
    n_bins : int
        Log-spaced lag bins from 1 s to ``n_events`` s, >= 1.
    seed : int, SeedSequence, Generator or None
        Root seed of the sweep.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    xarray.Dataset
        ``p_recall``, ``recalled`` and ``n_events`` over dims ``exponent``,
        ``decay`` and ``lag``.
    """
    n_events = check_number("n_events", n_events, 10, None, integer=True)
    n_bins = check_number("n_bins", n_bins, 1, None, integer=True)
    edges = np.geomspace(1.0, float(n_events), n_bins + 1)
    ds = sweep(ACTR(), power_law, {"exponent": list(exponents), "decay": list(decays)},
               seed=seed, bins=edges, environment_kwargs={"n_events": n_events},
               progress=progress, label="demo runs")
    ds = ds.isel(replicate=0, drop=True)
    ds.attrs["title"] = "ACT-R retention in power-law environments (cogmemsim demo)"
    return ds


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
