import functools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings, strategies as st

import analysis
import environments as env
import simulator
from simulator.sweeps._plan import SweepPlan, _chunk_shape
from simulator.reductions import DEFAULT_LAG_EDGES, keep_retention

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRID = {"decay": [0.3, 0.5, 0.7], "exponent": [0.5, 1.0]}
SMALL = {"environment_kwargs": {"n_events": 3000}, "replicates": 2, "seed": 11,
         "progress": False}


@pytest.fixture(scope="module")
def serial():
    return simulator.sweep(simulator.ACTR, env.power_law, GRID, chunk_size=1, **SMALL)


def test_dataset_is_labelled_and_documented(serial):
    assert serial["p_recall"].dims == ("decay", "exponent", "replicate", "lag")
    np.testing.assert_array_equal(serial["decay"], GRID["decay"])
    np.testing.assert_array_equal(serial["exponent"], GRID["exponent"])
    np.testing.assert_array_equal(serial["replicate"], [0, 1])
    np.testing.assert_array_equal(serial["lag_lower"], DEFAULT_LAG_EDGES[:-1])
    for name in list(serial.variables):
        assert serial[name].attrs["long_name"], name
        assert "units" in serial[name].attrs, name
    assert serial["decay"].attrs["long_name"] == "base-level decay d"
    assert serial["exponent"].attrs["units"] == env.power_law.parameter_units["exponent"] == "1"
    assert serial.attrs["agent"] == "ACTR" and serial.attrs["agent_noise"] == 0.25
    assert "agent_decay" not in serial.attrs  # swept: a dim, not an attr
    assert serial.attrs["environment"] == "power_law"
    assert serial.attrs["environment_n_events"] == 3000
    assert serial.attrs["seed_entropy"] == "11"
    assert json.loads(serial.attrs["sweep"])["grid"] == [[k, v] for k, v in GRID.items()]


def test_each_run_is_a_seeded_run_reduced_to_its_retention_curve(serial):
    # cell (decay=0.7, exponent=1.0), replicate 1: seeds from its grid position only
    decay_index, exponent_index, replicate = 2, 1, 1
    stream = env.power_law(3000, exponent=1.0, seed=np.random.SeedSequence(
        11, spawn_key=(0, exponent_index, replicate)))
    flat = decay_index * 2 + exponent_index
    ds = simulator.run(simulator.ACTR(decay=0.7), stream,
                       seed=np.random.SeedSequence(11, spawn_key=(1, flat, replicate)))
    expected = analysis.retention_curve(ds, bins=DEFAULT_LAG_EDGES)
    got = serial.sel(decay=0.7, exponent=1.0, replicate=1)
    np.testing.assert_array_equal(got["p_recall"], expected)
    np.testing.assert_array_equal(got["n_events"], expected["n_events"])
    recalled = analysis.retention_curve(ds, bins=DEFAULT_LAG_EDGES, variable="recalled")
    np.testing.assert_array_equal(got["recalled"], recalled)


def test_agents_share_streams_replicates_do_not(serial):
    counts = serial["n_events"]
    # common random numbers: every decay meets the same stream, so bins hold the same events
    assert (counts == counts.isel(decay=0)).all()
    assert not (counts.isel(replicate=0) == counts.isel(replicate=1)).all()
    p = serial["p_recall"].where(counts >= 30)
    assert bool((p.sel(decay=0.7) <= p.sel(decay=0.3)).where(counts.isel(decay=0) >= 30).all())


def test_backends_workers_and_chunking_give_identical_datasets(serial):
    from distributed import Client, LocalCluster

    processes = simulator.sweep(simulator.ACTR, env.power_law, GRID, backend="processes",
                                workers=2, chunk_size=5, **SMALL)
    xr.testing.assert_identical(processes, serial)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        dask = simulator.sweep(simulator.ACTR, env.power_law, GRID, backend="dask",
                               client=client, chunk_size=2, **SMALL)
    xr.testing.assert_identical(dask, serial)


def test_store_holds_the_same_dataset(serial, tmp_path):
    stored = simulator.sweep(simulator.ACTR, env.power_law, GRID, store=tmp_path / "s.zarr",
                             chunk_size=4, **SMALL)
    xr.testing.assert_identical(stored.load(), serial)
    assert bool(analysis.load(tmp_path / "s.zarr")["finished"].all())
    # resuming a finished sweep computes nothing and changes nothing
    again = simulator.sweep(simulator.ACTR, env.power_law, GRID, store=tmp_path / "s.zarr",
                            resume=True, **{**SMALL, "seed": None})
    xr.testing.assert_identical(again.load(), serial)
    with pytest.raises(ValueError, match="exists; pass resume=True"):
        simulator.sweep(simulator.ACTR, env.power_law, GRID, store=tmp_path / "s.zarr", **SMALL)
    with pytest.raises(ValueError, match="holds a different sweep .*replicates"):
        simulator.sweep(simulator.ACTR, env.power_law, GRID, store=tmp_path / "s.zarr",
                        resume=True, **{**SMALL, "replicates": 3})


