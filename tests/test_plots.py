import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import analysis
from analysis.fitting import FORMS
from analysis.plots import HOUSE_STYLE, MODEL_COLOURS


@pytest.fixture(scope="module")
def ebbinghaus_fit():
    return analysis.fit_forgetting(analysis.datasets.load_ebbinghaus())


@pytest.fixture(scope="module")
def sweep_fit():
    rng = np.random.default_rng(0)
    decay, exponent, t = np.array([0.3, 0.5, 0.7]), np.array([0.5, 1.0, 2.0]), np.geomspace(2, 1e4, 10)
    b = decay[:, None, None] * exponent[None, :, None]
    values = np.clip(0.9 * t ** -b + rng.normal(0, 0.01, (3, 3, 10)), 0, 1)
    curve = xr.DataArray(values, dims=("decay", "exponent", "lag"),
                         coords={"decay": ("decay", decay, {"long_name": "decay", "units": "1"}),
                                 "exponent": ("exponent", exponent,
                                              {"long_name": "exponent", "units": "1"}),
                                 "lag": ("lag", t, {"long_name": "retention interval",
                                                    "units": "s"})},
                         attrs={"long_name": "recall probability", "units": "1"})
    return analysis.fit_forgetting(curve, models=["power", "exponential", "wickelgren"])


def _saved(figure, tmp_path, name):
    path = tmp_path / f"{name}.png"
    figure.savefig(path)
    assert path.stat().st_size > 5000
    plt.close(figure)


def test_plot_forgetting_log_log_with_fits_and_residuals(ebbinghaus_fit, tmp_path):
    figure = analysis.plot_forgetting(ebbinghaus_fit)
    top, residual = figure.axes
    assert top.get_xscale() == "log" and top.get_yscale() == "log"
    assert top.get_ylabel() == "savings in relearning [%]"
    assert residual.get_xlabel() == "retention interval [min]"
    assert residual.get_ylabel() == "residual [%]"
    assert "ebbinghaus" in top.get_title()
    labels = [line.get_label() for line in top.get_lines()]
    assert len(labels) == 7 and labels[-1] == "data"  # six forms and the data
    ebbinghaus_line = top.get_lines()[5]
    assert ebbinghaus_line.get_color() == MODEL_COLOURS["ebbinghaus"]
    params = ebbinghaus_fit["estimate"].sel(model="ebbinghaus", parameter=["k", "c"]).values
    x = ebbinghaus_line.get_xdata()
    np.testing.assert_allclose(ebbinghaus_line.get_ydata(), FORMS["ebbinghaus"](x, *params, top=100))
    residuals = residual.get_lines()[5].get_ydata()
    np.testing.assert_allclose(residuals, ebbinghaus_fit["retention"]
                               - ebbinghaus_fit["fitted"].sel(model="ebbinghaus"))
    _saved(figure, tmp_path, "forgetting")


def test_plot_forgetting_fits_raw_curves_and_refuses_sweeps(sweep_fit):
    figure = analysis.plot_forgetting(analysis.datasets.load_ebbinghaus(), models=["power"])
    assert [line.get_label() for line in figure.axes[0].get_lines()][-1] == "data"
    assert len(figure.axes[0].get_lines()) == 2
    plt.close(figure)
    with pytest.raises(ValueError, match="^plot_forgetting draws one curve"):
        analysis.plot_forgetting(sweep_fit)


def test_plot_sweep_heatmap_cells_and_labels(sweep_fit, tmp_path):
    exponent_b = sweep_fit["estimate"].sel(model="power", parameter="b")
    exponent_b.attrs.update(long_name="power exponent b", units="1")
    ax = analysis.plot_sweep(exponent_b)
    assert ax.get_xlabel() == "exponent" and ax.get_ylabel() == "decay"
    mesh = ax.collections[0]
    np.testing.assert_allclose(mesh.get_array().reshape(3, 3), exponent_b.transpose("decay", "exponent"))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "1", "2"]
    assert ax.figure.axes[-1].get_ylabel() == "power exponent b"  # the colourbar
    assert len(ax.texts) == 9
    _saved(ax.figure, tmp_path, "sweep")
    ax = analysis.plot_sweep(exponent_b, x="decay")
    assert ax.get_xlabel() == "decay" and ax.get_ylabel() == "exponent"
    plt.close(ax.figure)


def test_plot_sweep_categories_and_facets(sweep_fit, tmp_path):
    ax = analysis.plot_sweep(sweep_fit["best_model"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(legend) == set(np.unique(sweep_fit["best_model"].values))
    _saved(ax.figure, tmp_path, "best_model")
    figure = analysis.plot_sweep(sweep_fit["delta_aic"], col="model")
    panels = [a for a in figure.axes if a.get_title()]
    assert len(panels) == 3
    assert panels[0].get_title() == "forgetting function = power"
    limits = {a.collections[0].get_clim() for a in panels}
    assert len(limits) == 1  # one colour scale across panels
    _saved(figure, tmp_path, "facets")


def test_plot_sweep_bad_input(sweep_fit):
    with pytest.raises(ValueError, match="^data must have two dims"):
        analysis.plot_sweep(sweep_fit["delta_aic"])
    with pytest.raises(ValueError, match="^data must be a DataArray"):
        analysis.plot_sweep(sweep_fit)
    with pytest.raises(ValueError, match="^col must be a dim"):
        analysis.plot_sweep(sweep_fit["aic"], col="replicate")


def test_plot_fit_comparison_bars_are_aic_differences(ebbinghaus_fit, sweep_fit, tmp_path):
    ax = analysis.plot_fit_comparison(ebbinghaus_fit)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "ebbinghaus"  # best at the top
    widths = {label: bar.get_width() for label, bar in zip(labels, ax.patches)}
    for model, width in widths.items():
        assert width == pytest.approx(float(ebbinghaus_fit["delta_aic"].sel(model=model)))
    assert "AIC" in ax.get_xlabel()
    _saved(ax.figure, tmp_path, "comparison")
    ax = analysis.plot_fit_comparison(sweep_fit)
    shares = [t.get_text() for t in ax.texts if t.get_text().startswith("best")]
    assert len(shares) == 3
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="^fit must"):
        analysis.plot_fit_comparison(analysis.datasets.load_ebbinghaus())


def test_house_style_is_scoped_to_the_plot(ebbinghaus_fit):
    before = plt.rcParams["axes.spines.top"]
    figure = analysis.plot_forgetting(ebbinghaus_fit)
    assert not figure.axes[0].spines["top"].get_visible()
    assert plt.rcParams["axes.spines.top"] == before
    assert HOUSE_STYLE["axes.spines.right"] is False
    plt.close(figure)
