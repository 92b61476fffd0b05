"""Faults made on purpose: damaged stores, outputs written over, foreign files, killed
processes, dead clusters, configs that would import code. Each must end either
correct (nothing lost, the damage recomputed) or in one clear error."""
import multiprocessing
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
import warnings

import numpy as np
import pytest
import xarray as xr

import analysis
import environments as env
import simulator
import simulator.cli.demo  # noqa: F401 - patched below
from simulator.cli.main import main
from simulator.reductions import keep_retention
from simulator.sweeps.api import check_main_guard

ROOT = pathlib.Path(__file__).resolve().parent.parent
GRID = {"decay": [0.4, 0.6]}
SMALL = {"replicates": 2, "seed": 1, "environment_kwargs": {"n_events": 300}, "chunk_size": 1,
         "progress": False}
CONFIG = """agent = "ACTR"
environment = "power_law"
replicates = 2
seed = 1
backend = "serial"
chunk_size = 1
[environment_parameters]
n_events = 300
[grid]
decay = [0.4, 0.6]
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One small sweep store (2 decays x 2 replicates, a chunk per run) made by the CLI,
    its config, and its contents; each test copies it."""
    folder = tmp_path_factory.mktemp("made")
    config = folder / "small.toml"
    config.write_text(CONFIG)
    assert main(["sweep", str(config), "--out", str(folder / "s.zarr")]) == 0
    return types.SimpleNamespace(store=folder / "s.zarr", config=config,
                                 data=analysis.load(folder / "s.zarr"))


def copy_of(made, tmp_path, name="s.zarr"):
    target = tmp_path / name
    shutil.copytree(made.store, target)
    return target


def swap(a, b):
    a.rename(a.with_name("swapping"))
    b.rename(a)
    a.with_name("swapping").rename(b)


# (damage, what the error names, runs recomputed of 4); chunk keys are c/<decay>/<replicate>/0
DAMAGES = {
    "chunk deleted": (lambda s: (s / "p_recall/c/1/0/0").unlink(),
                      r"variable 'p_recall', chunk decay=0\.6, replicate=0: values do not match",
                      1),
    "chunks swapped": (lambda s: swap(s / "p_recall/c/0/1/0", s / "p_recall/c/1/0/0"),
                       r"variable 'p_recall', chunk decay=0\.4, replicate=1: .* \(and 1 more\)",
                       2),
    "garbage chunk": (lambda s: (s / "n_events/c/1/1/0").write_bytes(b"garbage" * 9),
                      r"variable 'n_events', chunk decay=0\.6, replicate=1: unreadable", 1),
    "variable metadata deleted": (lambda s: (s / "recalled/zarr.json").unlink(),
                                  r"variable 'recalled' is missing", 4),
    "finished record deleted": (lambda s: (s / "finished/zarr.json").unlink(),
                                r"record of finished runs \(finished\) is missing", 4),
    "coordinate damaged": (lambda s: (s / "decay/c/0").write_bytes(b"\x00" * 5),
                           r"coordinate 'decay'", 0),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_damaged_store_is_refused_then_resumed_to_the_original(made, tmp_path, case):
    damage, named, redone = DAMAGES[case]
    store = copy_of(made, tmp_path)
    damage(store)
    with pytest.raises(simulator.DamagedStoreError, match=named):
        analysis.load(store)
    with pytest.raises(simulator.DamagedStoreError, match=named):
        simulator.open_sweep(store)
    with pytest.warns(RuntimeWarning, match=f"{named}.*recomputing {redone} of 4 runs"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, store=store, resume=True,
                        backend="serial", **{**SMALL, "seed": None})
    xr.testing.assert_identical(analysis.load(store), made.data)


def test_a_store_from_before_digests_reads_with_a_warning_and_resume_adds_them(made,
                                                                              tmp_path):
    store = copy_of(made, tmp_path)
    shutil.rmtree(store / "run_digest")
    with pytest.warns(RuntimeWarning, match="without digests: its values cannot be checked"):
        xr.testing.assert_identical(analysis.load(store), made.data)
    with pytest.warns(RuntimeWarning, match="no digests .*recomputing 4 of 4 runs"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, store=store, resume=True,
                        backend="serial", **{**SMALL, "seed": None})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # checked now: no warning
        xr.testing.assert_identical(simulator.open_sweep(store).load(), made.data)


def test_the_cli_refuses_to_plot_a_damaged_store_and_resume_repairs_it(made, tmp_path, capsys):
    store = copy_of(made, tmp_path)
    (store / "p_recall/c/0/0/0").write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)  # bad zstd
    with pytest.raises(SystemExit) as stop:
        main(["plot", str(store)])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "variable 'p_recall', chunk decay=0.4, replicate=0: unreadable" in err
    assert "(--resume)" in err
    assert not list(tmp_path.glob("*.png"))
    with pytest.warns(RuntimeWarning, match="recomputing 1 of 4 runs"):
        assert main(["sweep", str(made.config), "--out", str(store), "--resume"]) == 0
    xr.testing.assert_identical(analysis.load(store), made.data)


