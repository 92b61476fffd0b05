import pathlib
import subprocess
import sys

import numpy as np
import pytest

import analysis
from simulator.cli.main import _probe_figures, main

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_demo_writes_dataset_and_figure(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--events", "5000", "--seed", "1"]) == 0
    ds = analysis.load(tmp_path / "demo.nc")
    assert ds["p_recall"].dims == ("exponent", "decay", "lag")
    assert ds["p_recall"].attrs["units"] == "1"
    # a faster decay remembers less at every well-filled lag
    filled = ds["n_events"].min(["exponent", "decay"]) >= 20
    p = ds["p_recall"].where(filled)
    assert bool((p.sel(decay=0.7) <= p.sel(decay=0.3)).where(filled).all())
    png = (tmp_path / "retention.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    printed = capsys.readouterr().out
    assert "recall probability by retention interval" in printed
    assert np.isfinite(ds["p_recall"]).any()


def test_console_script_reports_bad_arguments_cleanly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "simulator.cli", "demo", "--events", "0",
                             "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "n_events must be" in result.stderr
    assert "Traceback" not in result.stderr


SWEEP_CONFIG = """
agent = "ACTR"
environment = "power_law"
replicates = 2
seed = 9
backend = "serial"
[agent_parameters]
noise = 0.3
[environment_parameters]
n_events = 2000
[grid]
decay = [0.4, 0.6]
exponent = [0.5, 1.5]
"""


def test_sweep_config_on_a_scheduler_matches_the_python_call_and_plots(tmp_path, capsys):
    import xarray as xr
    from distributed import LocalCluster

    import environments as env
    import simulator

    config = tmp_path / "small.toml"
    config.write_text(SWEEP_CONFIG)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster:
        assert main(["sweep", str(config), "--out", str(tmp_path / "s.zarr"),
                     "--scheduler", cluster.scheduler_address]) == 0
    assert "wrote" in capsys.readouterr().out
    expected = simulator.sweep(simulator.ACTR(noise=0.3), env.power_law,
                               {"decay": [0.4, 0.6], "exponent": [0.5, 1.5]}, replicates=2,
                               seed=9, environment_kwargs={"n_events": 2000}, progress=False)
    stored = analysis.load(tmp_path / "s.zarr")
    xr.testing.assert_identical(stored.drop_vars("finished"), expected)
    # resuming a finished sweep leaves it as it was
    assert main(["sweep", str(config), "--out", str(tmp_path / "s.zarr"), "--resume"]) == 0
    xr.testing.assert_identical(analysis.load(tmp_path / "s.zarr"), stored)

    assert main(["plot", str(tmp_path / "s.zarr"), "--out", str(tmp_path / "fig")]) == 0
    png = (tmp_path / "fig" / "s-retention.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_run_config_writes_a_dataset_that_plots(tmp_path):
    config = tmp_path / "one.toml"
    config.write_text('agent = "ACTR"\nenvironment = "power_law"\nseed = 4\n'
                      'probe_times = [500, 1000]\n[environment_parameters]\nn_events = 1000\n')
    assert main(["run", str(config), "--out", str(tmp_path / "one.nc")]) == 0
    ds = analysis.load(tmp_path / "one.nc")
    assert ds.sizes["event"] == 1000 and ds["probe_accuracy"].sizes["probe"] == 2
    assert main(["plot", str(tmp_path / "one.nc")]) == 0
    assert (tmp_path / "one-retention.png").exists()
    assert (tmp_path / "one-probe-accuracy.png").exists()


def test_regimes_config_with_task_end_probes_sweeps_and_plots(tmp_path):
    import environments as env
    import simulator

    config = tmp_path / "regimes.toml"
    config.write_text(
        'agent = "ACTR"\nenvironment = "sequential_tasks"\nreplicates = 2\nseed = 4\n'
        'reduce = "probes"\nbackend = "serial"\nprobe_times = "task_ends"\n'
        '[environment_parameters]\nitems_per_task = 10\nsteps_per_task = 50\n'
        '[grid]\nn_tasks = [2, 3]\n'
        '[regimes]\nnone = { rehearsal = "none" }\n'
        'power = { rehearsal = "power", exponent = 1.0, decay = 0.4 }\n')
    assert main(["sweep", str(config), "--out", str(tmp_path / "r.zarr")]) == 0
    stored = analysis.load(tmp_path / "r.zarr")
    expected = simulator.sweep_regimes(
        simulator.ACTR(), env.sequential_tasks,
        {"none": {"rehearsal": "none"}, "power": {"rehearsal": "power", "exponent": 1.0,
                                                  "decay": 0.4}},
        {"n_tasks": [2, 3]}, replicates=2, seed=4, reduce="probes", probe_times="task_ends",
        environment_kwargs={"items_per_task": 10, "steps_per_task": 50}, progress=False)
    assert stored["probe_accuracy"].dims == ("regime", "n_tasks", "replicate", "probe", "task")
    np.testing.assert_array_equal(stored["probe_accuracy"], expected["probe_accuracy"])
    assert main(["plot", str(tmp_path / "r.zarr"), "--out", str(tmp_path / "fig")]) == 0
    # probe p of a 2-task and of a 3-task run are different moments: one figure each,
    # with just that run's tasks and probes (the sweep's NaN padding dropped)
    for n_tasks in (2, 3):
        png = tmp_path / "fig" / f"r-probe-accuracy-n_tasks-{n_tasks}.png"
        assert png.read_bytes().startswith(b"\x89PNG")
    figures = _probe_figures(stored)
    assert sorted(figures) == ["probe-accuracy-n_tasks-2", "probe-accuracy-n_tasks-3"]
    panels = [ax for ax in figures["probe-accuracy-n_tasks-2"].axes if ax.has_data()]
    assert len(panels) == 2 and all(len(line.get_xdata()) == 2
                                     for ax in panels for line in ax.get_lines())


@pytest.mark.parametrize("path", sorted(pathlib.Path(ROOT, "examples").glob("sweep_*.toml")),
                         ids=lambda p: p.name)
def test_example_configs_are_valid(path):
    from simulator.cli.config import config_agent, config_environment, read_config
    from simulator.sweeps._plan import make_plan

    config = read_config(path, "sweep")
    environment, kwargs = config_environment(config)
    plan, attrs = make_plan(config_agent(config), environment, config.get("grid"),
                            config["replicates"], config["seed"], config["reduce"],
                            config.get("bins"), config.get("probe_times"), kwargs, None, 2,
                            config.get("regimes"))
    assert plan.dims[-1] == "replicate" and plan.shape[-1] == config["replicates"]
    regimes = (len(config["regimes"]),) if "regimes" in config else ()
    assert plan.shape[:-1] == regimes + tuple(len(v) for v in config.get("grid", {}).values())
    if path.name == "sweep_actr_power_law.toml":
        assert plan.names == ("decay", "exponent") and plan.shape == (5, 3, 4)
    if path.name == "sweep_continual_learning.toml":
        # 9 regimes x 5 seeds; probes 5 per task of 10, padded to no more than that
        assert plan.shape == (9, 5) and plan.reduce.keywords["n_probes"] == 50


def test_run_example_config_runs(tmp_path):
    import environments as env
    import simulator
    from environments.seeding import child, seed_sequence

    config = pathlib.Path(ROOT, "examples", "run_actr.toml")
    assert main(["run", str(config), "--out", str(tmp_path / "run.nc")]) == 0
    stored = analysis.load(tmp_path / "run.nc")
    root = seed_sequence(2026)  # the run command's seeds: stream from child 0, agent child 1
    expected = simulator.run(simulator.ACTR(decay=0.5, noise=0.25, threshold=0.0),
                             env.power_law(20_000, exponent=1.0, seed=child(root, 0)),
                             seed=child(root, 1))
    np.testing.assert_array_equal(stored["p_recall"], expected["p_recall"])


@pytest.mark.parametrize("text, message", [
    ('environment = "power_law"\n[grid]\ndecay = [0.5]', "config key 'agent' is missing"),
    ('agent = "ACTX"\nenvironment = "power_law"\n[grid]\ndecay = [0.5]',
     "config key 'agent': unknown agent 'ACTX'"),
    ('agent = "ACTR"\nenvironment = "power_law"\nreplicate = 2\n[grid]\ndecay = [0.5]',
     "config key 'replicate' is not known"),
    ('agent = "ACTR"\nenvironment = "power_law"\n[agent_parameters]\ndecay = 1.5\n'
     '[grid]\nnoise = [0.5]', r"config key 'agent_parameters.decay': decay must be in"),
    ('agent = "ACTR"\nenvironment = "power_law"\n[environment_parameters]\nn_event = 5\n'
     '[grid]\ndecay = [0.5]', "config key 'environment_parameters.n_event': not a parameter"),
    ('agent = "ACTR"\nenvironment = "power_law"\n[environment_parameters]\nn_events = 50\n'
     '[grid]\ndecay = [0.5, 2.0]', r"grid\['decay'\]: decay must be in"),
    ('agent = "ACTR"\nenvironment = "power_law"\n[grid]\ndecay = [0.5]\n',
     "environment power_law needs n_events"),
    ('agent = "ACTR"\nenvironment = "power_law"\ngrid = 3', "config key 'grid' must be a table"),
    ('agent = "ACTR"\nenvironment = "power_law"\n', "a sweep needs \\[grid\\], \\[regimes\\]"),
    ('agent = "ACTR"\nenvironment = "power_law"\n[environment_parameters]\nn_events = 50\n'
     '[regimes]\nx = { colour = 1 }', r"regimes\['x'\] key 'colour' names no parameter"),
])
def test_sweep_config_errors_name_the_key(tmp_path, capsys, text, message):
    import re

    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(config), "--out", str(tmp_path / "bad.zarr")])
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "bad.zarr").exists()


