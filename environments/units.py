"""Units of the parameters of environment generators, for whoever labels them (sweeps)."""
import functools
import inspect
import types


def parameter_units(**units):
    """Decorator: declare the units of an environment generator's parameters.

    ``@parameter_units(n_events="count", exponent="1", time_step="s")`` records
    them on the function as ``parameter_units`` (a read-only mapping), so a
    :func:`simulator.sweep` over these parameters labels its coordinates with
    them. Units are CF/UDUNITS strings (``"1"`` for dimensionless numbers) or
    the name of what is counted (``"events"``, ``"items"``). The function itself
    is returned unchanged.

    Raises ValueError, when decorating, for a name that is not a parameter of the
    function (``seed`` has no units) or a unit that is not a non-empty string.

    Parameters
    ----------
    **units : str
        ``parameter name -> unit string`` for parameters of the decorated function.

    Returns
    -------
    callable
        A decorator that records the units on the function and returns it unchanged.
    """
    for name, unit in units.items():
        if not isinstance(unit, str) or not unit:
            raise ValueError(f"units of {name} must be a non-empty string such as 's' or "
                             f"'1', got {unit!r}")

    def declare(func):
        accepted = [p for p in inspect.signature(func).parameters if p != "seed"]
        for name in units:
            if name not in accepted:
                raise ValueError(f"parameter_units names {name!r}, which is not a parameter of "
                                 f"{func.__name__} (parameters: {', '.join(accepted)})")
        func.parameter_units = types.MappingProxyType(dict(units))
        return func

    return declare


def units_of(environment, name):
    """Declared units of parameter ``name`` of an environment function (or a
    ``functools.partial`` of one); ``"1"`` when it declares none."""
    target = environment.func if isinstance(environment, functools.partial) else environment
    return getattr(target, "parameter_units", {}).get(name, "1")