def boom(*args, **kwargs):
    raise AssertionError("work started before the output was checked")


def test_outputs_are_never_replaced_without_being_asked(made, tmp_path, monkeypatch, capsys):
    store = copy_of(made, tmp_path)
    before = sorted(p.read_bytes() for p in store.rglob("*") if p.is_file())
    run_config = tmp_path / "one.toml"
    run_config.write_text('agent = "ACTR"\nenvironment = "power_law"\nseed = 3\n'
                          '[environment_parameters]\nn_events = 200\n')
    real_run = sys.modules["simulator.run"].run
    monkeypatch.setattr(sys.modules["simulator.run"], "run", boom)
    monkeypatch.setattr(sys.modules["simulator.cli.demo"], "demo_retention", boom)
    refused = [
        (["run", str(run_config), "--out", str(store)], "exists (pass --overwrite"),
        (["run", str(run_config), "--out", str(tmp_path / "no/such/folder/x.nc")],
         "does not exist"),
        (["run", str(run_config), "--out", str(tmp_path / "x.csv")], "must end in .nc"),
        (["sweep", str(made.config), "--out", str(store)], "run again with --resume"),
        (["sweep", str(made.config), "--out", str(store), "--resume", "--overwrite"],
         "pass one"),
        (["sweep", str(made.config), "--out", str(tmp_path / "nothing.zarr"), "--resume"],
         "no store"),
    ]
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "retention.png").write_bytes(b"mine")
    refused.append((["demo", "--out", str(tmp_path / "demo")], "retention.png' exists"))
    for argv, message in refused:
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2, argv
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (argv, err)
    assert sorted(p.read_bytes() for p in store.rglob("*") if p.is_file()) == before
    assert (tmp_path / "demo" / "retention.png").read_bytes() == b"mine"
    assert not (tmp_path / "demo" / "demo.nc").exists()

    monkeypatch.setattr(sys.modules["simulator.run"], "run", real_run)
    out = tmp_path / "one.nc"
    assert main(["run", str(run_config), "--out", str(out)]) == 0
    first = analysis.load(out)
    with pytest.raises(SystemExit):
        main(["run", str(run_config), "--out", str(out)])
    xr.testing.assert_identical(analysis.load(out), first)
    assert main(["run", str(run_config), "--out", str(out), "--overwrite"]) == 0
    xr.testing.assert_identical(analysis.load(out), first)  # same seed, same data

    # the library: save refuses an existing target and a missing folder, before writing
    with pytest.raises(ValueError, match="exists .pass overwrite=True"):
        analysis.save(first, out)
    with pytest.raises(ValueError, match="folder .* does not exist"):
        analysis.save(first, tmp_path / "missing" / "x.nc")
    smaller = first.isel(event=slice(0, 5))
    analysis.save(smaller, out, overwrite=True)
    assert analysis.load(out).sizes["event"] == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".one.nc")]  # no scratch
    with pytest.raises(ValueError, match="exists; pass resume=True .* or overwrite=True"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, store=store, **SMALL)
    (store / "p_recall/c/0/0/0").unlink()
    assert main(["sweep", str(made.config), "--out", str(store), "--overwrite"]) == 0
    xr.testing.assert_identical(analysis.load(store), made.data)


def test_plot_checks_every_target_before_writing_any(made, tmp_path, capsys):
    store = copy_of(made, tmp_path)
    assert main(["plot", str(store), "--out", str(tmp_path)]) == 0
    png = tmp_path / "s-retention.png"
    stamp = png.stat().st_mtime_ns
    with pytest.raises(SystemExit) as stop:
        main(["plot", str(store), "--out", str(tmp_path)])
    assert stop.value.code == 2 and "s-retention.png' exists" in capsys.readouterr().err
    assert png.stat().st_mtime_ns == stamp
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit):
        main(["plot", str(store), "--out", str(tmp_path / "file")])
    assert "is not a folder" in capsys.readouterr().err


def test_foreign_and_newer_files_are_refused(made, tmp_path):
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(tmp_path / "foreign.nc")
    (tmp_path / "garbage.nc").write_bytes(b"CDF?" * 40)
    newer = made.data.drop_vars("finished").assign_attrs(cogmemsim_format=99)
    newer.to_netcdf(tmp_path / "newer.nc")
    (tmp_path / "empty.zarr").mkdir()
    cases = {"foreign.nc": "is not a cogmemsim dataset .it has no cogmemsim_format",
             "garbage.nc": "cannot be read as NetCDF-4",
             "newer.nc": "in dataset format 99; this is cogmemsim .* upgrade cogmemsim",
             "empty.zarr": "cannot be read as a Zarr store",
             "missing.nc": "does not exist"}
    for name, message in cases.items():
        with pytest.raises(ValueError, match=message):
            analysis.load(tmp_path / name)
    assert analysis.load(made.store).attrs["cogmemsim_format"] >= 1