JOB = """
import sys, time
import environments as env, simulator
from simulator.reductions import keep_retention

def logged_retention(ds):
    # which run this is: its agent seed's spawn key (1, cell, replicate)
    with open(sys.argv[2], "a") as log:
        log.write(ds.attrs["seed_spawn_key"] + "\\n")
    time.sleep(float(sys.argv[3]))
    return keep_retention(ds)

if __name__ == "__main__":
    simulator.sweep(simulator.ACTR, env.power_law, {"decay": [0.3, 0.5, 0.7],
                    "exponent": [0.5, 1.0]}, replicates=2, seed=5, store=sys.argv[1],
                    resume=True, reduce=logged_retention, chunk_size=2, progress=False,
                    environment_kwargs={"n_events": 2000})
"""


def test_killed_sweep_resumes_to_the_same_store_without_recomputing(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(JOB)

    def job(store, log, delay):
        return subprocess.Popen([sys.executable, str(script), str(store), str(log), str(delay)],
                                cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT))

    def runs(log):
        return log.read_text().split() if log.exists() else []

    assert job(tmp_path / "whole.zarr", tmp_path / "whole.log", 0).wait(120) == 0
    assert sorted(runs(tmp_path / "whole.log")) == sorted(
        f"1,{cell},{rep}" for cell in range(6) for rep in range(2))  # each run once

    killed_log = tmp_path / "killed.log"
    killed = job(tmp_path / "cut.zarr", killed_log, 0.3)
    deadline = time.monotonic() + 120
    while len(runs(killed_log)) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    finished = analysis.load(tmp_path / "cut.zarr")["finished"].values
    assert 0 < finished.sum() < finished.size  # killed part way

    resumed_log = tmp_path / "resumed.log"
    assert job(tmp_path / "cut.zarr", resumed_log, 0).wait(120) == 0
    recomputed = runs(resumed_log)
    done_before = {f"1,{np.ravel_multi_index(i[:2], (3, 2))},{i[2]}"
                   for i in zip(*np.nonzero(finished))}
    assert len(recomputed) == len(set(recomputed))  # nothing computed twice on resume
    assert not done_before & set(recomputed)  # finished runs were not recomputed
    assert done_before | set(recomputed) == set(runs(tmp_path / "whole.log"))  # none lost
    xr.testing.assert_identical(analysis.load(tmp_path / "cut.zarr"),
                                analysis.load(tmp_path / "whole.zarr"))


def fails_for_slow_decay(ds):
    if ds.attrs["agent_decay"] == 0.7 and ds.attrs["environment_exponent"] == 1.0:
        raise FloatingPointError("simulated failure")
    return keep_retention(ds)


def test_a_failing_run_is_named_and_finished_chunks_are_kept(serial, tmp_path):
    args = dict(reduce=fails_for_slow_decay, chunk_size=2, store=tmp_path / "f.zarr", **SMALL)
    with pytest.raises(simulator.SweepError,
                       match=r"2 of 8 chunks failed.*run decay=0\.7, exponent=1\.0, "
                             r"replicate=0 failed: FloatingPointError: simulated failure"):
        simulator.sweep(simulator.ACTR, env.power_law, GRID, **args)
    stored = analysis.load(tmp_path / "f.zarr")
    finished = stored["finished"]
    assert int(finished.sum()) == 10 and not finished.sel(decay=0.7, exponent=1.0).any()
    kept = stored.drop_vars("finished").where(finished)
    xr.testing.assert_equal(kept["p_recall"], serial["p_recall"].where(finished))

    with pytest.raises(simulator.SweepError, match="decay=0.7, exponent=1.0") as caught:
        simulator.sweep(simulator.ACTR, env.power_law, GRID, reduce=fails_for_slow_decay,
                        backend="processes", workers=2, chunk_size=2, **SMALL)
    partial = caught.value.partial
    xr.testing.assert_equal(partial["finished"], finished)
    xr.testing.assert_equal(partial["p_recall"].where(finished), kept["p_recall"])


def always_fails(ds):
    raise KeyError("no such variable")


