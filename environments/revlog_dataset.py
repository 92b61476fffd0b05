"""Review logs larger than memory: a partitioned Parquet data set opened lazily.

A data set is a folder of Parquet files in the FSRS optimizer / srs-benchmark
layout (``card_id``, ``review_time`` in ms, ``review_rating``, optional
``review_state``, ``review_th``, ``user_id``), each file holding whole learners
(one learner's reviews never span two files). :func:`write_revlog_parquet` writes
such a folder with one Parquet row group per learner; a folder written by other
tools (e.g. Hive-style ``user_id=42/part-0.parquet``) is read as well.

:class:`RevlogDataset` reads only the files' footers when opened (row counts and
``user_id`` statistics), lists the learners, and hands out one learner's reviews
at a time as an :class:`~environments.EventStream` exactly as
:func:`environments.read_revlog` would give them in memory: the same compact
learner ids (rank of ``user_id`` among all learners), the same event order and
checks, the learner's items numbered by card id (so they equal the in-memory
stream's item numbers minus the learner's first item). Memory is bounded by the
largest learner when each learner is its own row group (as written here), by the
largest file otherwise.
"""
import pathlib
import re

import numpy as np

from environments.stream import EventStream
from environments.validation import check_number

PART_NAME = "learners-{first:012d}.parquet"
"""File name of a partition written by :func:`write_revlog_parquet` (its first learner)."""
_HIVE_USER = re.compile(r"(?:^|/)user_id=([^/]+)(?:/|$)")


class LearnerRef:
    """One learner of a :class:`RevlogDataset`, not yet read: picklable (a path and
    row-group numbers), so workers can read the learner themselves.

    Parameters
    ----------
    dataset : RevlogDataset
    index : int
        The learner's compact id (position among the data set's learners).
    """

    __slots__ = ("dataset", "index")

    def __init__(self, dataset, index):
        self.dataset, self.index = dataset, int(index)

    def load(self):
        """The learner's reviews (:meth:`RevlogDataset.learner`).

        Returns
        -------
        EventStream
        """
        return self.dataset.learner(self.index)

    def __len__(self):
        return int(self.dataset.n_reviews_per_learner[self.index])

    def __repr__(self):
        return f"LearnerRef({self.index}, user_id={self.dataset.learner_ids[self.index]!r})"


class RevlogDataset:
    """A partitioned Parquet review log, opened without reading its reviews.

    Made by :func:`environments.read_revlog` with ``lazy=True``. Each learner is
    read on demand (:meth:`learner`, :meth:`learners`); :func:`simulator.predict`,
    :func:`analysis.evaluate` and :func:`analysis.fit_agent` (``by="learner"``)
    stream it learner by learner.

    Parameters
    ----------
    path : str or os.PathLike
        A folder of ``.parquet`` files (searched recursively) or one ``.parquet`` file.

    Attributes
    ----------
    learner_ids : numpy.ndarray
        Original ``user_id`` of each learner, sorted (compact id = position).
    n_reviews_per_learner : numpy.ndarray
        Rows per learner (before manual and cram reviews are dropped).
    """

    def __init__(self, path):
        import pyarrow.parquet as pq

        self.path = pathlib.Path(path)
        if not self.path.exists():
            raise ValueError(f"source {str(self.path)!r} does not exist")
        files = ([self.path] if self.path.is_file()
                 else sorted(p for p in self.path.rglob("*.parquet") if p.is_file()))
        if not files:
            raise ValueError(f"source {str(self.path)!r} holds no .parquet files")
        self.files = [str(f) for f in files]
        pieces = []  # (user_id, file index, row group or -1 for a whole-file filter, rows)
        for f, name in enumerate(self.files):
            meta = pq.ParquetFile(name).metadata
            names = [meta.schema.column(c).name for c in range(meta.num_columns)]
            hive = _HIVE_USER.search(pathlib.Path(name).relative_to(self.path.parent)
                                     .as_posix())
            if "user_id" not in names:
                user = _hive_value(hive.group(1)) if hive else 0
                pieces.extend((user, f, g, meta.row_group(g).num_rows)
                              for g in range(meta.num_row_groups))
                continue
            column = names.index("user_id")
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                stats = group.column(column).statistics
                if group.num_rows == 0:
                    continue
                if stats is not None and stats.has_min_max and stats.min == stats.max:
                    pieces.append((stats.min, f, g, group.num_rows))
                else:  # several learners in one row group: list them from the column
                    users = pq.ParquetFile(name).read_row_group(g, columns=["user_id"])
                    ids, counts = np.unique(users.column(0).to_numpy(), return_counts=True)
                    pieces.extend((u, f, -1 - g, int(c)) for u, c in zip(ids.tolist(),
                                                                       counts.tolist()))
        users = np.array([p[0] for p in pieces])
        self.learner_ids, owner = np.unique(users, return_inverse=True)
        owner = owner.reshape(-1)
        self.n_reviews_per_learner = np.bincount(owner, weights=[p[3] for p in pieces],
                                                 minlength=len(self.learner_ids)
                                                 ).astype(np.int64)
        self._pieces = [[] for _ in range(len(self.learner_ids))]
        for k, piece in zip(owner.tolist(), pieces):
            self._pieces[k].append(piece[1:3])
        for k, where in enumerate(self._pieces):
            if len({f for f, _ in where}) > 1:
                raise ValueError(f"learner {self.learner_ids[k]!r} has reviews in several "
                                 f"files ({', '.join(self.files[f] for f, _ in where)}): "
                                 f"each file must hold whole learners")

    def __len__(self):
        return len(self.learner_ids)

    def __repr__(self):
        return (f"RevlogDataset({str(self.path)!r}, {len(self)} learners, "
                f"{self.n_reviews} reviews, {len(self.files)} files)")

    @property
    def n_reviews(self):
        """Rows in the data set (before manual and cram reviews are dropped)."""
        return int(self.n_reviews_per_learner.sum())

    def learner(self, index):
        """One learner's reviews, as :func:`environments.read_revlog` reads them.

        Parameters
        ----------
        index : int
            Compact learner id, ``0 <= index < len(self)``.

        Returns
        -------
        EventStream
            ``learner`` = ``index`` at every event; items numbered by card id within
            the learner; ``meta`` holds ``user_id`` and the dropped reviews.
        """
        from environments.revlog import _drop_unused, _from_fsrs_layout

        index = int(check_number("index", index, 0, len(self) - 1, integer=True))
        frame, dropped = _drop_unused(self._frame(index))
        stream = _from_fsrs_layout(frame, self.files[self._pieces[index][0][0]], dropped)
        meta = stream.meta
        meta.update(learner_ids=[self.learner_ids[index].item()], user_id=
                    self.learner_ids[index].item())
        return EventStream(time=stream.time, item=stream.item, kind=stream.kind,
                           n_items=stream.n_items, outcome=stream.outcome,
                           rating=stream.rating,
                           learner=np.full(len(stream), index, np.int64),
                           item_ids=stream.item_ids, meta=meta)

    def _frame(self, index):
        import pyarrow as pa

        where = self._pieces[index]
        parquet = self._open(where[0][0])
        tables = []
        for _, group in where:
            table = parquet.read_row_group(group if group >= 0 else -1 - group,
                                           use_threads=False)
            if group < 0:  # a row group shared with other learners
                import pyarrow.compute as pc
                table = table.filter(pc.equal(table["user_id"],
                                              pa.scalar(self.learner_ids[index].item())))
            tables.append(table)
        table = pa.concat_tables(tables)
        frame = _Columns({name: table.column(name).to_numpy() for name in table.column_names})
        if "user_id" not in frame.columns:
            frame = _Columns(dict(frame.arrays, user_id=np.full(len(frame),
                                                                self.learner_ids[index])))
        return frame

    def _open(self, f):
        """The ``f``-th file, opened once per process (its footer parsed once)."""
        import pyarrow.parquet as pq

        cache = self.__dict__.setdefault("_files_open", {})
        if f not in cache:
            cache.clear()  # one open file at a time: learners are read in file order
            cache[f] = pq.ParquetFile(self.files[f])
        return cache[f]

    def learners(self):
        """Every learner, lazily: a :class:`LearnerRef` per learner, in id order.

        Returns
        -------
        list of LearnerRef
        """
        return [LearnerRef(self, k) for k in range(len(self))]

    def __iter__(self):
        for k in range(len(self)):
            yield k, self.learner(k)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_files_open"}

    def __setstate__(self, state):
        self.__dict__.update(state)


