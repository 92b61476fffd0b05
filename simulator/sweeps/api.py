"""Parameter sweeps: a grid of agent and environment parameters x replicates, one
labelled Dataset out, on local processes or a dask cluster, resumable from a Zarr store."""
import ast
import concurrent.futures
import concurrent.futures.process
import dataclasses
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import sys
import threading
import time
import warnings

import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from environments.progress import get_logger
from environments.validation import check_number

from simulator.sweeps import _store
from simulator.sweeps._store import DamagedStoreError
from simulator.sweeps._plan import SweepCellError, compute_block, grid_coords, make_plan, reduce_run
from simulator.variables import SWEEP_VARIABLES

BACKENDS = ("serial", "processes", "dask")

log = get_logger(__name__)


class SweepError(RuntimeError):
    """Some runs of a sweep failed. The message names the first failing run's
    parameters; ``partial`` holds every finished chunk (NaN elsewhere, see its
    ``finished`` variable) and, with a store, those chunks are stored too.

    Parameters
    ----------
    message : str
        What failed, naming the first failing run's parameters.
    partial : xarray.Dataset, optional
        The finished chunks of the sweep (NaN elsewhere).
    """

    def __init__(self, message, partial=None):
        super().__init__(message)
        self.partial = partial


def sweep(agent, environment, grid, replicates=1, seed=None, backend="serial", client=None,
          store=None, resume=False, reduce=None, progress=True, *, bins=None,
          probe_times=None, environment_kwargs=None, workers=None, chunk_size=None,
          regimes=None, label="sweep", overwrite=False, timeout=60.0):
    """Run ``agent`` in ``environment`` over a grid of parameters x replicates.

    Parameters
    ----------
    agent : agent class or instance (e.g. ``simulator.ACTR`` or ``ACTR(noise=0.3)``)
        Its parameters not in ``grid`` keep the instance's (or the class defaults').
    environment : environment function (e.g. ``environments.power_law``), EventStream or experiment
        A function is called lazily, once per environment setting and replicate,
        with ``environment_kwargs``, its grid values and a seed; a fixed stream is
        met by every run. An experiment (:func:`simulator.experiment`, e.g.
        :func:`simulator.schedule_experiment`) runs the agent itself: it is called
        once per run with the agent, ``environment_kwargs``, its grid and regime
        values and the run's agent seed, and returns the run's Dataset.
    grid : dict of name -> list of values
        Each name an agent parameter (a field of the agent) or an argument of the
        environment function; a name that is both, or neither, is a ValueError.
        The output has one dim per key, in this order, with these values as coords.
    replicates : int
        Runs per grid cell, each with its own seeds (dim ``replicate``).
    seed : int, SeedSequence, Generator or None
        Root of every run's seeds. Run (cell, replicate) gets children of the root
        derived from its grid position alone, so the output is the same bit for bit
        whatever the backend, number of workers, chunking or order of completion.
        The environment seed depends only on the environment cell and replicate:
        every agent setting meets the same streams (common random numbers). The
        root's entropy is in ``attrs["seed_entropy"]``.
    backend : "serial", "processes" or "dask"
        Where runs go: this process; ``workers`` local processes; or a
        ``dask.distributed`` cluster (``client``, or a LocalCluster of ``workers``
        single-threaded worker processes created for the sweep). Work is sent in
        chunks of runs, so scheduling costs little and each worker holds one chunk.
        Local worker processes (and those of a LocalCluster the sweep creates) are
        forked from a fork server that has loaded the toolkit once, so they start
        warm (spawned where the platform has no fork server). The server lives as
        long as this Python process: its workers see the toolkit's code and the
        environment variables as they were at the first such sweep. A script using
        them needs the usual ``if __name__ == "__main__":`` guard (a call outside it
        is a ValueError before any worker starts). A worker exits when this process
        dies; a worker that dies (killed, out of memory) ends the sweep with a
        :class:`SweepError` naming the runs not computed.
    client : dask.distributed.Client, optional
        The cluster to use with ``backend="dask"``.
    store : path ending in ``.zarr``, optional
        Write results chunk by chunk (each chunk its own Zarr region) with a record
        of finished runs (``finished``); the returned Dataset is then read lazily
        from the store. An existing store is an error unless ``resume`` or
        ``overwrite``. Each run's stored values are recorded with a digest, so a
        damaged store (a chunk file lost, changed, swapped or unreadable; a
        variable's metadata removed) is found: ``resume`` recomputes the damaged
        runs (and warns what it redid), :func:`open_sweep` refuses to read it.
    resume : bool
        Continue the sweep in ``store``: only runs not yet finished are computed,
        and the store ends identical to an uninterrupted run's. The arguments must
        describe the same sweep; ``seed=None`` takes the stored seed. Every
        finished run is checked against its digest first.
    reduce : "retention", "probes", "events", "need", function or None
        What each run keeps. None (default): ``"retention"``, or for an experiment
        the Dataset it returns. ``"retention"``, recall per lag bin on the fixed
        ``bins`` (``p_recall``, ``recalled``, ``n_events`` over dim ``lag``);
        ``"probes"``, the probe x task matrix ``probe_accuracy`` (needs
        ``probe_times``); ``"events"``, every per-event variable (small sweeps
        only); ``"need"``, :func:`simulator.predict_need`'s ``hit_rate`` (top 10)
        and ``mean_reciprocal_rank`` over dim ``model`` (the run is a need
        prediction, not :func:`simulator.run`); or ``f(run_dataset) -> Dataset``,
        whose data variables are stacked and whose coordinates must be the same for
        every run (a picklable, module-level function for the process and dask
        backends).
    progress : bool
        Show a progress bar (runs done, rate, time left) on a terminal or in Jupyter.
    bins : array_like, optional
        Lag bin edges in seconds for ``"retention"``; default
        ``simulator.reductions.DEFAULT_LAG_EDGES``, 4 log-spaced bins per decade
        from 1 s to 10^6 s, so every run and every sweep shares the ``lag`` coord.
    probe_times : array_like, rule or callable, optional
        Passed to :func:`simulator.run`: times at which every item is probed, or a
        rule resolved on each run's stream (``"task_ends"``, ``{"rule":
        "task_ends", "per_task": k}``, ``f(stream) -> times``). With a rule and
        ``reduce="probes"``, runs may differ in probes and tasks (e.g. a grid over
        ``n_tasks``): the ``probe`` and ``task`` dims are padded with NaN to the
        largest run (:func:`simulator.reductions.pad_probes`) and each run's probe
        times are the variable ``probe_time``.
    environment_kwargs : dict, optional
        Fixed arguments of the environment function (e.g. ``n_events``).
    workers : int, optional
        Worker processes for ``"processes"`` or a created LocalCluster; default the
        number of CPUs.
    chunk_size : int, optional
        Runs per chunk; default ``n_runs // (8 * workers)``, between 1 and 64.
        A chunk spans the agent parameters first, so each stream it meets is
        generated once for all of them.
    regimes : dict, optional
        Named parameter overrides, a leading ``regime`` dim: see :func:`sweep_regimes`.
    label : str
        The text before the progress bar.
    overwrite : bool
        Replace an existing ``store`` (removed once every argument is checked).
    timeout : float
        Seconds the dask backend waits for the cluster to take the sweep's data, or
        without any worker, before it gives up with a :class:`SweepError` (the
        finished chunks are kept).

    Returns
    -------
    xarray.Dataset
        The reduction's variables over dims ``(["regime"], *grid, "replicate", ...)``; attrs
        hold the agent's other parameters, the environment's arguments, the seed
        entropy and the sweep's description (``attrs["sweep"]``, JSON).

    Raises
    ------
    ValueError
        Before anything runs, for any bad argument or grid value (naming it).
    SweepError
        After the sweep, if runs failed or a worker or the cluster was lost: names
        the failing run's parameters, or the runs not computed; the finished chunks
        are kept (``error.partial``, and in ``store``).
    DamagedStoreError
        (a ValueError) With ``resume``, if the store is damaged beyond repair.
    """
    workers = _worker_count(backend, client, workers)
    path = None if store is None else _store.check_path(store)
    if resume and path is None:
        raise ValueError("resume needs a store")
    if overwrite and path is None:
        raise ValueError("overwrite needs a store")
    if resume and overwrite:
        raise ValueError("resume continues a store, overwrite replaces it: pass one of them")
    timeout = check_number("timeout", timeout, 0.0, None, low_open=True)
    existing = path is not None and (path.exists() or path.is_symlink())
    if existing and not (resume or overwrite):
        raise ValueError(f"store {str(path)!r} exists; pass resume=True to continue it, "
                         f"or overwrite=True to replace it")
    if path is not None and not (existing and resume):
        _store.check_target(path)
    if backend == "processes" or (backend == "dask" and client is None):
        check_main_guard()
    if existing and resume and seed is None:
        try:
            seed = _store.stored_seed(path)
        except DamagedStoreError:
            raise
        except (KeyError, ValueError, TypeError):
            raise DamagedStoreError(f"store {str(path)!r} is damaged or not a cogmemsim sweep "
                                    f"store: it records no seed") from None

    plan, attrs = make_plan(agent, environment, grid, replicates, seed, reduce, bins,
                            probe_times, environment_kwargs, chunk_size, workers, regimes)
    if existing and overwrite:
        _store.remove(path)  # every argument is checked: the old store can go
        existing = False
    finished = np.zeros(plan.shape, bool)
    inspection = None
    if existing:
        _store.check_same_sweep(path, attrs)
        # the store's chunks are the regions its runs were written in
        plan = dataclasses.replace(plan, chunk_shape=_store.chunk_shape(path))
        inspection = _store.inspect(path)
        finished = inspection.finished
        if inspection.problems:
            message = (f"{inspection.message(path)}; recomputing "
                       f"{int((~finished).sum())} of {plan.n_runs} runs")
            log.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)
    if backend == "processes" or (backend == "dask" and client is None):
        _start_worker_server()  # warms up while this process makes the first run
    # a store whose coordinates are damaged cannot give the template: the first run does
    usable = finished if inspection is None or not inspection.coordinates else \
        np.zeros_like(finished)
    template, first = _first_run(plan, path, usable)
    coords = grid_coords(plan)
    if path is not None and not existing:
        _store.create_store(path, plan, template, coords, attrs)
    elif inspection is not None and (inspection.missing or inspection.coordinates):
        _store.repair(path, plan, template, coords, attrs, inspection)
    todo = [b for b in plan.blocks() if not finished[plan.block_slices(b)].all()]
    results = _StoreResults(path, plan, template) if path is not None else _MemoryResults(
        plan, template, coords, attrs)

    failures, lost, reason = [], [], None
    log.info("sweep %s: %d runs over %s, %d to compute, backend %s%s", attrs.get("title", ""),
             plan.n_runs, " x ".join(plan.dims), sum(plan.block_runs(b) for b in todo), backend,
             f", store {path}" if path is not None else "")
    bar = tqdm(total=plan.n_runs, initial=plan.n_runs - sum(plan.block_runs(b) for b in todo),
               desc=label, unit="run", disable=not progress)
    with bar:
        for block, outcome in _execute(plan, template, first, todo, backend, client, workers,
                                       timeout):
            if isinstance(outcome, SweepCellError):
                failures.append(outcome)
            elif isinstance(outcome, _Lost):
                lost.append(block)
                reason = reason or outcome.reason
            else:
                results.put(block, outcome)
                bar.update(plan.block_runs(block))
    if failures or lost:
        where = f"finished chunks are in {str(path)!r} (resume=True computes the rest)" \
            if path is not None else "finished chunks are in error.partial"
        if lost:
            runs = sum(plan.block_runs(b) for b in lost)
            first_lost = plan.describe(tuple(s.start for s in plan.block_slices(min(lost))))
            text = (f"{reason}: {runs} runs in {len(lost)} of {len(todo)} chunks were not "
                    f"computed (the first: {first_lost}); {where}")
            if failures:
                text += f". A run also failed: {failures[0]}"
        else:
            text = (f"{len(failures)} of {len(todo)} chunks failed; {where}. "
                    f"First failure: {failures[0]}")
        raise SweepError(" ".join(text.split()), partial=results.dataset(partial=True))
    log.info("sweep finished: %d runs", plan.n_runs)
    return results.dataset()