def test_a_failing_first_run_stops_the_sweep_at_once(tmp_path):
    with pytest.raises(simulator.SweepError, match="first run failed, so nothing else ran: "
                       "run decay=0.3, exponent=0.5, replicate=0 failed: KeyError"):
        simulator.sweep(simulator.ACTR, env.power_law, GRID, reduce=always_fails,
                        store=tmp_path / "none.zarr", **SMALL)
    assert not (tmp_path / "none.zarr").exists()


def test_probes_and_events_reductions():
    stream = env.power_law(500, seed=1)
    probes = simulator.sweep(simulator.ACTR(noise=0.4), stream, {"decay": [0.4, 0.6]},
                             replicates=2, seed=3, reduce="probes",
                             probe_times=[100, 499, 1000], progress=False)
    assert probes["probe_accuracy"].dims == ("decay", "replicate", "probe", "task")
    np.testing.assert_array_equal(probes["probe_time"], [100, 499, 1000])
    single = simulator.run(simulator.ACTR(decay=0.6, noise=0.4), stream,
                           seed=np.random.SeedSequence(3, spawn_key=(1, 1, 0)),
                           probe_times=[100, 499, 1000])
    np.testing.assert_array_equal(probes["probe_accuracy"].sel(decay=0.6, replicate=0),
                                  single["probe_accuracy"])

    events = simulator.sweep(simulator.ACTR, stream, {"decay": [0.4, 0.6]}, seed=3,
                             reduce="events", progress=False)
    assert events["p_recall"].dims == ("decay", "replicate", "event")
    np.testing.assert_array_equal(events["item"].sel(decay=0.4, replicate=0), stream.item)
    np.testing.assert_array_equal(events["p_recall"].sel(decay=0.6, replicate=0),
                                  simulator.run(simulator.ACTR(decay=0.6), stream,
                                                seed=np.random.SeedSequence(
                                                    3, spawn_key=(1, 1, 0)))["p_recall"])
    curve = analysis.retention_curve(events, bins=DEFAULT_LAG_EDGES)
    assert curve.dims == ("decay", "replicate", "lag")


def mean_latency(ds):
    return xr.Dataset({"latency": ((), ds["latency"].mean().item(),
                                   {"long_name": "mean latency", "units": "s"})})


def test_user_reduction_and_progress_bar(capsys):
    ds = simulator.sweep(simulator.ACTR(noise=0.0), env.power_law,
                         {"latency_factor": [1.0, 2.0]}, environment_kwargs={"n_events": 300},
                         seed=1, reduce=mean_latency)
    assert ds["latency"].dims == ("latency_factor", "replicate")
    assert ds["latency"].attrs["units"] == "s"
    # without noise latency F exp(-f A) is proportional to F; both runs meet the same stream
    np.testing.assert_allclose(ds["latency"].sel(latency_factor=2.0),
                               2 * ds["latency"].sel(latency_factor=1.0), rtol=1e-12)
    assert "2/2" in capsys.readouterr().err


def env_with_decay(n_events, decay=1.0, seed=None):
    return env.power_law(n_events, exponent=decay, seed=seed)


CALLS = []


def counting_power_law(n_events, exponent=1.0, seed=None):
    if not isinstance(seed, np.random.SeedSequence) or type(seed) is np.random.SeedSequence:
        CALLS.append(exponent)  # a real call, not the argument check
    return env.power_law(n_events, exponent=exponent, seed=seed)


@pytest.mark.parametrize("grid, message", [
    ({}, "grid must be a non-empty dict"),
    ({"decai": [0.5]}, "grid key 'decai' names no parameter"),
    ({"decay": []}, r"grid\['decay'\] must be a non-empty list"),
    ({"decay": 0.5}, r"grid\['decay'\] must be a non-empty list"),
    ({"decay": [0.5, 0.5]}, r"grid\['decay'\] repeats a value"),
    ({"lag": [1]}, "grid key 'lag' is reserved"),
    ({"decay": [0.5, 1.5]}, r"^grid\['decay'\]: decay must be in \(0.0, 1.0\), got 1.5"),
    ({"exponent": [1.0, -1.0]}, r"^grid\['exponent'\]: exponent must be >= 0.0, got -1.0"),
    ({"n_events": [100, 0]}, r"^grid\['n_events'\]: n_events must be in 1\.\.2147483647, got 0"),
])
def test_bad_grids_fail_before_any_work(grid, message, tmp_path):
    CALLS.clear()
    with pytest.raises(ValueError, match=message):
        simulator.sweep(simulator.ACTR, counting_power_law, grid, store=tmp_path / "x.zarr",
                        environment_kwargs={} if "n_events" in grid else {"n_events": 100})
    assert CALLS == [] and not (tmp_path / "x.zarr").exists()