def dies_in_a_worker(ds):
    """The retention curve; a worker process meeting decay 0.6 is killed instead."""
    if multiprocessing.parent_process() is not None and ds.attrs["agent_decay"] == 0.6:
        os.kill(os.getpid(), signal.SIGKILL)
    return keep_retention(ds)


def test_a_killed_worker_is_a_sweep_error_and_resume_loses_nothing(made, tmp_path):
    store = tmp_path / "k.zarr"
    args = dict(store=store, reduce=dies_in_a_worker, **SMALL)
    with pytest.raises(simulator.SweepError,
                       match=r"a worker process died .*: 2 runs in 2 of 4 chunks were not "
                             r"computed \(the first: decay=0\.6, replicate=0\); finished chunks "
                             r"are in .*k\.zarr' \(resume=True computes the rest\)"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, backend="processes", workers=1,
                        **args)
    partial = analysis.load(store)  # a partial store reads: unfinished runs are NaN
    np.testing.assert_array_equal(partial["finished"], [[True, True], [False, False]])
    simulator.sweep(simulator.ACTR(), env.power_law, GRID, backend="serial", resume=True, **args)
    xr.testing.assert_identical(analysis.load(store)["p_recall"], made.data["p_recall"])


def test_the_cli_reports_a_lost_worker_in_one_line_with_the_resume_command(
        made, tmp_path, monkeypatch, capsys):
    import simulator.sweeps.api as api

    def lost(*args, store=None, **kwargs):
        raise api.SweepError(f"a worker process died (killed, or out of memory): 2 runs were "
                             f"not computed; finished chunks are in {str(store)!r} "
                             f"(resume=True computes the rest)")

    monkeypatch.setattr(api, "sweep", lost)
    out = tmp_path / "x.zarr"
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(made.config), "--out", str(out)])
    assert stop.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.endswith(f"(to compute the rest: cogmemsim sweep {made.config} --out {out} "
                        f"--resume)")


UNGUARDED = """import environments as env, simulator
simulator.sweep(simulator.ACTR, env.power_law, {"decay": [0.4, 0.6]},
                environment_kwargs={"n_events": 300}, backend="processes", workers=2,
                store=STORE)
"""


def test_a_script_without_the_main_guard_is_stopped_before_any_worker(tmp_path, monkeypatch):
    def run_as_main(source):
        script = tmp_path / "script.py"
        script.write_text(source)
        module = types.ModuleType("__main__")
        module.__file__, module.__spec__ = str(script), None
        module.STORE = tmp_path / "s.zarr"
        monkeypatch.setitem(sys.modules, "__main__", module)
        exec(compile(source, str(script), "exec"), module.__dict__)

    with pytest.raises(ValueError, match=r"script\.py:2 starts a sweep with worker processes "
                                         r"outside an `if __name__ == \"__main__\":` block"):
        run_as_main(UNGUARDED)
    assert not (tmp_path / "s.zarr").exists()  # nothing left to block the next run
    guarded = ("from simulator.sweeps.api import check_main_guard\n"
               "if __name__ == '__main__':\n    check_main_guard()\n    CHECKED = True\n")
    run_as_main(guarded)
    assert sys.modules["__main__"].CHECKED
    # inside a function called from under the guard: fine; from the top level: stopped
    run_as_main("def work():\n    check_main_guard()\n"
                "from simulator.sweeps.api import check_main_guard\n"
                "if '__main__' == __name__:\n    work()\n")
    with pytest.raises(ValueError, match=r"script\.py:4 starts a sweep"):
        run_as_main("def work():\n    check_main_guard()\n"
                    "from simulator.sweeps.api import check_main_guard\nwork()\n")
    check_main_guard()  # pytest's own __main__ is guarded


PARENT = """import multiprocessing, os, sys, time
import environments as env, simulator
from simulator.reductions import keep_retention

def slow(ds):
    if multiprocessing.parent_process() is not None:  # in a worker: say who, then work long
        with open(sys.argv[2], "a") as file:
            file.write(f"{os.getpid()} {os.getppid()}\\n")
        time.sleep(300)
    return keep_retention(ds)

if __name__ == "__main__":
    simulator.sweep(simulator.ACTR, env.power_law, {"decay": [0.4, 0.6]}, seed=1,
                    environment_kwargs={"n_events": 300}, backend="processes", workers=1,
                    reduce=slow, store=sys.argv[1], progress=False)
"""