def open_sweep(store):
    """A stored sweep, lazily, after checking every finished run against its digest.

    Parameters
    ----------
    store : path ending in ``.zarr``
        A store written by :func:`sweep` (finished or not: runs not yet finished
        are NaN, and ``finished`` says which).

    Returns
    -------
    xarray.Dataset
        The stored variables and ``finished``, read lazily.

    Raises
    ------
    DamagedStoreError
        (a ValueError) If a finished run's stored values are missing, unreadable or
        differ from what was written; the message names the first damaged variable
        and chunk. ``sweep(..., store=store, resume=True)`` recomputes them.
    """
    path = _store.check_path(store)
    if not path.exists():
        raise ValueError(f"store does not exist: {str(path)!r}")
    inspection = _store.inspect(path)
    if inspection.legacy:
        warnings.warn(f"store {str(path)!r} was written by an earlier cogmemsim, without "
                      f"digests: its values cannot be checked (resuming it recomputes every "
                      f"run and adds them)", RuntimeWarning, stacklevel=2)
    elif inspection.problems:
        raise DamagedStoreError(f"{inspection.message(path)}; resume the sweep "
                                f"(resume=True) to recompute the damaged runs")
    return _store.open_store(path)


def sweep_regimes(agent, environment, regimes, grid=None, **kwargs):
    """Sweep several named regimes at once, stacked along a leading ``regime`` dim.

    A regime is a set of overrides of environment arguments and agent parameters,
    e.g. ``{"none": {"rehearsal": "none"}, "ewc": {"rehearsal": "none", "ewc": 100.0},
    "power": {"rehearsal": "power", "exponent": 1.0}}``: comparisons that are not a
    full grid (EWC only without rehearsal, exponents only for ``"power"``). Every
    regime's runs share one pool or cluster and one progress bar, and the regime
    does not enter the seeds: ``result.sel(regime=r)`` equals
    ``sweep(agent with r's agent overrides, environment, grid,
    environment_kwargs={**environment_kwargs, **r's environment overrides},
    seed=seed, ...)`` bit for bit (common random numbers across regimes).

    Parameters
    ----------
    agent, environment : as for :func:`sweep`
    regimes : dict of name -> dict of parameter -> value
        Each key an agent parameter or an argument of the environment function
        (not a grid key); overrides replace ``environment_kwargs`` and the agent's
        values.
    grid : dict, optional
        More dims crossed with every regime (e.g. ``{"hidden": [50, 100]}``).
    **kwargs
        Every other argument of :func:`sweep` (``replicates``, ``seed``,
        ``backend``, ``workers``, ``reduce``, ``probe_times``, ``store``, ...).

    Returns
    -------
    xarray.Dataset
        What :func:`sweep` returns, with a leading ``regime`` dim (the regimes'
        names as coordinate).
    """
    return sweep(agent, environment, grid, regimes=regimes, **kwargs)


