"""Continual-learning metrics from a ``probe x task`` accuracy matrix.

Notation: ``A[p, k]`` is the accuracy on task ``k`` at probe ``p`` (probes in
time order, ``F`` the last), ``l_k`` the probe at which task ``k``'s training
ended, ``T`` the number of tasks. A task is *earlier* when ``l_k < F`` (it has
evaluations after it was learned); the per-task metrics are NaN for the others.
``s_k`` is task ``k``'s first probe: the one after the previous task's ``l``
(``s = 0`` for the task learned first).
"""
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from environments.validation import check_number

from analysis.plots import axis_label

METRICS = {
    "average_accuracy": ("average accuracy",
                         "ACC = mean_k A[F, k]: final accuracy averaged over tasks "
                         "(Lopez-Paz & Ranzato 2017)"),
    "forgetting": ("forgetting",
                   "mean over earlier tasks of max_{l_k <= p < F} A[p, k] - A[F, k] "
                   "(Chaudhry et al. 2018)"),
    "backward_transfer": ("backward transfer",
                          "BWT = mean over earlier tasks of A[F, k] - A[l_k, k] "
                          "(Lopez-Paz & Ranzato 2017)"),
    "min_acc": ("min-ACC",
                "mean over earlier tasks of min_{l_k < p <= F} A[p, k]: the worst accuracy "
                "after learning (De Lange et al. 2023)"),
    "wc_acc": ("worst-case accuracy (WC-ACC)",
               "A[F, c] / T + (1 - 1/T) min-ACC, c the current (last learned) task "
               "(De Lange et al. 2023)"),
    "windowed_forgetting": ("windowed forgetting",
                            "WF^w: mean over earlier tasks of the largest drop "
                            "max_{n - w <= m <= n} A[m, k] - A[n, k] over evaluations "
                            "l_k <= m <= n <= F (De Lange et al. 2023)"),
    "forward_facilitation": ("forward facilitation",
                             "mean over tasks k after the first of A[s_k, k] - A[s_1, 1]: "
                             "accuracy on a task at its first probe while it is learned, "
                             "minus the first task's (learning-speed forward transfer; "
                             "after Lopez-Paz & Ranzato 2017, De Lange et al. 2023)"),
}
TASK_METRICS = ("forgetting", "backward_transfer", "min_acc", "windowed_forgetting",
                "forward_facilitation")