@pytest.fixture
def review_log(tmp_path):
    import environments as env
    import simulator
    truth = simulator.ACTR(decay=0.5, threshold=-4.5, noise=0.5)
    stream = simulator.simulate_answers(truth, env.review_schedule(3, 20, 10, seed=1), seed=2)
    path = tmp_path / "log.csv"
    env.write_revlog(stream, path)
    return path


def test_evaluate_prints_the_metrics_of_analysis_evaluate(review_log, tmp_path, capsys):
    import environments as env
    import simulator
    out = tmp_path / "scores.nc"
    assert main(["evaluate", str(review_log), "--set", "threshold=-4.5", "--set", "noise=0.5",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    expected = analysis.evaluate(simulator.predict(
        simulator.ACTR(threshold=-4.5, noise=0.5), env.read_revlog(review_log)), by="learner")
    assert f"{float(expected['log_loss_pooled']):.4f}" in printed
    assert np.allclose(analysis.load(out)["auc"].values, expected["auc"].values)


def test_evaluate_fit_writes_per_learner_estimates_and_held_out_scores(review_log, tmp_path,
                                                                      capsys):
    out = tmp_path / "fit.nc"
    assert main(["evaluate", str(review_log), "--fit", "decay,threshold", "--split", "0.25",
                 "--set", "noise=0.5", "--out", str(out)]) == 0
    fit = analysis.load(out)
    assert fit.sizes == {"learner": 3, "parameter": 2}
    assert np.all(fit["n_reviews_test"].values > 0)
    assert "held-out" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--model", "Nope"], "--model must be one of"),
    (["--split", "0.2"], "--split needs --fit"),
    (["--set", "decay"], "NAME=VALUE"),
    (["--set", "decay=2"], "decay"),
    (["--out", "x.txt"], "must end in .nc"),
])
def test_evaluate_bad_arguments_exit_2_before_work(review_log, extra, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", str(review_log)] + extra)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_evaluate_refuses_an_existing_output(review_log, tmp_path, capsys):
    out = tmp_path / "e.nc"
    out.write_text("keep me")
    with pytest.raises(SystemExit):
        main(["evaluate", str(review_log), "--out", str(out)])
    assert out.read_text() == "keep me"
    assert main(["evaluate", str(review_log), "--out", str(out), "--overwrite"]) == 0


def test_unknown_names_list_only_what_the_key_can_name(tmp_path):
    from simulator.cli.config import config_agent, config_environment

    with pytest.raises(ValueError) as err:
        config_agent({"agent": "ACTX"})
    listed = str(err.value).split("(in simulator: ")[1].split(";")[0].split(", ")
    assert "ACTR" in listed and "Hebbian" in listed
    assert not {"sweep", "run", "SM2", "MemoryModel", "model_kernels"} & set(listed)
    with pytest.raises(ValueError) as err:
        config_environment({"environment": "power_lw"})
    listed = str(err.value).split("(in environments: ")[1].split(";")[0].split(", ")
    assert "power_law" in listed and "sequential_tasks" in listed
    assert not {"EventStream", "DAY", "days", "read_revlog"} & set(listed)


def test_existing_store_message_names_the_option(tmp_path, capsys):
    config = tmp_path / "tiny.toml"
    config.write_text('agent = "ACTR"\nenvironment = "power_law"\nreplicates = 1\nseed = 1\n'
                      'backend = "serial"\n[environment_parameters]\nn_events = 200\n'
                      '[grid]\ndecay = [0.5]\n')
    out = str(tmp_path / "tiny.zarr")
    assert main(["sweep", str(config), "--out", out]) == 0
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(config), "--out", out])
    assert stop.value.code == 2
    message = capsys.readouterr().err
    assert "run again with --resume" in message and "resume=True" not in message
