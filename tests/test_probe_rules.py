"""Probe times from the stream (task ends) in run and sweep; sweep_regimes."""
import numpy as np
import pytest

import environments as env
import simulator
from simulator.probes import task_probe_times

TASKS = {"items_per_task": 20, "steps_per_task": 100, "rehearsal_fraction": 0.25}


def test_task_ends_in_meta_and_probe_times():
    stream = env.sequential_tasks(3, 20, 100, time_step=2.0, seed=1)
    np.testing.assert_array_equal(stream.meta["task_ends"], [198.0, 398.0, 598.0])
    np.testing.assert_array_equal(task_probe_times(stream), [198.0, 398.0, 598.0])
    # two per task: halfway through each task's span, then its end
    np.testing.assert_allclose(task_probe_times(stream, per_task=2),
                               [99.0, 198.0, 298.0, 398.0, 498.0, 598.0])
    # a probe at a task's end sees its last step and none of the next task's
    for end in stream.meta["task_ends"][:-1]:
        assert np.count_nonzero(stream.time == end) == 1
        assert stream.time[np.searchsorted(stream.time, end) + 1] > end


def test_run_resolves_rules_like_explicit_times():
    stream = env.sequential_tasks(3, seed=2, **TASKS)
    agent = simulator.ACTR(noise=0.3)
    explicit = simulator.run(agent, stream, seed=3, probe_times=task_probe_times(stream, 2))
    for rule in ({"rule": "task_ends", "per_task": 2},
                 lambda s: task_probe_times(s, per_task=2)):
        ds = simulator.run(agent, stream, seed=3, probe_times=rule)
        np.testing.assert_array_equal(ds["probe_accuracy"], explicit["probe_accuracy"])
        np.testing.assert_array_equal(ds["probe_time"], explicit["probe_time"])
    ends = simulator.run(agent, stream, seed=3, probe_times="task_ends")
    assert ends.sizes["probe"] == ends.sizes["task"] == 3


def test_bad_rules():
    stream = env.sequential_tasks(2, seed=2, **TASKS)
    agent = simulator.ACTR()
    with pytest.raises(ValueError, match="probe_times rule must be one of 'task_ends'"):
        simulator.run(agent, stream, probe_times="task_starts")
    with pytest.raises(ValueError, match="^per_task must be"):
        simulator.run(agent, stream, probe_times={"rule": "task_ends", "per_task": 0})
    with pytest.raises(ValueError, match="takes 'per_task' only"):
        simulator.run(agent, stream, probe_times={"rule": "task_ends", "every": 2})
    plain = env.power_law(n_items=5, n_events=50, seed=1)
    with pytest.raises(ValueError, match="needs a stream with meta\\['task_ends'\\]"):
        simulator.run(agent, plain, probe_times="task_ends")


def test_sweep_over_n_tasks_pads_probes_and_tasks():
    agent = simulator.ACTR(noise=0.3)
    ds = simulator.sweep(agent, env.sequential_tasks, {"n_tasks": [2, 4]},
                         environment_kwargs=TASKS, replicates=2, seed=5, reduce="probes",
                         probe_times="task_ends", progress=False)
    assert ds["probe_accuracy"].dims == ("n_tasks", "replicate", "probe", "task")
    assert ds.sizes["probe"] == ds.sizes["task"] == 4
    assert ds["probe_time"].dims == ("n_tasks", "replicate", "probe")
    assert ds["probe_time"].attrs["units"] == "s"
    two = ds.sel(n_tasks=2)
    assert np.isnan(two["probe_accuracy"].isel(probe=slice(2, None))).all()
    assert np.isnan(two["probe_accuracy"].isel(task=slice(2, None))).all()
    assert np.isnan(two["task_items"].isel(task=slice(2, None))).all()
    # the unpadded part is each run on its own, seeded as the sweep seeds it
    for k, n_tasks in enumerate((2, 4)):
        for r in range(2):
            stream = env.sequential_tasks(n_tasks, **TASKS, seed=np.random.SeedSequence(
                5, spawn_key=(0, k, r)))
            alone = simulator.run(agent, stream, seed=np.random.SeedSequence(
                5, spawn_key=(1, k, r)), probe_times=100.0 * np.arange(1, n_tasks + 1) - 1)
            cell = ds.sel(n_tasks=n_tasks, replicate=r)
            np.testing.assert_array_equal(cell["probe_accuracy"][:n_tasks, :n_tasks],
                                          alone["probe_accuracy"])
            np.testing.assert_array_equal(cell["probe_time"][:n_tasks], alone["probe_time"])


