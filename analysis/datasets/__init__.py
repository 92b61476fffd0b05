"""Real retention data shipped with the toolkit, as labelled xarray objects.

:func:`load_ebbinghaus` returns a DataArray over dim ``lag`` (the retention
interval, with its units) for :func:`analysis.fit_forgetting` or
:func:`analysis.plot_forgetting`; :func:`load_cepeda2008` a Dataset of recall by
study gap and retention interval for :func:`analysis.fit_spacing`. The ``attrs``
cite the source of every number.
"""
import numpy as np
import xarray as xr

_MINUTES_PER_HOUR, _MINUTES_PER_DAY = 60.0, 1440.0

EBBINGHAUS_1885 = {
    "delay_minutes": np.array([20.0, 1.0 * _MINUTES_PER_HOUR, 8.8 * _MINUTES_PER_HOUR,
                               1.0 * _MINUTES_PER_DAY, 2.0 * _MINUTES_PER_DAY,
                               6.0 * _MINUTES_PER_DAY, 31.0 * _MINUTES_PER_DAY]),
    "savings_percent": np.array([58.2, 44.2, 35.8, 33.7, 27.8, 25.4, 21.1]),
}


def load_ebbinghaus():
    """Ebbinghaus's (1885) savings after seven retention intervals.

    Ebbinghaus, H. (1885). *Über das Gedächtnis*, chapter 7, section 29 (tr. Ruger &
    Bussenius 1913, *Memory: A contribution to experimental psychology*). Lists of
    13 nonsense syllables, learned to one errorless recitation and relearned after
    20 minutes, 1 hour, 8.8 hours, 1, 2, 6 and 31 days; savings = the percentage
    of the original learning time saved in relearning. His own fit:
    ``b = 100 k / ((log10 t)^c + k)``, t in minutes, k = 1.84, c = 1.25.

    Returns
    -------
    xarray.DataArray
        ``savings`` in percent over dim ``lag`` (minutes).
    """
    lag = xr.DataArray(EBBINGHAUS_1885["delay_minutes"], dims="lag",
                       attrs={"long_name": "retention interval", "units": "min"})
    return xr.DataArray(
        EBBINGHAUS_1885["savings_percent"].copy(), dims="lag", coords={"lag": lag},
        name="savings",
        attrs={"long_name": "savings in relearning", "units": "%",
               "source": "Ebbinghaus, H. (1885). Ueber das Gedaechtnis, ch. 7, sec. 29",
               "published_fit": "100 k / ((log10 t)^c + k), t in minutes, k = 1.84, c = 1.25"},
    )


CEPEDA_2008 = {
    # retention interval (days): [(gap between the two study sessions in days, percent
    # correct on the final recall test), ...]; gap 0 is the massed condition (both
    # sessions on the same day)
    7: [(0, 88.2), (1, 97.3), (2, 95.0), (7, 93.8), (21, 93.3), (105, 80.6)],
    35: [(0, 51.7), (1, 68.9), (4, 73.9), (7, 79.9), (11, 81.9), (21, 75.9), (105, 59.1)],
    70: [(0, 29.1), (1, 42.1), (7, 60.1), (14, 51.3), (21, 61.2), (105, 42.4)],
    350: [(0, 12.4), (1, 12.5), (7, 14.7), (21, 21.9), (35, 19.9), (70, 20.6), (105, 13.3)],
}

CEPEDA_2008_SOURCE = (
    "Cepeda, N. J., Vul, E., Rohrer, D., Wixted, J. T., & Pashler, H. (2008). Spacing "
    "effects in learning: A temporal ridgeline of optimal retention. Psychological "
    "Science, 19(11), 1095-1102. doi:10.1111/j.1467-9280.2008.02209.x")
CEPEDA_2008_READ_FROM = (
    "final-test recall of the 26 gap x retention-interval conditions as plotted in "
    "Mozer, Pashler, Cepeda, Lindsey & Vul (2009), Predicting the optimal spacing of "
    "study: a multiscale context model of memory, NIPS 22, 1321-1329, Figure 2d; marker "
    "centres recovered from the proceedings PDF's vector drawing and calibrated against "
    "its axes (residuals < 0.03 percentage points), one decimal")


def load_cepeda2008():
    """Cepeda et al.'s (2008) temporal ridgeline: recall by study gap and retention interval.

    Cepeda, N. J., Vul, E., Rohrer, D., Wixted, J. T., & Pashler, H. (2008).
    Spacing effects in learning: A temporal ridgeline of optimal retention.
    *Psychological Science*, 19(11), 1095-1102. Over 1,350 people learned
    obscure trivia facts in a first session, reviewed them in a second session
    after a gap of 0 (same day), 1, 2, 4, 7, 11, 14, 21, 35, 70 or 105 days, and
    took a final recall test 7, 35, 70 or 350 days after the review; 26 gap x
    retention-interval conditions were run (not the full grid).

    Where the numbers come from: the percent correct on the final recall test of
    every condition as plotted in Mozer, Pashler, Cepeda, Lindsey & Vul (2009),
    "Predicting the optimal spacing of study: a multiscale context model of
    memory", *Advances in Neural Information Processing Systems 22*, 1321-1329,
    Figure 2d, which shows Cepeda et al.'s (2008) data; the marker centres were
    recovered from the vector drawing of the proceedings PDF and calibrated
    against its axes (residuals below 0.03 percentage points), to one decimal.
    They were not read from a table of the 2008 paper. Their maxima lie at gaps of
    1, 11, 21 and 21 days for the four retention intervals, the recall optima the
    2008 paper reports (ratios to the interval 0.14, 0.31, 0.30 and 0.06: the
    optimal gap grows with the retention interval, its ratio falls at long ones).

    Returns
    -------
    xarray.Dataset
        ``recall`` (proportion correct, the figure's percent / 100) over
        ``retention_interval`` x ``gap`` (days; NaN where a combination was not
        run), ``tested`` (the conditions run) and ``best_gap`` (the gap with the
        highest recall at each retention interval); ``attrs`` cite the paper and
        say where the numbers were read.
    """
    intervals = np.array(sorted(CEPEDA_2008), float)
    gaps = np.array(sorted({g for rows in CEPEDA_2008.values() for g, _ in rows}), float)
    recall = np.full((len(intervals), len(gaps)), np.nan)
    for i, interval in enumerate(intervals):
        for gap, percent in CEPEDA_2008[int(interval)]:
            recall[i, np.searchsorted(gaps, gap)] = percent / 100.0
    best = gaps[np.nanargmax(recall, axis=1)]
    return xr.Dataset(
        {"recall": (("retention_interval", "gap"), recall, {
            "long_name": "proportion recalled", "units": "1",
            "description": "proportion correct on the final recall test; NaN: not run"}),
         "tested": (("retention_interval", "gap"), np.isfinite(recall), {
             "long_name": "condition run", "units": "1"}),
         "best_gap": ("retention_interval", best, {
             "long_name": "gap with the highest recall", "units": "day"})},
        coords={"retention_interval": ("retention_interval", intervals, {
                    "long_name": "retention interval", "units": "day",
                    "description": "time from the review session to the final test"}),
                "gap": ("gap", gaps, {
                    "long_name": "gap between study sessions", "units": "day",
                    "description": "0: both sessions on the same day (massed)"})},
        attrs={"title": "Cepeda et al. (2008) spacing data", "source": CEPEDA_2008_SOURCE,
               "read_from": CEPEDA_2008_READ_FROM, "material": "obscure trivia facts"},
    )


__all__ = ["load_cepeda2008", "load_ebbinghaus"]
