"""Sweep throughput: 2 worker processes vs 1, and the dask backend vs local processes.

A 64-cell (8 decays x 8 environment exponents) x 4-replicate sweep of ACT-R in
power-law environments, reduced to retention curves, run end to end (worker
start-up and the parent's first run included) with the sweep's default chunks:

- ``backend="processes"`` with 1 worker and with 2 workers, interleaved
  (1, 2, 1, 2, ...) ``--repeats`` times because a shared machine's load drifts:
  the median ratio of wall times (target >= 1.7x on a 2-core machine), and a
  ratio of CPU times that other processes' load does not distort: each sweep's
  critical path if every process had a core, the parent's CPU time plus its
  busiest worker's;
- each worker's share of the runs (load balance), and the cost of starting the
  fork server that workers are forked from (paid once per Python process);
- ``backend="dask"`` on a LocalCluster of 2 single-threaded worker processes it
  creates, vs 2 processes, both starting their workers: the median ratio
  (target within 20 %); and dask on an already running cluster of 2 workers;
- worker memory: each run records its worker's peak resident set size; the peak
  for the full 256-run sweep is compared with a 64-run sweep in the same chunks,
  which should be the same if a worker holds one chunk, not the sweep.

All sweeps must agree bit for bit (checked). Load from other processes slows the
wall-time figures; the load average is printed with them.

    python benchmarks/bench_sweep.py [--events 100000] [--repeats 3]
"""
import argparse
import concurrent.futures
import os
import resource
import sys
import time

import numpy as np
import xarray as xr
from distributed import Client, LocalCluster

import environments as env
import simulator
from simulator.reductions import keep_retention
from simulator.sweeps.api import _worker_context

DECAYS = np.linspace(0.3, 0.7, 8).round(3).tolist()
EXPONENTS = np.linspace(0.5, 1.5, 8).round(3).tolist()
RESULTS = ["p_recall", "recalled", "n_events"]


def retention_and_worker(ds):
    """The retention reduction plus the pid, CPU time and peak RSS of the process that ran it."""
    kept = keep_retention(ds)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    kept["worker_peak_rss"] = ((), peak, {"long_name": "worker peak resident memory",
                                          "units": "MiB"})
    kept["worker_pid"] = ((), os.getpid(), {"long_name": "worker process id", "units": "1"})
    kept["worker_cpu"] = ((), time.process_time(), {
        "long_name": "worker CPU time since it started, after this run", "units": "s"})
    return kept