def check_main_guard():
    """Raise ValueError if a sweep's worker processes would start the sweep again.

    Local workers (and those of a LocalCluster) start by importing the script that
    ``__main__`` runs, as ``multiprocessing`` does on every platform but plain
    ``fork``; a sweep called at the script's top level, outside an ``if __name__ ==
    "__main__":`` block, would run again in every worker. Found here, from the
    script's source and the line being run, before any worker starts; and in a
    worker importing such a script, where it stops the import.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise ValueError("a sweep was started while a worker process imported the main "
                         "script: put the sweep under `if __name__ == \"__main__\":`")
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    spec = getattr(main, "__spec__", None)
    if main is None or path is None or (spec is not None and spec.name.endswith("__main__")):
        return  # interactive, Jupyter, ``python -c`` or a package's __main__: not re-run
    line = None
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            line = frame.f_lineno
        frame = frame.f_back
    if line is None:
        return
    try:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read())
    except (OSError, SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_main_test(node.test) and node.body and (
                node.body[0].lineno <= line <= node.body[-1].end_lineno):
            return
    raise ValueError(
        f"{path}:{line} starts a sweep with worker processes outside an "
        f"`if __name__ == \"__main__\":` block; each worker imports {os.path.basename(path)} "
        f"and would start the sweep again: put the sweep under that guard, or use "
        f"backend='serial'")


def _is_main_test(test):
    """Whether an ``if`` test is ``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(texts) == 1