def continual_metrics(acc, learned_at=None, window=10):
    """Continual-learning metrics of an accuracy matrix (De Lange et al., ICLR 2023).

    With ``A``, ``F``, ``l_k`` and *earlier* tasks as in the module docstring:

    - ``average_accuracy`` ACC: ``mean_k A[F, k]``;
    - ``forgetting``: per earlier task ``max_{l_k <= p < F} A[p, k] - A[F, k]``
      (the best accuracy since it was learned minus the final one; Chaudhry et
      al. 2018), averaged;
    - ``backward_transfer`` BWT: per earlier task ``A[F, k] - A[l_k, k]``
      (Lopez-Paz & Ranzato 2017), averaged; negative when tasks are forgotten;
    - ``min_acc`` min-ACC: per earlier task ``min_{l_k < p <= F} A[p, k]``, the
      worst accuracy after it was learned, averaged;
    - ``wc_acc`` WC-ACC: ``A[F, c] / T + (1 - 1/T) min-ACC``, ``c`` the current
      task (the one learned last; min-ACC counts as 0 weight when ``T = 1``);
    - ``windowed_forgetting`` WF^w: per earlier task the largest drop within
      ``window`` evaluations, ``max_{l_k < n <= F} max_{max(l_k, n - w) <= m <= n}
      A[m, k] - A[n, k]``, averaged; it exposes the stability gap (a transient
      dip on starting a new task) that end-of-task metrics miss;
    - ``forward_facilitation`` FF: per task ``k`` learned after the first,
      ``A[s_k, k] - A[s_1, 1]``, with ``s_k`` the first probe after the
      previous task's training ended (``l`` of the task learned just before;
      task 1 the one learned first, ``s_1 = 0``), averaged. It is a
      learning-speed form of forward transfer (Lopez-Paz & Ranzato 2017
      compare ``A[l_{k-1}, k]`` with a random-init baseline; here the
      reference is the first task at the same point of its training, as in De
      Lange et al. 2023's view of transfer): positive when earlier tasks speed
      up later ones, negative when they slow them down. With one probe per
      task, ``s_k = l_k`` and FF compares end-of-task accuracies.

    Parameters
    ----------
    acc : xarray.DataArray or xarray.Dataset
        Accuracies with dims ``probe`` and ``task`` (any other dims, e.g.
        ``replicate``, are kept), or a dataset holding one as ``probe_accuracy``
        (``simulator.run(..., probe_times=...)``).
    learned_at : array_like of int, optional
        For each task (in the order of the ``task`` dim), the index of the
        probe at which its training ended, in ``0 .. n_probes - 1``. Default:
        the diagonal when there are as many probes as tasks (probe ``k`` right
        after task ``k``, the classic ``R`` matrix), otherwise tasks of equal
        length with probes spread evenly: ``l_k = round((k + 1) n_probes / T) - 1``.
    window : int
        ``w`` of WF^w, in evaluations, >= 1 (De Lange et al. use 10).

    Returns
    -------
    xarray.Dataset
        The seven metrics (the dims of ``acc`` other than ``probe`` and ``task``),
        the per-task ``task_forgetting``, ``task_backward_transfer``,
        ``task_min_acc``, ``task_windowed_forgetting`` and
        ``task_forward_facilitation`` (dim ``task``) and the
        coord ``learned_at``; every variable has ``long_name``, ``units`` and a
        ``description`` giving its definition.
    """
    if isinstance(acc, xr.Dataset):
        if "probe_accuracy" not in acc:
            raise ValueError("acc must be a DataArray with dims 'probe' and 'task' or a "
                             "Dataset with 'probe_accuracy'")
        acc = acc["probe_accuracy"]
    if not isinstance(acc, xr.DataArray) or not {"probe", "task"} <= set(acc.dims):
        raise ValueError("acc must be a DataArray with dims 'probe' and 'task'")
    if acc.sizes["probe"] == 0 or acc.sizes["task"] == 0:
        raise ValueError("acc must have at least one probe and one task")
    acc = _trim_padding(acc)
    n_probes, n_tasks = acc.sizes["probe"], acc.sizes["task"]
    learned_at = _learned_at(learned_at, n_probes, n_tasks)
    window = check_number("window", window, 1, None, integer=True)

    values = acc.transpose(..., "probe", "task").values.astype(float)
    per_task = _task_metrics(values, learned_at, window)
    final = values[..., -1, :]
    earlier = learned_at < n_probes - 1
    summary = {
        "average_accuracy": final.mean(axis=-1),
        "forgetting": _mean_over(per_task["forgetting"], earlier),
        "backward_transfer": _mean_over(per_task["backward_transfer"], earlier),
        "min_acc": _mean_over(per_task["min_acc"], earlier),
    }
    current = int(np.flatnonzero(learned_at == learned_at.max())[-1])
    if n_tasks > 1:
        summary["wc_acc"] = (final[..., current] / n_tasks
                             + (1 - 1 / n_tasks) * summary["min_acc"])
    else:
        summary["wc_acc"] = final[..., current]
    summary["windowed_forgetting"] = _mean_over(per_task["windowed_forgetting"], earlier)
    summary["forward_facilitation"] = _mean_over(per_task["forward_facilitation"],
                                                 learned_at > learned_at.min())

    lead = [d for d in acc.transpose(..., "probe", "task").dims if d not in ("probe", "task")]
    data_vars = {}
    for name, value in summary.items():
        data_vars[name] = (lead, value, _attrs(name))
    for name in TASK_METRICS:
        attrs = _attrs(name)
        attrs["long_name"] = f"{attrs['long_name']} per task"
        data_vars[f"task_{name}"] = (lead + ["task"], per_task[name], attrs)
    coords = {d: acc[d] for d in lead if d in acc.coords}
    coords["task"] = acc["task"] if "task" in acc.coords else np.arange(n_tasks)
    coords["learned_at"] = ("task", learned_at, {"long_name": "probe index where the task "
                                                              "was learned", "units": "1"})
    return xr.Dataset(data_vars, coords=coords, attrs={"window": window})


def _trim_padding(acc):
    """``acc`` without the trailing all-NaN probes and tasks with which a sweep pads
    runs that had fewer of them (:func:`simulator.reductions.pad_probes`, e.g. a
    sweep over ``n_tasks``); ValueError when the runs differ in their extent, since
    their metrics are defined on different matrices."""
    values = acc.transpose(..., "probe", "task").values
    empty = np.isnan(values)
    extents = {(_valid_prefix(empty.all(axis=-1)[cell]), _valid_prefix(empty.all(axis=-2)[cell]))
               for cell in np.ndindex(*values.shape[:-2])}
    if len(extents) > 1:
        raise ValueError(
            "acc holds runs padded with NaN to different numbers of probes x tasks "
            f"{sorted(extents)} (a sweep over the number of tasks): select runs of one "
            "extent first, e.g. continual_metrics(ds.sel(n_tasks=5))")
    (n_probes, n_tasks), = extents
    return acc.isel(probe=slice(n_probes), task=slice(n_tasks))


def _valid_prefix(empty):
    """Length of ``empty``'s leading run of False when the rest is all True (trailing
    padding), else its whole length (NaNs inside are data, not padding)."""
    if empty.all():
        return len(empty)
    n_valid = len(empty) - int(np.argmin(empty[::-1]))
    return len(empty) if empty[:n_valid].any() else n_valid


