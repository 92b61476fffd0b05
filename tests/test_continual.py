import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis

# three tasks, a probe after each (the R matrix of Lopez-Paz & Ranzato 2017)
R = xr.DataArray([[0.9, 0.1, 0.0],
                  [0.6, 0.8, 0.2],
                  [0.5, 0.7, 0.95]], dims=("probe", "task"),
                 attrs={"long_name": "probe accuracy", "units": "1"})

# two tasks, three probes each; task 0 dips to 0.3 right after task 1 starts, then recovers
GAP = xr.DataArray(np.array([[0.2, 0.6, 0.9, 0.3, 0.7, 0.8],
                             [0.0, 0.0, 0.0, 0.5, 0.8, 0.9]]).T, dims=("probe", "task"),
                   coords={"probe_time": ("probe", np.arange(1.0, 7.0))})


def test_metrics_of_a_hand_computed_matrix():
    m = analysis.continual_metrics(R)
    np.testing.assert_array_equal(m["learned_at"], [0, 1, 2])
    np.testing.assert_allclose(m["average_accuracy"], (0.5 + 0.7 + 0.95) / 3)
    np.testing.assert_allclose(m["task_forgetting"], [0.9 - 0.5, 0.8 - 0.7, np.nan])
    np.testing.assert_allclose(m["forgetting"], 0.25)
    np.testing.assert_allclose(m["task_backward_transfer"], [-0.4, -0.1, np.nan])
    np.testing.assert_allclose(m["backward_transfer"], -0.25)
    np.testing.assert_allclose(m["task_min_acc"], [0.5, 0.7, np.nan])
    np.testing.assert_allclose(m["min_acc"], 0.6)
    np.testing.assert_allclose(m["wc_acc"], 0.95 / 3 + 2 / 3 * 0.6)
    np.testing.assert_allclose(m["windowed_forgetting"], (0.4 + 0.1) / 2)
    # one probe per task: each task's end-of-task accuracy against task 0's
    np.testing.assert_allclose(m["task_forward_facilitation"], [np.nan, 0.8 - 0.9, 0.95 - 0.9])
    np.testing.assert_allclose(m["forward_facilitation"], (-0.1 + 0.05) / 2)
    # a window of one evaluation sees only consecutive drops: 0.9 -> 0.6 for task 0
    np.testing.assert_allclose(analysis.continual_metrics(R, window=1)["task_windowed_forgetting"],
                               [0.3, 0.1, np.nan])
    for name, var in m.data_vars.items():
        assert var.attrs["long_name"] and var.attrs["units"] == "1", name


def test_windowed_forgetting_exposes_the_stability_gap():
    m = analysis.continual_metrics(GAP)  # default: tasks of three probes each
    np.testing.assert_array_equal(m["learned_at"], [2, 5])
    np.testing.assert_allclose(m["average_accuracy"], 0.85)
    np.testing.assert_allclose(m["forgetting"], 0.9 - 0.8)
    np.testing.assert_allclose(m["backward_transfer"], 0.8 - 0.9)
    np.testing.assert_allclose(m["min_acc"], 0.3)
    np.testing.assert_allclose(m["wc_acc"], 0.9 / 2 + 0.3 / 2)
    np.testing.assert_allclose(m["windowed_forgetting"], 0.9 - 0.3)
    # task 1's first probe (probe 3, after task 0 ends at 2) against task 0's (probe 0)
    np.testing.assert_allclose(m["forward_facilitation"], 0.5 - 0.2)
    other = analysis.continual_metrics(GAP, learned_at=[1, 5])
    np.testing.assert_allclose(other["forgetting"], 0.9 - 0.8)
    np.testing.assert_allclose(other["backward_transfer"], 0.8 - 0.6)
    np.testing.assert_allclose(other["min_acc"], 0.3)
    np.testing.assert_allclose(other["forward_facilitation"], 0.0 - 0.2)  # probe 2


def test_extra_dims_are_kept_and_each_slice_is_its_own_matrix():
    stacked = xr.concat([R, 1 - R], dim="replicate")
    m = analysis.continual_metrics(stacked)
    assert m["forgetting"].dims == ("replicate",)
    assert m["task_min_acc"].dims == ("replicate", "task")
    for r, matrix in enumerate([R, 1 - R]):
        alone = analysis.continual_metrics(matrix)
        for name in alone.data_vars:
            np.testing.assert_allclose(m[name].isel(replicate=r), alone[name], err_msg=name)


def test_one_task_and_tasks_learned_at_the_last_probe():
    m = analysis.continual_metrics(R.isel(task=[0]), learned_at=[0])
    np.testing.assert_allclose(m["average_accuracy"], 0.5)
    np.testing.assert_allclose(m["forgetting"], 0.4)
    lone = analysis.continual_metrics(R.isel(probe=[0], task=[0]))
    assert np.isnan(lone["forgetting"]) and lone["wc_acc"] == 0.9


def test_bad_input():
    with pytest.raises(ValueError, match="^acc must"):
        analysis.continual_metrics(np.eye(3))
    with pytest.raises(ValueError, match="^learned_at must"):
        analysis.continual_metrics(R, learned_at=[0, 1, 3])
    with pytest.raises(ValueError, match="^learned_at must"):
        analysis.continual_metrics(R, learned_at=[0, 1])
    with pytest.raises(ValueError, match="^window must"):
        analysis.continual_metrics(R, window=0)
    with pytest.raises(ValueError, match="^acc must"):
        analysis.plot_task_matrix(xr.concat([R, R], dim="replicate"))


def test_plot_task_matrix(tmp_path):
    ax = analysis.plot_task_matrix(GAP)
    assert ax.get_xlabel() and ax.get_ylabel() == "task"
    mesh = ax.collections[0]
    np.testing.assert_allclose(mesh.get_array().reshape(2, 6), GAP.values.T)
    ax.figure.savefig(tmp_path / "task_matrix.png")
    plt.close(ax.figure)


def test_sweep_padding_is_trimmed_and_mixed_extents_are_an_error():
    # runs padded to 4 probes x 5 tasks (as a sweep over n_tasks pads them) give the
    # metrics of their own 3 x 3 matrix
    padded = R.pad(probe=(0, 1), task=(0, 2), constant_values=np.nan)
    stacked = xr.concat([padded, padded * 0.5], dim="replicate")
    m = analysis.continual_metrics(stacked)
    alone = analysis.continual_metrics(R * 0.5)
    assert m.sizes["task"] == 3
    for name in alone.data_vars:
        np.testing.assert_allclose(m[name].isel(replicate=1), alone[name], err_msg=name)
    # runs of different extents have different matrices: select one extent first
    two_tasks = R[:2, :2].pad(probe=(0, 2), task=(0, 3), constant_values=np.nan)
    mixed = xr.concat([two_tasks, padded], dim="n_tasks")
    with pytest.raises(ValueError, match="sel\\(n_tasks=5\\)"):
        analysis.continual_metrics(mixed)
    # a NaN inside the matrix is data, not padding: nothing is trimmed
    holed = R.copy()
    holed[1, :] = np.nan
    assert analysis.continual_metrics(holed).sizes["task"] == 3
    assert np.isnan(analysis.continual_metrics(holed)["min_acc"])