def _worker_count(backend, client, workers):
    """Check the backend arguments; the number of workers the chunks are shared by."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if client is not None and backend != "dask":
        raise ValueError("client is used with backend='dask' only")
    if workers is None:
        workers = os.cpu_count() or 1
    workers = check_number("workers", workers, 1, None, integer=True)
    if backend == "serial":
        return 1
    if backend == "dask" and client is not None:
        return max(1, len(client.scheduler_info()["workers"]))
    return workers


class _Lost:
    """The outcome of a chunk that was never computed: its worker or the cluster was lost."""

    def __init__(self, reason):
        self.reason = reason


def _first_run(plan, path, finished):
    """``(template, first)``: the shapes and coordinates of every run's results, and the
    first run's reduction when it had to be computed for them (it is not computed again).

    A resumed sweep whose first run is stored reads the template from the store.
    """
    if finished.flat[0]:
        return _store.stored_template(path, plan), None
    try:
        first = reduce_run(plan, (0,) * len(plan.shape), {})
    except SweepCellError as err:
        raise SweepError(f"the first run failed, so nothing else ran: {err}") from err
    return first, first


class _MemoryResults:
    """Chunks gathered into in-memory arrays."""

    def __init__(self, plan, template, coords, attrs):
        self.plan, self.template, self.coords, self.attrs = plan, template, coords, attrs
        self.arrays = {name: np.full(plan.shape + var.shape, np.nan if var.dtype.kind == "f"
                                     else 0, var.dtype)
                       for name, var in template.data_vars.items()}
        self.finished = np.zeros(plan.shape, bool)

    def put(self, block, arrays):
        where = self.plan.block_slices(block)
        for name, array in arrays.items():
            self.arrays[name][where] = array
        self.finished[where] = True

    def dataset(self, partial=False):
        dims = self.plan.dims
        data_vars = {name: (dims + var.dims, self.arrays[name], var.attrs)
                     for name, var in self.template.data_vars.items()}
        if partial:
            data_vars["finished"] = (dims, self.finished, SWEEP_VARIABLES["finished"])
        ds = xr.Dataset(data_vars, coords=self.coords, attrs=self.attrs)
        return ds.assign_coords(self.template.coords)


class _StoreResults:
    """Chunks written to the Zarr store as they arrive."""

    def __init__(self, path, plan, template):
        self.path, self.plan, self.template = path, plan, template
        # the order the store records (a template read back from a store may list its
        # variables in another order)
        self.names = _store.digest_names(path)

    def put(self, block, arrays):
        _store.write_block(self.path, self.plan, block, arrays, self.template, self.names)

    def dataset(self, partial=False):
        ds = _store.open_store(self.path)
        return ds if partial else ds.drop_vars("finished")


def _execute(plan, template, first, blocks, backend, client, workers, timeout):
    """Yield ``(block, arrays, SweepCellError or _Lost)`` for every block, as they finish."""
    if not blocks:
        return iter(())
    if backend == "serial":
        return _serial(plan, template, first, blocks)
    if backend == "processes":
        return _processes(plan, template, first, blocks, workers)
    return _dask(plan, template, first, blocks, client, workers, timeout)


def _serial(plan, template, first, blocks):
    for block in blocks:
        try:
            yield block, compute_block(plan, block, template, first)
        except SweepCellError as err:
            yield block, err


_WORKER_START = "simulator.sweeps._worker_start"

# A process worker receives the plan and template once, at start-up, not with every chunk.
_WORKER_STATE = {}


def _init_worker(plan, template, first):
    exit_with_parent()
    _WORKER_STATE.update(plan=plan, template=template, first=first)


def exit_with_parent():
    """In a worker process: exit at once when the process that started it dies.

    A thread waits on the parent's sentinel (a pipe the parent holds open; its end
    of it closes when the parent dies, however it dies), so a killed sweep leaves
    no worker computing on, and the fork server, which lives while any process
    holds its pipe, exits with the last of them.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="cogmemsim-exit-with-parent", daemon=True).start()


