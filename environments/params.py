"""Declaring parameters once: default, allowed range, units, meaning.

A memory model is a frozen dataclass whose fields are made with :func:`parameter`;
an environment generator declares its arguments with :func:`declare_parameters`
and :func:`argument`. The declaration drives validation (a bad value is a
ValueError naming the parameter and its range), the attrs written into output
datasets, the units of sweep coordinates, and the names a sweep may use as
dimensions (the sweep checks grid values against it without calling the
generator).
"""
import dataclasses
import functools
import inspect
import types

from environments.validation import check_number


def parameter(default, *, low=None, high=None, low_open=False, high_open=False,
              integer=False, choices=None, units="1", doc="", optional=False):
    """A dataclass field carrying its range, units and description.

    ``optional=True`` lets the value be ``None`` (the feature is off).
    """
    spec = {"low": low, "high": high, "low_open": low_open, "high_open": high_open,
            "integer": integer, "choices": choices, "units": units, "doc": doc,
            "optional": optional}
    return dataclasses.field(default=default, metadata={"parameter": spec})


def argument(*, low=None, high=None, low_open=False, high_open=False, integer=False,
             choices=None, units="1", doc="", optional=False):
    """The declaration of one argument of an environment generator (range, units, meaning).

    Parameters
    ----------
    low, high : float, optional
        Bounds of the allowed interval (None: unbounded).
    low_open, high_open : bool
        Whether the bound itself is excluded.
    integer : bool
        The value must be an integer.
    choices : tuple, optional
        The allowed values (instead of a range).
    units : str
        pint-parsable units (``"1"`` dimensionless, ``"s"``).
    doc : str
        What the argument means.
    optional : bool
        ``None`` is allowed (the feature is off).

    Returns
    -------
    dict
        The spec.
    """
    return {"low": low, "high": high, "low_open": low_open, "high_open": high_open,
            "integer": integer, "choices": choices, "units": units, "doc": doc,
            "optional": optional}


def check_value(name, value, spec):
    """``value`` checked against a parameter spec (numbers coerced); ValueError if outside.

    Parameters
    ----------
    name : str
    value : object
    spec : dict
        From :func:`parameter` or :func:`argument`.

    Returns
    -------
    object
        The value (an int or float for numeric specs).
    """
    if value is None and spec.get("optional"):
        return None
    if spec["choices"] is not None:
        if value not in spec["choices"]:
            allowed = ", ".join(repr(c) for c in spec["choices"])
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        return value
    value = check_number(name, value, spec["low"], spec["high"], low_open=spec["low_open"],
                         high_open=spec["high_open"], integer=spec["integer"])
    return int(value) if spec["integer"] else float(value)


def declare_parameters(**arguments):
    """Decorator: declare an environment generator's arguments with :func:`argument`.

    The generator is wrapped so that every declared argument is checked (and
    numbers coerced) before it runs; ``func.parameter_specs`` holds the
    declarations and ``func.parameter_units`` their units, for sweeps and docs.
    ValueError, when decorating, for a name that is not an argument of the
    function.

    Parameters
    ----------
    **arguments : dict
        ``name=argument(...)`` for each declared argument.

    Returns
    -------
    callable
        The decorator.
    """
    def declare(func):
        signature = inspect.signature(func)
        accepted = [p for p in signature.parameters if p != "seed"]
        for name in arguments:
            if name not in accepted:
                raise ValueError(f"declare_parameters names {name!r}, which is not a parameter "
                                 f"of {func.__name__} (parameters: {', '.join(accepted)})")

        @functools.wraps(func)
        def checked(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as err:
                raise ValueError(f"{func.__name__}: {err}") from None
            for name, value in bound.arguments.items():
                if name in arguments:
                    bound.arguments[name] = check_value(name, value, arguments[name])
            return func(*bound.args, **bound.kwargs)

        checked.parameter_specs = types.MappingProxyType(dict(arguments))
        checked.parameter_units = types.MappingProxyType(
            {name: spec["units"] for name, spec in arguments.items()})
        return checked

    return declare


def check_arguments(environment, kwargs):
    """Check ``kwargs`` against an environment's declarations (undeclared names pass).

    Parameters
    ----------
    environment : callable
        A generator decorated with :func:`declare_parameters` (or a
        ``functools.partial`` of one).
    kwargs : dict

    Returns
    -------
    bool
        Whether the environment declares its parameters.
    """
    target = environment.func if isinstance(environment, functools.partial) else environment
    specs = getattr(target, "parameter_specs", None)
    if specs is None:
        return False
    for name, value in kwargs.items():
        if name in specs:
            check_value(name, value, specs[name])
    return True


def validate(agent):
    """Check every declared parameter of ``agent``; coerce numbers to float/int."""
    for field in dataclasses.fields(agent):
        spec = field.metadata.get("parameter")
        if spec is None:
            continue
        value = check_value(field.name, getattr(agent, field.name), spec)
        # frozen dataclass: the documented way to normalise a field after checking it
        object.__setattr__(agent, field.name, value)


def parameters(agent):
    """``{name: value}`` of the declared parameters of an agent."""
    return {f.name: getattr(agent, f.name) for f in dataclasses.fields(agent)
            if "parameter" in f.metadata}


def parameter_specs(agent_or_class):
    """``{name: spec}``: range, units and description of each declared parameter."""
    return {f.name: f.metadata["parameter"] for f in dataclasses.fields(agent_or_class)
            if "parameter" in f.metadata}
