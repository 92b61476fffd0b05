"""Argument checks shared by every layer: errors name the parameter and its range."""
import math
import numbers


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