def gone(pid):
    """Whether process ``pid`` has exited (a zombie awaiting its reaper counts)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_and_the_fork_server_exit_when_the_sweep_is_killed(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(PARENT)
    pids = tmp_path / "pids"
    job = subprocess.Popen([sys.executable, str(script), str(tmp_path / "j.zarr"), str(pids)],
                           cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    deadline = time.monotonic() + 120
    while not (pids.exists() and pids.read_text().endswith("\n")):
        assert job.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    worker, server = map(int, pids.read_text().split()[:2])
    assert server != job.pid  # forked from the fork server, not from the sweep
    job.kill()
    job.wait()
    try:
        deadline = time.monotonic() + 20
        while not (gone(worker) and gone(server)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert gone(worker), "the worker outlived the sweep"
        assert gone(server), "the fork server outlived the sweep"
    finally:
        for pid in (worker, server):  # never leave them behind, even when the test fails
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_cluster_without_workers_is_a_sweep_error_within_the_timeout(tmp_path):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        start = time.monotonic()
        with pytest.raises(simulator.SweepError,
                           match=r"the dask cluster did not take the sweep's data within 1 s "
                                 r".*4 runs in 4 of 4 chunks were not computed"):
            simulator.sweep(simulator.ACTR(), env.power_law, GRID, backend="dask",
                            client=client, timeout=1, store=tmp_path / "d.zarr", **SMALL)
        assert time.monotonic() - start < 30
        # chunks already sent to a cluster that then has no worker are lost after the
        # timeout (as when its workers die mid-sweep), not waited for forever
        from simulator.sweeps.api import _dask_results, _Lost

        futures = {client.submit(sum, [1, 2], pure=False): (0, 0)}
        start = time.monotonic()
        outcomes = list(_dask_results(client, futures, timeout=1))
        assert time.monotonic() - start < 15
        assert [block for block, _ in outcomes] == [(0, 0)]
        assert isinstance(outcomes[0][1], _Lost)
        assert outcomes[0][1].reason == "the dask cluster had no workers for 1 s"


def test_a_dead_scheduler_address_fails_fast_in_one_line(made, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.modules["simulator.cli.main"], "SCHEDULER_TIMEOUT", 1)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(made.config), "--out", str(tmp_path / "x.zarr"),
              "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert stop.value.code == 2 and time.monotonic() - start < 15
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"--scheduler: no dask scheduler answered at 'tcp://127.0.0.1:{port}' within 1 s" in err
    assert not (tmp_path / "x.zarr").exists()


def test_configs_name_own_models_and_import_only_when_allowed(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "imported"
    (tmp_path / "my_environments.py").write_text(
        "import pathlib, environments\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "def tiny(n_events, seed=None):\n"
        "    return environments.power_law(n_events, seed=seed)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tmp_path / "c.toml"
    config.write_text('agent = "ACTR"\nenvironment = "my_environments:tiny"\nseed = 2\n'
                      '[environment_parameters]\nn_events = 100\n')
    out = tmp_path / "c.nc"
    with pytest.raises(SystemExit) as stop:
        main(["run", str(config), "--out", str(out)])
    assert stop.value.code == 2
    assert "'my_environments:tiny' names code outside cogmemsim; importing my_environments " \
           "runs it, so it needs --allow-import" in capsys.readouterr().err
    assert not marker.exists() and "my_environments" not in sys.modules
    assert main(["run", str(config), "--out", str(out), "--allow-import"]) == 0
    assert marker.exists() and analysis.load(out).sizes["event"] == 100
    monkeypatch.delitem(sys.modules, "my_environments")

    from simulator.cli.config import config_agent, config_environment
    for key, name in (("agent", "sweep"), ("agent", "MemoryModel"),
                      ("environment", "read_revlog"), ("environment", "EventStream")):
        with pytest.raises(ValueError, match=f"unknown {key} '{name}'"):
            (config_agent if key == "agent" else config_environment)({key: name})
    with pytest.raises(ValueError, match="is not of the form module:name"):
        config_agent({"agent": "os:system; rm"}, allow_import=True)


def test_errors_for_common_slips_are_one_clear_message(tmp_path):
    stream = env.power_law(50, seed=1)
    with pytest.raises(ValueError, match=r"agent must be a memory-model instance such as "
                                         r"ACTR\(\), got the class ACTR"):
        simulator.run(simulator.ACTR, stream)
    with pytest.raises(ValueError, match="folder .* does not exist"):
        analysis.save(xr.Dataset(), tmp_path / "no" / "x.nc")
    with pytest.raises(ValueError, match="store .*: folder .* does not exist"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, store=tmp_path / "no" / "s.zarr",
                        **SMALL)
    with pytest.raises(ValueError, match="resume continues a store, overwrite replaces it"):
        simulator.sweep(simulator.ACTR(), env.power_law, GRID, store=tmp_path / "s.zarr",
                        resume=True, overwrite=True, **SMALL)