def timed_sweep(grid, args, **kwargs):
    """``(wall seconds, critical-path CPU seconds, dataset)`` of one sweep, end to end.

    The CPU figure is the parent's CPU time during the sweep plus the CPU time of its
    busiest worker (a worker's clock starts when it is forked or spawned).
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    ds = simulator.sweep(simulator.ACTR, env.power_law, grid, replicates=4, seed=2026,
                         reduce=retention_and_worker, progress=False,
                         environment_kwargs={"n_events": args.events},
                         chunk_size=args.chunk_size, **kwargs)
    wall, parent_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return wall, parent_cpu + max(worker_cpu(ds).values(), default=0.0), ds


def worker_cpu(ds):
    """``{pid: CPU seconds}`` of each worker process (the parent's first run left out)."""
    pids, cpu = ds["worker_pid"].values.ravel(), ds["worker_cpu"].values.ravel()
    return {int(p): float(cpu[pids == p].max()) for p in np.unique(pids) if p != os.getpid()}


def run_shares(ds):
    """Fraction of the runs each worker process made (the parent's first run left out)."""
    pids = ds["worker_pid"].values.ravel()
    pids = pids[pids != os.getpid()]
    return sorted((np.unique(pids, return_counts=True)[1] / pids.size).round(3).tolist())


def fork_server_start():
    """Seconds to start the fork server (which loads the toolkit) and fork a first worker."""
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=_worker_context()) as pool:
        pool.submit(os.getpid).result()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events per run")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="runs per chunk (default: the sweep's default)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (median)")
    args = parser.parse_args()
    grid = {"decay": DECAYS, "exponent": EXPONENTS}
    # compile the kernels into the on-disk cache so no worker compiles them
    simulator.sweep(simulator.ACTR, env.power_law, {"decay": [0.5]}, progress=False,
                    environment_kwargs={"n_events": 100})
    server_s = fork_server_start()

    timings = {}
    configs = {"one": {"backend": "processes", "workers": 1},
               "two": {"backend": "processes", "workers": 2},
               "dask": {"backend": "dask", "workers": 2}}
    for _ in range(args.repeats):
        for name, kwargs in configs.items():
            timings.setdefault(name, []).append(timed_sweep(grid, args, **kwargs))
    # steady-state throughput: workers already started, as on a cluster that serves
    # many sweeps (run after the others: an idle cluster's processes take some CPU)
    for name, n_workers in [("running", 2), ("running_one", 1)]:
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            timings[name] = [timed_sweep(grid, args, backend="dask", client=client)
                             for _ in range(args.repeats if n_workers == 2 else 1)]
    # a quarter of the sweep in chunks of the same size (the default for 256 runs, 2 workers)
    quarter = {"decay": DECAYS[:4], "exponent": EXPONENTS[:4]}
    args.chunk_size = args.chunk_size or len(DECAYS) * len(EXPONENTS) * 4 // (8 * 2)
    _, _, small = timed_sweep(quarter, args, backend="processes", workers=2)

    reference = timings["one"][0][2][RESULTS]
    for name, results in timings.items():
        for _, _, ds in results:
            xr.testing.assert_identical(reference, ds[RESULTS])
    wall = {name: np.array([r[0] for r in results]) for name, results in timings.items()}
    cpu = {name: np.array([r[1] for r in results]) for name, results in timings.items()}
    two = timings["two"][-1][2]
    runs = two["p_recall"].shape[0] * two["p_recall"].shape[1] * 4

    print(f"sweep: {len(DECAYS)} decays x {len(EXPONENTS)} exponents x 4 replicates = "
          f"{runs} runs of {args.events} events; {args.repeats} interleaved repeats, medians; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"fork server start (once per Python process): {server_s:.2f} s")
    for name, label in [("one", "processes, 1 worker"), ("two", "processes, 2 workers"),
                        ("dask", "dask LocalCluster, 2 workers"),
                        ("running", "dask, running cluster of 2"),
                        ("running_one", "dask, running cluster of 1")]:
        # a running cluster's workers started before the sweep: their CPU clocks say nothing
        cpu_text = "" if name.startswith("running") else \
            f"; critical-path CPU {np.median(cpu[name]):6.2f} s"
        print(f"{label:30s}: {np.median(wall[name]):6.2f} s wall "
              f"({', '.join(f'{w:.2f}' for w in wall[name])}), {runs / np.median(wall[name]):6.2f} "
              f"runs/s{cpu_text}")
    print(f"speed-up, 2 workers vs 1 end to end: {np.median(wall['one'] / wall['two']):.2f}x wall "
          f"(median of paired repeats), {np.median(cpu['one'] / cpu['two']):.2f}x CPU-based; "
          f"steady state {np.median(wall['running_one']) / np.median(wall['running']):.2f}x "
          f"(target >= 1.7x)")
    print(f"share of runs per worker, 2 workers: {run_shares(two)}")
    print(f"dask time / processes time: {np.median(wall['dask'] / wall['two']):.2f}  "
          f"(target <= 1.20)")
    full_peak = float(two["worker_peak_rss"].max())
    small_peak = float(small["worker_peak_rss"].max())
    print(f"worker peak RSS, 256-run sweep: {full_peak:.0f} MiB; 64-run sweep: "
          f"{small_peak:.0f} MiB; ratio {full_peak / small_peak:.2f} (1.00: bounded by a chunk)")
    print(f"results of the whole sweep: {two[RESULTS].nbytes / 2**10:.0f} KiB")


if __name__ == "__main__":
    main()
