"""Real retention data shipped with the toolkit, as labelled DataArrays.

Each loader returns a DataArray over dim ``lag`` (the retention interval, with its
units) whose ``attrs`` cite the source, so it can go straight into
:func:`analysis.fit_forgetting` or :func:`analysis.plot_forgetting`.
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


__all__ = ["load_ebbinghaus"]
