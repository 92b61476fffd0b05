"""Storage capacity of associative memories: recall overlap vs load ``P / N``."""
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import simulator
from environments import STUDY, TEST, EventStream
from environments.validation import check_number
from environments.params import argument, declare_parameters
from environments.progress import interactive

from analysis.plots import axis_label

HOPFIELD_CAPACITY = 0.138
"""Critical load of the Hebbian Hopfield network (Amit, Gutfreund & Sompolinsky 1985)."""

CAPACITY_VARIABLES = {
    "overlap": ("recall overlap", "mean overlap of the recalled state with each stored pattern"),
    "recall_fraction": ("fraction recalled",
                        "fraction of stored patterns recalled (overlap >= recall_threshold)"),
    "recent_overlap": ("recall overlap of the most recent patterns",
                       "mean overlap of the most recently stored patterns"),
}
LEGEND_NAMES = {"overlap": "all patterns", "recall_fraction": "fraction recalled",
                "recent_overlap": "most recent"}


def capacity_scan(agent, loads=None, replicates=5, seed=None, recent=None, progress=None,
                  backend="serial", workers=None, client=None):
    """Recall quality of a network against its load ``P / N`` (patterns per unit).

    For each load, a fresh network stores ``P = round(load * n_units)``
    patterns (one STUDY event each), then each pattern is tested once from a
    noisy cue (TEST events that do not learn). A plain Hebbian network recalls
    almost perfectly up to ``P ~ 0.138 N`` and then loses all its memories
    together (Amit, Gutfreund & Sompolinsky 1985); a palimpsest (weight decay or
    bounds; Nadal et al. 1986, Parisi 1986) keeps its most recent patterns at
    any load. The scan is one :func:`simulator.sweep` of the experiment
    :func:`capacity_test` over ``load``.

    Parameters
    ----------
    agent : simulator.Hebbian
        The network (its cue noise, dynamics and threshold are used as they are).
    loads : array_like of float, optional
        Distinct loads ``P / N`` to scan, > 0; default 16 values from 0.025 to 0.4.
    replicates : int
        Independent networks (patterns and cues) per load, >= 1.
    seed : int, SeedSequence, Generator or None
        Root seed; each run's seed comes from its load's position and its
        replicate (the sweep's seeding), so adding loads at the end or
        replicates never changes the others.
    recent : int, optional
        How many of the most recently stored patterns ``recent_overlap``
        averages, >= 1; default ``max(1, round(0.02 * n_units))``.
    progress : bool, optional
        Show a progress bar over the runs; default: when stderr is a terminal.
    backend, workers, client
        Where the runs go, as for :func:`simulator.sweep`.

    Returns
    -------
    xarray.Dataset
        ``overlap``, ``recall_fraction`` and ``recent_overlap`` over dims
        ``load`` and ``replicate``, with coord ``n_patterns``; attrs hold the
        agent's parameters and the seed entropy.
    """
    if not isinstance(agent, simulator.Hebbian):
        raise ValueError(f"agent must be a simulator.Hebbian, got {type(agent).__name__}")
    loads = np.linspace(0.025, 0.4, 16) if loads is None else np.atleast_1d(
        np.asarray(loads, dtype=float))
    if loads.ndim != 1 or loads.size == 0 or not np.all(np.isfinite(loads) & (loads > 0)):
        raise ValueError(f"loads must be a 1-D array of finite numbers > 0, got {loads!r}")
    replicates = check_number("replicates", replicates, 1, None, integer=True)
    recent = max(1, round(0.02 * agent.n_units)) if recent is None else check_number(
        "recent", recent, 1, None, integer=True)
    scan = simulator.sweep(agent, capacity_test, {"load": loads.tolist()},
                           replicates=replicates, seed=seed, backend=backend, workers=workers,
                           client=client, environment_kwargs={"recent": recent},
                           progress=interactive() if progress is None else progress,
                           label="capacity scan")
    return scan.assign_coords(n_patterns=("load", stored_patterns(loads, agent.n_units),
                                          {"long_name": "stored patterns", "units": "1"}))