REGIMES = {"blocked": {"rehearsal": "none"},
           "power2": {"rehearsal": "power", "exponent": 2.0},
           "fast_decay": {"rehearsal": "uniform", "decay": 0.7}}


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_sweep_regimes_equals_separate_sweeps(backend):
    agent = simulator.ACTR(noise=0.3)
    grid = {"noise": [0.2, 0.4]}
    kwargs = dict(replicates=2, seed=9, reduce="probes", probe_times="task_ends",
                  progress=False)
    ds = simulator.sweep_regimes(agent, env.sequential_tasks, REGIMES, grid,
                                 environment_kwargs={**TASKS, "n_tasks": 3}, backend=backend,
                                 workers=2, chunk_size=2, **kwargs)
    assert ds["probe_accuracy"].dims == ("regime", "noise", "replicate", "probe", "task")
    assert list(ds["regime"].values) == list(REGIMES)
    assert ds["regime"].attrs["long_name"] == "regime"
    for name, overrides in REGIMES.items():
        env_over = {k: v for k, v in overrides.items() if k != "decay"}
        regime_agent = simulator.ACTR(noise=0.3, decay=overrides.get("decay", agent.decay))
        alone = simulator.sweep(regime_agent, env.sequential_tasks, grid,
                                environment_kwargs={**TASKS, "n_tasks": 3, **env_over},
                                **kwargs)
        np.testing.assert_array_equal(ds["probe_accuracy"].sel(regime=name),
                                      alone["probe_accuracy"], err_msg=name)
    # blocked learning forgets more than rehearsal at the same budget
    final = ds["probe_accuracy"].isel(probe=-1, task=0)
    assert (final.sel(regime="blocked") <= final.sel(regime="power2")).all()


def test_sweep_regimes_without_grid_and_bad_regimes():
    agent = simulator.ACTR()
    kwargs = dict(environment_kwargs={**TASKS, "n_tasks": 2}, seed=1, progress=False)
    ds = simulator.sweep_regimes(agent, env.sequential_tasks, REGIMES, **kwargs,
                                 reduce="probes", probe_times="task_ends")
    assert ds["probe_accuracy"].dims == ("regime", "replicate", "probe", "task")
    with pytest.raises(ValueError, match="regimes\\['x'\\] key 'colour' names no parameter"):
        simulator.sweep_regimes(agent, env.sequential_tasks, {"x": {"colour": 1}}, **kwargs)
    with pytest.raises(ValueError, match="regimes\\['x'\\] sets 'decay', a key of the grid"):
        simulator.sweep_regimes(agent, env.sequential_tasks, {"x": {"decay": 0.3}},
                                {"decay": [0.4]}, **kwargs)
    with pytest.raises(ValueError, match="^regimes\\['x'\\]: decay must be"):
        simulator.sweep_regimes(agent, env.sequential_tasks, {"x": {"decay": -1.0}}, **kwargs)
    with pytest.raises(ValueError, match="^regimes\\['x'\\]: rehearsal must be one of"):
        simulator.sweep_regimes(agent, env.sequential_tasks, {"x": {"rehearsal": "some"}},
                                **kwargs)
    with pytest.raises(ValueError, match="^regimes must be a non-empty dict"):
        simulator.sweep_regimes(agent, env.sequential_tasks, {}, **kwargs)


def test_sweep_regimes_store_resumes_to_the_same_result(tmp_path):
    kwargs = dict(environment_kwargs={**TASKS, "n_tasks": 2}, seed=3, replicates=2,
                  reduce="probes", probe_times="task_ends", progress=False, chunk_size=1)
    agent = simulator.ACTR()
    memory = simulator.sweep_regimes(agent, env.sequential_tasks, REGIMES, **kwargs)
    stored = simulator.sweep_regimes(agent, env.sequential_tasks, REGIMES,
                                     store=tmp_path / "r.zarr", **kwargs)
    np.testing.assert_array_equal(stored["probe_accuracy"], memory["probe_accuracy"])
    again = simulator.sweep_regimes(agent, env.sequential_tasks, REGIMES,
                                    store=tmp_path / "r.zarr", resume=True, **kwargs)
    np.testing.assert_array_equal(again["probe_accuracy"], memory["probe_accuracy"])
    assert list(again["regime"].values) == list(REGIMES)
