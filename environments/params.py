"""Declaring agent parameters once: default, allowed range, units, meaning.

An agent is a frozen dataclass whose fields are made with :func:`parameter`. The
declaration drives validation (a bad value is a ValueError naming the parameter
and its range), the attrs written into output datasets, and the names a sweep
may use as dimensions.
"""
import dataclasses

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


def validate(agent):
    """Check every declared parameter of ``agent``; coerce numbers to float/int."""
    for field in dataclasses.fields(agent):
        spec = field.metadata.get("parameter")
        if spec is None:
            continue
        value = getattr(agent, field.name)
        if value is None and spec.get("optional"):
            continue
        if spec["choices"] is not None:
            if value not in spec["choices"]:
                allowed = ", ".join(repr(c) for c in spec["choices"])
                raise ValueError(f"{field.name} must be one of {allowed}, got {value!r}")
            continue
        value = check_number(field.name, value, spec["low"], spec["high"],
                             low_open=spec["low_open"], high_open=spec["high_open"],
                             integer=spec["integer"])
        # frozen dataclass: the documented way to normalise a field after checking it
        object.__setattr__(agent, field.name, int(value) if spec["integer"] else float(value))


def parameters(agent):
    """``{name: value}`` of the declared parameters of an agent."""
    return {f.name: getattr(agent, f.name) for f in dataclasses.fields(agent)
            if "parameter" in f.metadata}


def parameter_specs(agent_or_class):
    """``{name: spec}``: range, units and description of each declared parameter."""
    return {f.name: f.metadata["parameter"] for f in dataclasses.fields(agent_or_class)
            if "parameter" in f.metadata}