def test_bad_arguments_fail_before_any_work(tmp_path):
    def sweep(**kwargs):
        args = dict(agent=simulator.ACTR, environment=env.power_law, grid={"decay": [0.5]},
                    environment_kwargs={"n_events": 100})
        args.update(kwargs)
        return simulator.sweep(**args)

    with pytest.raises(ValueError, match="'decay' is ambiguous"):
        sweep(environment=env_with_decay)
    start = time.perf_counter()  # a billion events are checked, not generated
    with pytest.raises(ValueError, match="exponent must be"):
        sweep(grid={"exponent": [1.0, -2.0]}, environment_kwargs={"n_events": 10**9})
    assert time.perf_counter() - start < 5
    with pytest.raises(ValueError, match="needs n_events"):
        sweep(environment_kwargs={})
    with pytest.raises(ValueError, match="environment_kwargs key 'decay'"):
        sweep(environment_kwargs={"n_events": 100, "decay": 0.5})
    with pytest.raises(ValueError, match="names no parameter.*none \\(a fixed stream\\)"):
        sweep(environment=env.power_law(10, seed=1), grid={"exponent": [1.0]},
              environment_kwargs=None)
    with pytest.raises(ValueError, match="^agent must"):
        sweep(agent="ACTR")
    with pytest.raises(ValueError, match="^environment must"):
        sweep(environment=42)
    with pytest.raises(ValueError, match="^replicates must"):
        sweep(replicates=0)
    with pytest.raises(ValueError, match="^backend must"):
        sweep(backend="threads")
    with pytest.raises(ValueError, match="^reduce must"):
        sweep(reduce="mean")
    with pytest.raises(ValueError, match="needs probe_times"):
        sweep(reduce="probes")
    with pytest.raises(ValueError, match="^bins must"):
        sweep(bins=[10, 1])
    with pytest.raises(ValueError, match="^store must"):
        sweep(store=tmp_path / "x.nc")
    with pytest.raises(ValueError, match="resume needs a store"):
        sweep(resume=True)
    with pytest.raises(ValueError, match="^seed must"):
        sweep(seed=-1)


JIT_SCRIPT = """
import json, sys
import environments as env, simulator
ds = simulator.sweep(simulator.ACTR, env.power_law, {"decay": [0.4, 0.6]}, replicates=2,
                     seed=8, environment_kwargs={"n_events": 400}, progress=False)
json.dump({k: ds[k].values.tolist() for k in ("p_recall", "recalled", "n_events")}, sys.stdout)
"""


def test_jitted_and_pure_python_sweeps_agree():
    def sweep_with(disable_jit):
        out = subprocess.run([sys.executable, "-c", JIT_SCRIPT], check=True, text=True,
                             capture_output=True, cwd=ROOT,
                             env=dict(os.environ, NUMBA_DISABLE_JIT=disable_jit))
        return {k: np.array(v, float) for k, v in json.loads(out.stdout).items()}

    jitted, python = sweep_with("0"), sweep_with("1")
    np.testing.assert_array_equal(jitted["n_events"], python["n_events"])
    np.testing.assert_allclose(jitted["p_recall"], python["p_recall"], rtol=1e-13)
    np.testing.assert_allclose(jitted["recalled"], python["recalled"], rtol=1e-13)


@settings(deadline=None, max_examples=60)
@given(shape=st.lists(st.integers(1, 5), min_size=2, max_size=4),
       chunk_size=st.integers(1, 40), data=st.data())
def test_chunks_tile_the_runs_exactly_once(shape, chunk_size, data):
    values = tuple(tuple(range(n)) for n in shape[:-1])
    is_agent = tuple(data.draw(st.lists(st.booleans(), min_size=len(values),
                                        max_size=len(values))))
    chunk_shape = _chunk_shape(tuple(shape), chunk_size, is_agent)
    plan = SweepPlan(agent=None, environment=None, environment_kwargs={}, names=(),
                     values=values, is_agent=is_agent, replicates=shape[-1], entropy=0,
                     spawn_key=(), reduce=None, probe_times=None, chunk_shape=chunk_shape)
    visits = np.zeros(shape, int)
    for block in plan.blocks():
        assert plan.block_runs(block) <= chunk_size
        visits[plan.block_slices(block)] += 1
    assert (visits == 1).all()
    # agent dims are filled before replicate, replicate before environment dims
    fill = [k for k in reversed(range(len(values))) if is_agent[k]] + [len(values)] + [
        k for k in reversed(range(len(values))) if not is_agent[k]]
    for outer, inner in zip(fill[1:], fill):
        if chunk_shape[outer] > 1:
            assert chunk_shape[inner] == shape[inner]