def stored_patterns(load, n_units):
    """Patterns a network of ``n_units`` stores at ``load``: ``max(1, round(load * N))``.

    Parameters
    ----------
    load : float or array_like
    n_units : int

    Returns
    -------
    numpy.ndarray of int64
    """
    return np.maximum(1, np.round(np.asarray(load, float) * n_units)).astype(np.int64)


@simulator.experiment
@declare_parameters(
    load=argument(low=0.0, low_open=True, units="1", doc="load P/N"),
    recent=argument(low=1, integer=True, units="count",
                    doc="most recent patterns recent_overlap averages"),
)
def capacity_test(agent, load, recent=1, *, seed=None):
    """Store ``round(load * n_units)`` patterns in a fresh network, then test each once.

    The experiment behind :func:`capacity_scan`: one STUDY event per pattern,
    then one TEST per pattern from a noisy cue (tests do not learn).

    Parameters
    ----------
    agent : simulator.Hebbian
        The network.
    load : float
        Patterns per unit, > 0.
    recent : int
        How many of the most recently stored patterns ``recent_overlap`` averages.
    seed : int, SeedSequence, Generator or None
        The run's seed (patterns and cues).

    Returns
    -------
    xarray.Dataset
        Scalars ``overlap``, ``recall_fraction`` and ``recent_overlap``.
    """
    count = int(stored_patterns(load, agent.n_units))
    stream = EventStream(time=np.arange(2 * count), item=np.tile(np.arange(count), 2),
                         kind=np.repeat([STUDY, TEST], count))
    overlap = simulator.run(agent, stream, seed=seed)["overlap"].values[count:]
    values = {"overlap": overlap.mean(),
              "recall_fraction": np.mean(overlap >= agent.recall_threshold),
              "recent_overlap": overlap[-recent:].mean()}
    return xr.Dataset({name: ((), value, {"long_name": CAPACITY_VARIABLES[name][0],
                                          "units": "1",
                                          "description": CAPACITY_VARIABLES[name][1]})
                       for name, value in values.items()})


def plot_capacity(scans, ax=None, variables=("overlap", "recent_overlap"), band=(0.1, 0.9)):
    """Recall against load for one or several capacity scans; returns the Axes.

    The critical load 0.138 of the Hebbian Hopfield network is marked.

    Parameters
    ----------
    scans : xarray.Dataset or mapping of label -> Dataset
        Results of :func:`capacity_scan`.
    ax : matplotlib Axes, optional
    variables : sequence of str
        Which scan variables to draw: the first solid, the next dashed, dotted.
    band : (float, float) or None
        Quantiles across replicates shaded around the mean line; None for none.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(scans, xr.Dataset):
        scans = {"": scans}
    if not scans or not all(isinstance(s, xr.Dataset) and "load" in s.dims
                            for s in scans.values()):
        raise ValueError("scans must be a capacity_scan Dataset or a mapping of label -> Dataset")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    styles = ("-", "--", ":", "-.")
    for label, scan in scans.items():
        color = None
        for variable, style in zip(variables, styles):
            values = scan[variable]
            mean = values.mean("replicate")
            name = ", ".join(part for part in (label, LEGEND_NAMES[variable]) if part)
            line = ax.plot(scan["load"], mean, style, marker="o", ms=3, color=color, label=name)
            color = line[0].get_color()
            if band is not None and scan.sizes["replicate"] > 1:
                low, high = values.quantile(list(band), dim="replicate").values
                ax.fill_between(scan["load"], low, high, color=color, alpha=0.15, linewidth=0)
    ax.axvline(HOPFIELD_CAPACITY, color="0.4", linestyle=":", linewidth=1)
    ax.annotate("0.138 (AGS 1985)", (HOPFIELD_CAPACITY, 0.02), xytext=(3, 0),
                textcoords="offset points", fontsize="small", color="0.3")
    first = next(iter(scans.values()))
    ax.set_xlabel(axis_label(first["load"]))
    ax.set_ylabel(axis_label(first[variables[0]]))
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.grid(True, alpha=0.3)
    return ax
