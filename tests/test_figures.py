"""Figures fit to publish: titles in words, bands and hidden bins said in the legend,
unmet tasks blank, nothing averaged silently, a message instead of an empty figure."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import analysis  # noqa: E402
import environments as env  # noqa: E402
import simulator  # noqa: E402
from analysis.plots import title_in_words  # noqa: E402
from simulator.cli.main import _probe_figures, _standard_figures  # noqa: E402


def accuracy(n_tasks=3, replicates=4, regimes=("none", "power"), seed=0):
    values = np.random.default_rng(seed).uniform(
        0.2, 0.9, (len(regimes), replicates, n_tasks, n_tasks))
    return xr.DataArray(values, dims=("regime", "replicate", "probe", "task"),
                        coords={"regime": list(regimes)}, name="probe_accuracy")


def test_probe_accuracy_blanks_tasks_not_yet_met_and_explains_the_band():
    acc = accuracy()
    figure = analysis.plot_probe_accuracy(acc, hue="regime")
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["task 0", "task 1", "task 2"]
    for t, ax in enumerate(panels):
        for line, regime in zip(ax.get_lines(), acc["regime"].values):
            y = np.asarray(line.get_ydata(), float)
            assert np.isnan(y[:t]).all()  # probes before task t was met are blank
            expected = acc.sel(regime=regime).isel(task=t).mean("replicate").values[t:]
            np.testing.assert_allclose(y[t:], expected)
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels == ["none", "power", "10%-90% of 4 replicates around their mean"]
    plt.close(figure)


def test_probe_accuracy_refuses_to_average_a_swept_dim():
    acc = accuracy().expand_dims(decay=[0.3, 0.5])
    with pytest.raises(ValueError, match=r"select a value of \['decay'\]"):
        analysis.plot_probe_accuracy(acc, hue="regime")


def test_cli_draws_one_probe_figure_per_value_of_other_swept_dims():
    acc = accuracy().expand_dims(decay=[0.3, 0.5])
    figures = _probe_figures(xr.Dataset({"probe_accuracy": acc}))
    assert sorted(figures) == ["probe-accuracy-decay-0.3", "probe-accuracy-decay-0.5"]
    for figure in figures.values():
        plt.close(figure)


def test_retention_legend_counts_hidden_sparse_bins_and_names_the_band():
    stream = env.power_law(3000, exponent=1.0, seed=1)
    runs = [analysis.retention_curve(simulator.run(simulator.ACTR(), stream, seed=s))
            for s in range(3)]
    curve = xr.concat(runs, "replicate")
    sparse = int(((curve["n_events"] < 10) & curve.notnull()).any("replicate").sum())
    assert sparse > 0
    ax = analysis.plot_retention(curve)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "10%-90% of 3 replicates around their mean" in labels
    assert f"{sparse} bins with < 10 events not drawn" in labels
    assert "hollow: mean of < 100 events" in labels
    total = curve["n_events"].where(curve.notnull(), 0).sum("replicate")
    shown = curve.where(curve["n_events"] >= 10).mean("replicate")
    few = int(((total < 100) & shown.notnull()).sum())
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white"]
    assert sum(len(line.get_xdata()) for line in hollow) == few > 0
    plt.close(ax.figure)


def test_no_recall_data_gives_a_message_not_an_empty_figure():
    ds = simulator.run(simulator.Hebbian(n_units=32), env.power_law(200, seed=1), seed=2)
    figure = _standard_figures(ds)["retention"]
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert any("nothing to plot" in t for t in texts)
    plt.close(figure)


def test_titles_are_words_not_code_names():
    ds = simulator.sweep(simulator.ACTR, env.power_law, grid={"decay": [0.4, 0.6]},
                         replicates=1, seed=1, environment_kwargs={"n_events": 500},
                         backend="serial", progress=False)
    assert title_in_words(ds.attrs) == "ACT-R in a power-law environment, over decay"
    figure = _standard_figures(ds)["retention"]
    assert figure.get_suptitle() == "ACT-R in a power-law environment, over decay"
    assert all("[1]" not in ax.get_ylabel() for ax in figure.axes)
    plt.close(figure)