def _learned_at(learned_at, n_probes, n_tasks):
    if learned_at is None:
        if n_probes == n_tasks:
            return np.arange(n_tasks)
        return np.round((np.arange(n_tasks) + 1) * n_probes / n_tasks).astype(np.int64) - 1
    array = np.asarray(learned_at)
    if (array.shape != (n_tasks,) or array.dtype.kind not in "iu"
            or np.any(array < 0) or np.any(array >= n_probes)):
        raise ValueError(f"learned_at must hold one probe index in 0..{n_probes - 1} per task "
                         f"({n_tasks}), got {learned_at!r}")
    return array.astype(np.int64)


def _task_metrics(values, learned_at, window):
    """Per-task forgetting, BWT, min-ACC, WF^w and FF over the last two axes (probe, task)."""
    last = values.shape[-2] - 1
    shape = values.shape[:-2] + (values.shape[-1],)
    out = {name: np.full(shape, np.nan) for name in TASK_METRICS}
    first = int(np.argmin(learned_at))
    for k, learned in enumerate(learned_at):
        if learned > learned_at[first]:
            start = learned_at[learned_at < learned].max() + 1
            out["forward_facilitation"][..., k] = values[..., start, k] - values[..., 0, first]
        if learned == last:
            continue
        curve = values[..., :, k]
        final = curve[..., last]
        out["forgetting"][..., k] = curve[..., learned:last].max(axis=-1) - final
        out["backward_transfer"][..., k] = final - curve[..., learned]
        out["min_acc"][..., k] = curve[..., learned + 1:].min(axis=-1)
        drops = [curve[..., max(learned, n - window):n + 1].max(axis=-1) - curve[..., n]
                 for n in range(learned + 1, last + 1)]
        out["windowed_forgetting"][..., k] = np.max(drops, axis=0)
    return out


def _mean_over(per_task, mask):
    """Mean over the tasks in ``mask`` (last axis); NaN when there are none."""
    if not mask.any():
        return np.full(per_task.shape[:-1], np.nan)
    return per_task[..., mask].mean(axis=-1)


def _attrs(name):
    long_name, description = METRICS[name]
    return {"long_name": long_name, "units": "1", "description": description}


def plot_task_matrix(acc, ax=None, learned_at=None, cmap="viridis"):
    """The ``probe x task`` accuracy matrix as a heat map; returns the Axes.

    Probes run along x (labelled by ``probe_time`` when present), tasks along
    y; a white marker shows where each task was learned (``learned_at``, with
    the default of :func:`continual_metrics`). ``acc`` may be a Dataset holding
    ``probe_accuracy``; other dims must be reduced first (e.g. ``.mean("replicate")``).

    Parameters
    ----------
    acc : xarray.DataArray or xarray.Dataset
        Accuracy over ``probe`` and ``task`` (or a Dataset holding
        ``probe_accuracy``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    learned_at : array_like, optional
        Probe at which each task was learned; default as in
        :func:`continual_metrics`.
    cmap : str
        Matplotlib colour map.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(acc, xr.Dataset) and "probe_accuracy" in acc:
        acc = acc["probe_accuracy"]
    if not isinstance(acc, xr.DataArray) or set(acc.dims) != {"probe", "task"}:
        raise ValueError("acc must be a DataArray with exactly the dims 'probe' and 'task' "
                         "(reduce the others first)")
    n_probes, n_tasks = acc.sizes["probe"], acc.sizes["task"]
    learned_at = _learned_at(learned_at, n_probes, n_tasks)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * n_tasks + 2), layout="constrained")
    matrix = acc.transpose("task", "probe").values
    x = acc["probe_time"].values if "probe_time" in acc.coords else np.arange(n_probes)
    x_edges = _edges(np.asarray(x, dtype=float))
    y_edges = np.arange(n_tasks + 1) - 0.5
    mesh = ax.pcolormesh(x_edges, y_edges, matrix, cmap=cmap, vmin=0, vmax=1)
    ax.figure.colorbar(mesh, ax=ax, label=axis_label(acc) or "accuracy")
    ax.plot(x[learned_at], np.arange(n_tasks), "w>", ms=5, label="task learned")
    tasks = acc["task"].values if "task" in acc.coords else np.arange(n_tasks)
    ax.set_yticks(np.arange(n_tasks), [str(t) for t in tasks])
    ax.set_ylabel("task")
    ax.set_xlabel(axis_label(acc["probe_time"]) if "probe_time" in acc.coords else "probe")
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize="small", frameon=False)
    return ax


def _edges(centres):
    """Cell edges around increasing centres (midpoints; end cells mirrored)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.r_[2 * centres[0] - mid[0], mid, 2 * centres[-1] - mid[-1]]
