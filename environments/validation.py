"""Argument checks shared by every layer: errors name the parameter and its range."""
import math
import numbers
import os


def check_number(name, value, low=None, high=None, *, low_open=False, high_open=False,
                 integer=False):
    """Return ``value`` if it is a finite number in the interval, else raise ValueError.

    The message names the parameter and the allowed range, e.g.
    ``decay must be in (0, 1), got 1.5``.
    """
    interval = _interval_text(low, high, low_open, high_open, integer)
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {kind} {interval}, got {value!r}")
    if integer and not isinstance(value, numbers.Integral):
        if not float(value).is_integer():
            raise ValueError(f"{name} must be {kind} {interval}, got {value!r}")
        value = int(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number {interval}, got {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {interval}, got {value!r}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {interval}, got {value!r}")
    return value


def _interval_text(low, high, low_open, high_open, integer):
    if low is None and high is None:
        return "(finite)"
    if high is None:
        return f"> {low}" if low_open else f">= {low}"
    if low is None:
        return f"< {high}" if high_open else f"<= {high}"
    if integer:
        return f"in {low}..{high}"
    return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def available_memory():
    """Bytes this machine can still allocate without swapping.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux), else free physical pages times the page
    size (``os.sysconf``), else None when neither is known.

    Returns
    -------
    int or None
    """
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(name, value, n_bytes, what):
    """Raise ValueError naming ``name`` when ``n_bytes`` exceed the available memory.

    Called by generators and drivers before they allocate, with an estimate of what
    their arguments make them allocate, so that a size mistake is one clear error
    before any work instead of a ``MemoryError`` (or the machine swapping) after it.

    Parameters
    ----------
    name : str
        The argument (or arguments) that set the size, as the user wrote them.
    value : object
        Its value, quoted in the message.
    n_bytes : int or float
        Bytes the call would allocate.
    what : str
        What would be allocated, e.g. ``"the (probe, item) recall matrix"``.

    Returns
    -------
    int or float
        ``n_bytes``.
    """
    available = available_memory()
    if available is not None and n_bytes > available:
        raise ValueError(f"{name}={value!r} would need {format_bytes(n_bytes)} for {what}, "
                         f"more than the {format_bytes(available)} of memory available")
    return n_bytes


def format_bytes(n_bytes):
    """``n_bytes`` in the largest binary unit below it, e.g. ``"7.3 TiB"``.

    Parameters
    ----------
    n_bytes : int or float

    Returns
    -------
    str
    """
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024.0 or unit == "PiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024.0
    return f"{value:.1f} EiB"


EVENT_BYTES = 64
"""Bytes per event a generator holds at its peak: the stream's time, item, kind and task
arrays, their temporaries and the sort into time order."""
