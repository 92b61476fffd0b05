"""Experiments: sweepable functions that run the model themselves."""
import numpy as np
import pytest
import xarray as xr

import analysis
import simulator
from analysis.capacity import capacity_test


def test_capacity_scan_is_a_sweep_of_its_experiment():
    agent = simulator.Hebbian(n_units=40)
    scan = analysis.capacity_scan(agent, loads=[0.05, 0.2], replicates=2, seed=5, recent=2)
    swept = simulator.sweep(agent, capacity_test, {"load": [0.05, 0.2]}, replicates=2, seed=5,
                            environment_kwargs={"recent": 2}, progress=False)
    xr.testing.assert_identical(scan.drop_vars("n_patterns"), swept)
    assert swept["load"].attrs == {"long_name": "load P/N", "units": "1",
                                   "description": "argument load of environment capacity_test"}


def test_processes_backend_gives_the_same_bits():
    agent = simulator.Hebbian(n_units=40)
    serial = analysis.capacity_scan(agent, loads=[0.1, 0.3], replicates=2, seed=6)
    pooled = analysis.capacity_scan(agent, loads=[0.1, 0.3], replicates=2, seed=6,
                                    backend="processes", workers=2)
    xr.testing.assert_identical(serial, pooled)


def test_experiment_arguments_are_checked_before_any_run():
    agent = simulator.Hebbian(n_units=40)
    with pytest.raises(ValueError, match=r"grid\['load'\]: load must be > 0"):
        simulator.sweep(agent, capacity_test, {"load": [0.1, 0.0]}, progress=False)
    with pytest.raises(ValueError, match="needs the events of a stream"):
        simulator.sweep(agent, capacity_test, {"load": [0.1]}, reduce="retention",
                        progress=False)
    with pytest.raises(ValueError, match="probe_times is not used"):
        simulator.sweep(agent, capacity_test, {"load": [0.1]}, probe_times=[1.0],
                        progress=False)

    @simulator.experiment
    def no_agent(seed=None):
        return xr.Dataset({"x": ((), 1.0)})

    with pytest.raises(ValueError, match="must take the agent as its first argument"):
        simulator.sweep(agent, no_agent, {"n_units": [10]}, progress=False)


def test_a_user_experiment_gets_seeds_from_its_grid_position():
    @simulator.experiment
    def draw(agent, scale=1.0, *, seed=None):
        rng = np.random.default_rng(seed)
        return xr.Dataset({"x": ((), scale * rng.random(), {"long_name": "x", "units": "1"})})

    a = simulator.sweep(simulator.Hebbian(n_units=8), draw, {"scale": [1.0, 2.0]},
                        replicates=3, seed=1, progress=False)
    b = simulator.sweep(simulator.Hebbian(n_units=8), draw, {"scale": [1.0, 2.0]},
                        replicates=3, seed=1, progress=False)
    xr.testing.assert_identical(a, b)
    assert a["x"].dims == ("scale", "replicate")
    assert np.unique(a["x"].values).size == 6


def test_schedule_experiment_is_simulate_schedule_with_the_run_seed():
    learner, scheduler = simulator.ACTR(), simulator.Leitner()
    swept = simulator.sweep(learner, simulator.schedule_experiment, {"time_per_day": [60.0]},
                            environment_kwargs={"scheduler": scheduler, "n_items": 10,
                                                "days": 8},
                            reduce=lambda ds: ds[["time_spent", "reviews"]], seed=3,
                            progress=False)
    direct = simulator.simulate_schedule(scheduler, learner, 10, 8, time_per_day=60.0,
                                         seed=np.random.SeedSequence(3, spawn_key=(1, 0, 0)))
    np.testing.assert_array_equal(swept["time_spent"].isel(time_per_day=0, replicate=0),
                                  direct["time_spent"])
    assert swept["time_per_day"].attrs["units"] == "s"
