import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis
import simulator


def test_hebbian_network_collapses_past_its_capacity():
    # Amit, Gutfreund & Sompolinsky (1985): near-perfect retrieval below 0.138 N, none above
    scan = analysis.capacity_scan(simulator.Hebbian(n_units=300), loads=[0.05, 0.1, 0.3],
                                  replicates=2, seed=1)
    assert scan["overlap"].dims == ("load", "replicate")
    np.testing.assert_array_equal(scan["n_patterns"], [15, 30, 90])
    overlap = scan["overlap"].mean("replicate").values
    assert overlap[0] > 0.99 and overlap[1] > 0.97 and overlap[2] < 0.5
    assert scan["recall_fraction"].sel(load=0.3).max() < 0.05
    for name in ("overlap", "recall_fraction", "recent_overlap"):
        assert scan[name].attrs["long_name"] and scan[name].attrs["units"] == "1"
    assert scan.attrs["agent_n_units"] == 300 and scan.attrs["seed_entropy"] == "1"


def test_palimpsest_keeps_its_most_recent_patterns_at_any_load():
    agent = simulator.Hebbian(n_units=200, weight_decay=0.03)
    scan = analysis.capacity_scan(agent, loads=[0.5, 2.0], replicates=2, seed=2, recent=4)
    assert np.all(scan["recent_overlap"] > 0.95)
    assert np.all(scan["overlap"].sel(load=2.0) < 0.2)  # the old ones are gone
    plain = analysis.capacity_scan(simulator.Hebbian(n_units=200), loads=[2.0], replicates=2,
                                   seed=2, recent=4)
    assert np.all(plain["recent_overlap"] < 0.5)  # the plain network lost even those


def test_scan_is_seeded_per_cell():
    agent = simulator.Hebbian(n_units=100)
    a = analysis.capacity_scan(agent, loads=[0.1, 0.2], replicates=2, seed=3)
    b = analysis.capacity_scan(agent, loads=[0.1, 0.2, 0.3], replicates=3, seed=3)
    xr.testing.assert_identical(a, b.isel(load=[0, 1], replicate=[0, 1]).assign_attrs(a.attrs))
    assert not np.array_equal(a["overlap"].isel(replicate=0), a["overlap"].isel(replicate=1))


def test_bad_scan_arguments():
    agent = simulator.Hebbian(n_units=50)
    with pytest.raises(ValueError, match="^agent must"):
        analysis.capacity_scan(simulator.ACTR())
    with pytest.raises(ValueError, match="^loads must"):
        analysis.capacity_scan(agent, loads=[0.1, -0.2])
    with pytest.raises(ValueError, match="^replicates must"):
        analysis.capacity_scan(agent, loads=[0.1], replicates=0)
    with pytest.raises(ValueError, match="^scans must"):
        analysis.plot_capacity({"x": 1})


def test_plot_capacity(tmp_path):
    agent = simulator.Hebbian(n_units=100)
    scans = {"Hebbian": analysis.capacity_scan(agent, loads=[0.05, 0.2], replicates=2, seed=4),
             "decay 0.05": analysis.capacity_scan(simulator.Hebbian(n_units=100,
                                                                    weight_decay=0.05),
                                                  loads=[0.05, 0.2], replicates=2, seed=4)}
    ax = analysis.plot_capacity(scans)
    assert ax.get_xlabel() == "load P/N" and ax.get_ylabel() == "recall overlap"
    assert len(ax.get_lines()) == 5  # two variables per scan and the critical load
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(),
                               scans["Hebbian"]["overlap"].mean("replicate"))
    ax.figure.savefig(tmp_path / "capacity.png")
    plt.close(ax.figure)