def test_a_chunk_generates_each_stream_once(monkeypatch):
    calls = []

    def counted_power_law(n_events, exponent=1.0, seed=None):
        stream = env.power_law(n_events, exponent=exponent, seed=seed)
        calls.append((exponent, seed.spawn_key))  # not reached by the argument checks
        return stream

    # 3 decays x 2 exponents x 2 replicates in chunks of 6 runs: every decay, 2 replicates
    ds = simulator.sweep(simulator.ACTR, counted_power_law, GRID, chunk_size=6, **SMALL)
    # the first run is computed once for the template and reused by its chunk; each
    # chunk (one exponent) then makes its 2 streams once each, for 3 decays
    assert len(calls) == 1 + 2 * 2
    assert len(set(calls)) == 4
    serial = simulator.sweep(simulator.ACTR, env.power_law, GRID, chunk_size=1, **SMALL)
    xr.testing.assert_equal(ds[["p_recall", "recalled", "n_events"]],
                            serial[["p_recall", "recalled", "n_events"]])


def test_seeds_follow_grid_position():
    # dims: decay (agent, 3) x exponent (environment, 2) x n_items (environment, 2) x 2 replicates
    plan = SweepPlan(agent=None, environment=None, environment_kwargs={},
                     names=("decay", "exponent", "n_items"), values=((1, 2, 3), (1, 2), (1, 2)),
                     is_agent=(True, False, False), replicates=2, entropy=99, spawn_key=(),
                     reduce=None, probe_times=None, chunk_shape=(1, 1, 1, 1))
    runs = list(np.ndindex(3, 2, 2, 2))
    env_keys = {run: plan.run_seeds(run)[0].spawn_key for run in runs}
    agent_keys = {run: plan.run_seeds(run)[1].spawn_key for run in runs}
    assert len(set(agent_keys.values())) == len(runs)  # every run its own agent seed
    assert len(set(env_keys.values())) == 2 * 2 * 2  # one stream per environment cell x replicate
    for d, e, n, r in runs:
        assert env_keys[d, e, n, r] == env_keys[0, e, n, r] == (0, 2 * e + n, r)
        assert agent_keys[d, e, n, r] == (1, 4 * d + 2 * e + n, r)
    assert plan.run_seeds((2, 1, 1, 1))[1].entropy == 99


@env.parameter_units(gap="min")
def spaced_pairs(n_items, gap=1.0, seed=None):
    """Each item studied, then restudied ``gap`` minutes later; a random item order."""
    order = np.random.default_rng(seed).permutation(n_items)
    first = np.arange(n_items) * 2.0
    return env.EventStream(np.concatenate([first, first + 60 * gap]),
                           np.concatenate([order, order]))


def test_environment_parameters_get_their_declared_units():
    ds = simulator.sweep(simulator.ACTR, spaced_pairs, {"gap": [1.0, 10.0], "n_items": [5]},
                         seed=1, progress=False)
    assert ds["gap"].attrs["units"] == "min"
    assert ds["n_items"].attrs["units"] == "1"  # declared by no one
    partial = simulator.sweep(simulator.ACTR, functools.partial(spaced_pairs, n_items=5),
                              {"gap": [1.0, 10.0]}, seed=1, progress=False)
    assert partial["gap"].attrs["units"] == "min"
    stream_sweep = simulator.sweep(simulator.ACTR, env.power_law, {"time_step": [1.0, 2.0]},
                                   environment_kwargs={"n_events": 200}, seed=1, progress=False)
    assert stream_sweep["time_step"].attrs["units"] == "s"


def retention_and_worker_start(ds):
    kept = keep_retention(ds)
    kept["warm"] = ((), "simulator.sweeps._worker_start" in sys.modules,
                    {"long_name": "run in a process forked from the warm fork server",
                     "units": "1"})
    return kept


@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_workers_the_sweep_starts_are_forked_warm_where_the_platform_allows(backend):
    assert "simulator.sweeps._worker_start" not in sys.modules  # this process never loads it
    ds = simulator.sweep(simulator.ACTR, env.power_law, GRID, reduce=retention_and_worker_start,
                         backend=backend, workers=2, chunk_size=3, **SMALL)
    warm = ds["warm"].values
    assert not warm[0, 0, 0]  # the first run is made here, for the template
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    assert (warm.ravel()[1:] == forkserver).all()