class _Columns:
    """A table as numpy columns, with the few DataFrame operations the eager reader's
    layout functions use (``columns``, ``frame[name].to_numpy()``, ``frame[mask]``,
    ``len``): a learner is read without building a pandas DataFrame."""

    def __init__(self, arrays):
        self.arrays = arrays

    @property
    def columns(self):
        return list(self.arrays)

    def __len__(self):
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def __getitem__(self, key):
        if isinstance(key, str):
            return _Column(self.arrays[key])
        return _Columns({name: values[key] for name, values in self.arrays.items()})


class _Column:
    __slots__ = ("values",)

    def __init__(self, values):
        self.values = values

    def to_numpy(self):
        return self.values


def _hive_value(text):
    try:
        return int(text)
    except ValueError:
        return text


def write_revlog_parquet(frame, path, learners_per_file=1000, append=False):
    """Write a review-log table as a partitioned Parquet data set.

    Learners (``user_id``) are cut into files of ``learners_per_file`` learners
    each (named by their first learner), one row group per learner, rows in the
    table's order within a learner.

    Parameters
    ----------
    frame : pandas.DataFrame
        FSRS optimizer layout with ``user_id``.
    path : pathlib.Path
        The data set's folder.
    learners_per_file : int
        Learners per file, >= 1.
    append : bool
        Add files to an existing data set (its learners must not reappear).

    Returns
    -------
    pathlib.Path
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    learners_per_file = int(check_number("learners_per_file", learners_per_file, 1, None,
                                         integer=True))
    if path.exists() and not append and any(path.iterdir()):
        raise ValueError(f"{str(path)!r} exists and is not empty; pass overwrite=True to "
                         f"replace it or append=True to add learners")
    path.mkdir(parents=True, exist_ok=True)
    user = frame["user_id"].to_numpy()
    order = np.argsort(user, kind="stable")
    ids, starts = np.unique(user[order], return_index=True)
    bounds = np.append(starts, len(order))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for first in range(0, len(ids), learners_per_file):
        target = path / PART_NAME.format(first=int(ids[first]))
        if target.exists():
            raise ValueError(f"{str(target)!r} exists: learner {ids[first]!r} is already "
                             f"in the data set")
        last = min(first + learners_per_file, len(ids))
        with pq.ParquetWriter(target, table.schema) as writer:
            for k in range(first, last):
                writer.write_table(table.take(order[bounds[k]:bounds[k + 1]]))
    return path
