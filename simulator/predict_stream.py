"""Replaying a review log larger than memory: learner by learner, results to disk.

:func:`simulator.predict` on a :class:`environments.revlog_dataset.RevlogDataset`
comes here. Learners are cut into contiguous blocks; each block is one task (on
the serial, processes or dask backend) that reads one learner at a time, replays
it exactly as the in-memory :func:`simulator.predict` replays that learner (the
same seed child, the same per-learner pass) and appends its per-event results to
the task's own Parquet file, one row group per learner. No process ever holds
more than one learner's events and results, so memory is bounded by the largest
learner, whatever the size of the log. The result is a :class:`PredictionLog`:
a lazy handle on that folder which :func:`analysis.evaluate` streams.
"""
import concurrent.futures
import json
import os
import pathlib
import resource

import numpy as np

from environments.seeding import seed_attrs
from environments.stream import flat_attrs
from environments.params import parameters
from environments.version import version_attrs
from environments.validation import check_number

BACKENDS = ("serial", "processes", "dask")
ATTRS_FILE = "_attrs.json"
PART_NAME = "predictions-{task:06d}.parquet"
ROW_GROUP_ROWS = 1 << 16
"""A task's results are written in row groups of whole learners, flushed once they
exceed this many rows (one learner per row group when learners are larger)."""


class PredictionLog:
    """Per-event predictions of a streamed :func:`simulator.predict`, on disk.

    A folder of Parquet files (row groups of whole learners) and ``_attrs.json``
    (the variables' ``long_name``/``units``, the dataset attrs, the learners and
    their numbers of events). Opened without reading the events.

    Parameters
    ----------
    path : str or os.PathLike
        The folder :func:`simulator.predict` wrote.

    Attributes
    ----------
    learner_ids : numpy.ndarray
        Compact learner ids present, sorted.
    n_events_per_learner : numpy.ndarray
    attrs : dict
        The dataset attrs (model parameters, seed entropy, ...).
    peak_rss : dict
        Largest resident set (bytes) of the worker processes (``workers``) while
        predicting, when known.
    """

    def __init__(self, path):
        import pyarrow.parquet as pq

        self.path = pathlib.Path(path)
        meta_file = self.path / ATTRS_FILE
        if not meta_file.exists():
            raise ValueError(f"{str(self.path)!r} is not a prediction log (no {ATTRS_FILE})")
        meta = json.loads(meta_file.read_text())
        self.attrs, self.variable_attrs = meta["attrs"], meta["variables"]
        self.peak_rss = meta.get("peak_rss", {})
        self.files = sorted(str(p) for p in self.path.glob("predictions-*.parquet"))
        groups, ids, counts = [], [], []
        for f, name in enumerate(self.files):
            info = pq.ParquetFile(name).metadata
            column = [info.schema.column(c).name for c in range(info.num_columns)].index(
                "learner")
            for g in range(info.num_row_groups):
                stats = info.row_group(g).column(column).statistics
                groups.append((f, g, int(stats.min), int(stats.max)))
        self._groups = sorted(groups, key=lambda group: group[2])
        for learner, size in meta["learners"].items():
            ids.append(int(learner))
            counts.append(int(size))
        order = np.argsort(ids, kind="stable")
        self.learner_ids = np.asarray(ids, np.int64)[order]
        self.n_events_per_learner = np.asarray(counts, np.int64)[order]

    def __len__(self):
        return len(self.learner_ids)

    def __repr__(self):
        return (f"PredictionLog({str(self.path)!r}, {len(self)} learners, "
                f"{int(self.n_events_per_learner.sum())} events)")

    def blocks(self):
        """Row group by row group: ``(learner ids, columns, bounds)``, learner ``j``'s
        events being ``bounds[j]:bounds[j + 1]`` of every column (a row group holds
        whole learners, in id order, and up to :data:`ROW_GROUP_ROWS` rows or one
        learner).

        Yields
        ------
        tuple
        """
        import pyarrow.parquet as pq

        for f, g, _, _ in self._groups:
            table = pq.ParquetFile(self.files[f]).read_row_group(g)
            columns = {name: table.column(name).to_numpy() for name in table.column_names}
            learner = columns["learner"]
            starts = np.flatnonzero(np.r_[True, learner[1:] != learner[:-1]])
            yield learner[starts], columns, np.append(starts, len(learner))

    def columns(self, position):
        """The ``position``-th learner's per-event columns as numpy arrays.

        Parameters
        ----------
        position : int
            0 .. len(self) - 1 (learners in id order).

        Returns
        -------
        dict of numpy.ndarray
        """
        import pyarrow.parquet as pq

        learner = int(self.learner_ids[position])
        f, g = next((f, g) for f, g, low, high in self._groups if low <= learner <= high)
        table = pq.ParquetFile(self.files[f]).read_row_group(g)
        columns = {name: table.column(name).to_numpy() for name in table.column_names}
        mine = columns["learner"] == learner
        return {name: values[mine] for name, values in columns.items()}

    def learner(self, position):
        """The ``position``-th learner's predictions as :func:`simulator.predict`'s dataset.

        Parameters
        ----------
        position : int

        Returns
        -------
        xarray.Dataset
        """
        return self._dataset(self.columns(position))

    def _dataset(self, columns):
        import xarray as xr

        columns = dict(columns)
        coords = {name: ("event", columns.pop(name), self.variable_attrs[name])
                  for name in ("time", "item", "kind", "learner")}
        card = columns.pop("card_id")
        data = {name: ("event", values, self.variable_attrs[name])
                for name, values in columns.items()}
        data["card_id"] = ("event", card, {"long_name": "card id", "units": "1"})
        return xr.Dataset(data, coords=coords, attrs=dict(self.attrs))

    def __iter__(self):
        """``(learner id, dataset)`` of every learner, reading each row group once."""
        for ids, columns, bounds in self.blocks():
            for j, learner in enumerate(ids.tolist()):
                yield learner, self._dataset({name: values[bounds[j]:bounds[j + 1]]
                                              for name, values in columns.items()})

    def to_dataset(self):
        """Every learner's predictions in one dataset (reads the whole log into memory).

        Returns
        -------
        xarray.Dataset
        """
        import xarray as xr
        return xr.concat([ds for _, ds in self], dim="event", combine_attrs="override")