def _compute_in_worker(block):
    return compute_block(_WORKER_STATE["plan"], block, _WORKER_STATE["template"],
                         _WORKER_STATE["first"])


def _worker_context():
    """The multiprocessing context local sweep workers start in.

    ``"forkserver"`` where the platform has it: workers are forked from a server
    that has imported the toolkit and loaded its kernels (``simulator.sweeps._worker_start``),
    so each starts warm; the server is started once per Python process and serves
    every later sweep. Elsewhere ``"spawn"``. Never plain ``"fork"``: forking a process
    that holds threads (dask, Jupyter) can deadlock.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([_WORKER_START])
    return context


def _start_worker_server():
    """Start the fork server now (it warms up in the background) if workers use one."""
    if _worker_context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def _processes(plan, template, first, blocks, workers):
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(workers, len(blocks)), mp_context=_worker_context(),
        initializer=_init_worker, initargs=(plan, template, first))
    try:
        futures = {pool.submit(_compute_in_worker, block): block for block in blocks}
        for future in concurrent.futures.as_completed(futures):
            yield futures[future], _outcome(future)
    finally:
        pool.shutdown(cancel_futures=True)


#: Seconds between checks that a dask cluster still has workers and a scheduler.
_DASK_POLL = 2.0


def _dask(plan, template, first, blocks, client, workers, timeout):
    import dask
    from distributed import Client, LocalCluster

    cluster = None
    if client is None:
        # its worker processes start warm from the sweep's fork server, as local workers do
        method = _worker_context().get_start_method()
        with dask.config.set({"distributed.worker.multiprocessing-method": method}):
            cluster = LocalCluster(n_workers=min(workers, len(blocks)), threads_per_worker=1,
                                   processes=True, dashboard_address=":0")
        client = Client(cluster)
    futures = {}
    try:
        # sent to every worker once, not with every chunk
        try:
            client.wait_for_workers(1, timeout=timeout)
            plan_f, template_f, first_f = client.scatter([plan, template, first],
                                                         broadcast=True, timeout=timeout)
        except Exception as err:  # noqa: BLE001 - a dead or stuck cluster, whatever the error
            for block in blocks:
                yield block, _Lost(f"the dask cluster did not take the sweep's data within "
                                   f"{timeout:g} s ({type(err).__name__}; is its scheduler "
                                   f"running, with workers?)")
            return
        futures = {client.submit(compute_block, plan_f, block, template_f, first_f, pure=False):
                   block for block in blocks}
        yield from _dask_results(client, futures, timeout)
    finally:
        if futures:
            try:
                client.cancel(list(futures))
            except Exception:  # noqa: BLE001 - the cluster may be gone already
                pass
        if cluster is not None:
            client.close()
            cluster.close()


def _dask_results(client, futures, timeout):
    """Yield ``(block, outcome)`` as dask futures finish; a cluster without workers or
    scheduler for ``timeout`` seconds loses every chunk still pending."""
    from distributed import wait

    pending = dict(futures)
    stalled_since = None
    while pending:
        try:
            done = wait(list(pending), timeout=min(_DASK_POLL, timeout),
                        return_when="FIRST_COMPLETED").done
        except TimeoutError:
            done = ()
        for future in done:
            yield pending.pop(future), _outcome(future)
        if done:
            stalled_since = None
            continue
        healthy = client.status == "running" and bool(client.scheduler_info()["workers"])
        if healthy:
            stalled_since = None
        elif stalled_since is None:
            stalled_since = time.monotonic()
        elif time.monotonic() - stalled_since >= timeout:
            what = "scheduler" if client.status != "running" else "workers"
            for block in pending.values():
                yield block, _Lost(f"the dask cluster had no {what} for {timeout:g} s")
            return


def _outcome(future):
    """A chunk's arrays, its SweepCellError, or :class:`_Lost` when its worker died."""
    try:
        return future.result()
    except SweepCellError as err:
        return err
    except concurrent.futures.process.BrokenProcessPool:
        return _Lost("a worker process died (killed, or out of memory)")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # noqa: BLE001 - e.g. dask's KilledWorker, CancelledError
        return _Lost(f"a worker was lost ({type(err).__name__}: {str(err)[:120]})")