def predict_dataset(model, dataset, seed_seq, out, backend="serial", workers=None,
                    client=None, overwrite=False):
    """:func:`simulator.predict` of a lazy review log; see there for the parameters.

    Returns
    -------
    PredictionLog
    """
    if out is None:
        raise ValueError("out must name a folder for the predictions of a lazy review log "
                         "(they are written learner by learner, not held in memory)")
    out = pathlib.Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ValueError(f"out {str(out)!r} exists and is not empty; pass "
                             f"overwrite=True to replace its predictions")
        for old in list(out.glob("predictions-*.parquet")) + [out / ATTRS_FILE]:
            old.unlink(missing_ok=True)
    if not out.parent.is_dir():
        raise ValueError(f"out's folder {str(out.parent)!r} does not exist")
    backend, workers = check_backend(backend, workers, client)
    out.mkdir(exist_ok=True)
    n = len(dataset)
    n_tasks = 1 if backend == "serial" else min(n, 4 * _worker_count(backend, workers, client))
    bounds = np.linspace(0, n, n_tasks + 1).round().astype(int)
    tasks = [(model, dataset, seed_seq, int(bounds[t]), int(bounds[t + 1]),
              str(out / PART_NAME.format(task=t))) for t in range(n_tasks)
             if bounds[t + 1] > bounds[t]]
    results = map_tasks(_predict_learners, tasks, backend, workers, client)
    variables, sizes = {}, {}
    for result in results:
        variables.update(result["variables"])
        sizes.update(result["sizes"])
    attrs = {"agent": type(model).__name__}
    attrs.update(flat_attrs(parameters(model), prefix="agent"))
    attrs.update(flat_attrs({"generator": "read_revlog", "source": str(dataset.path),
                             "n_reviews": dataset.n_reviews}, prefix="environment"))
    attrs.update(seed_attrs(seed_seq))
    attrs.update(version_attrs())
    attrs["driver"] = "predict"
    peak = {"workers": max(r["maxrss"] for r in results),
            "parent": _maxrss(resource.RUSAGE_SELF)}
    (out / ATTRS_FILE).write_text(json.dumps(
        {"attrs": {k: _jsonable(v) for k, v in attrs.items()}, "variables": variables,
         "peak_rss": peak, "learners": sizes}))
    return PredictionLog(out)


def _jsonable(value):
    return value.item() if isinstance(value, np.generic) else value


def _maxrss(who):
    """Peak resident set in bytes (Linux reports KiB)."""
    return int(resource.getrusage(who).ru_maxrss) * 1024


def _predict_learners(task):
    """Replay learners ``first .. last - 1`` one at a time into one Parquet file (row
    groups of whole learners, flushed past :data:`ROW_GROUP_ROWS` rows)."""
    import pyarrow as pa

    from simulator.predict import replay_learners
    from simulator.run import event_variable_attrs
    from simulator.variables import COORDINATES

    model, dataset, seed_seq, first, last, target = task
    pending, n_pending, sizes, tables = [], 0, {}, []
    variables = {}
    for k in range(first, last):
        stream = dataset.learner(k)
        arrays = replay_learners(model, stream, seed_seq, observed=True)
        columns = {"learner": stream.learner, "item": stream.item, "time": stream.time,
                   "kind": stream.kind, "card_id": stream.item_ids[stream.item]}
        columns.update(arrays)
        if not variables:
            variables = {name: dict(event_variable_attrs(model, name)) for name in arrays}
            variables.update({name: dict(COORDINATES[name]) for name in ("time", "item", "kind")})
            variables["learner"] = {"long_name": "learner", "units": "1"}
        pending.append(pa.table(columns))
        n_pending += len(stream)
        sizes[str(k)] = len(stream)
        if n_pending >= ROW_GROUP_ROWS:
            tables.append(_flush(pending, target, tables))
            pending, n_pending = [], 0
    if pending or not tables:
        tables.append(_flush(pending, target, tables))
    writer = tables[-1]
    if writer is not None:
        writer.close()
    return {"variables": variables, "sizes": sizes,
            "maxrss": _maxrss(resource.RUSAGE_SELF)}


def _flush(pending, target, tables):
    """Write the pending learners as one row group; returns the (open) writer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = tables[-1] if tables else None
    if not pending:
        return writer
    table = pa.concat_tables(pending)
    if writer is None:
        writer = pq.ParquetWriter(target, table.schema)
    writer.write_table(table, row_group_size=len(table))
    return writer


def check_backend(backend, workers, client):
    """Validate a backend choice; returns ``(backend, workers)``."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, "
                         f"got {backend!r}")
    if client is not None and backend != "dask":
        raise ValueError("client is used with backend='dask' only")
    if workers is not None:
        workers = int(check_number("workers", workers, 1, None, integer=True))
    return backend, workers


def _worker_count(backend, workers, client):
    if backend == "processes":
        return workers or os.cpu_count() or 1
    return workers or (len(client.scheduler_info()["workers"]) if client else 1)


def map_tasks(function, tasks, backend, workers, client):
    """``[function(task) for task in tasks]`` on ``backend``, results in task order."""
    if backend == "serial":
        return [function(task) for task in tasks]
    n = _worker_count(backend, workers, client)
    if backend == "processes":
        from simulator.sweeps.api import _worker_context
        with concurrent.futures.ProcessPoolExecutor(max_workers=min(n, len(tasks)),
                                                    mp_context=_worker_context()) as pool:
            return list(pool.map(function, tasks))
    from distributed import Client, LocalCluster
    own = client is None
    if own:
        client = Client(LocalCluster(n_workers=n, threads_per_worker=1, processes=True))
    try:
        return client.gather(client.map(function, tasks, pure=False))
    finally:
        if own:
            client.close()
