"""TOML configs of ``cogmemsim run`` and ``cogmemsim sweep``: read, check, resolve.

A config names the agent and the environment, their fixed parameters and (for a
sweep) the grid; every error names the offending key, e.g.
``config key 'agent_parameters.decay': decay must be in (0.0, 1.0), got 1.5``.
"""
import dataclasses
import importlib
import inspect
import pathlib

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from environments.params import parameter_specs
from simulator.sweeps._plan import _environment_parameters
from simulator.protocol import MemoryModel

COMMON_KEYS = ("agent", "environment", "agent_parameters", "environment_parameters", "seed",
               "probe_times", "out")
SWEEP_KEYS = COMMON_KEYS + ("grid", "regimes", "replicates", "reduce", "bins", "backend",
                            "workers", "chunk_size")
TABLES = ("agent_parameters", "environment_parameters", "grid", "regimes")


def read_config(path, command):
    """The config at ``path`` as a dict, checked for ``command`` ("run" or "sweep")."""
    path = pathlib.Path(path)
    try:
        with open(path, "rb") as file:
            config = tomllib.load(file)
    except FileNotFoundError:
        raise ValueError(f"config file not found: {str(path)!r}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"config {str(path)!r} is not valid TOML: {err}") from None
    allowed = SWEEP_KEYS if command == "sweep" else COMMON_KEYS
    for key in config:
        if key not in allowed:
            hint = "; a grid needs `cogmemsim sweep`" if key in SWEEP_KEYS else ""
            raise ValueError(f"config key {key!r} is not known to `cogmemsim {command}` "
                             f"(known: {', '.join(allowed)}){hint}")
    for key in ("agent", "environment"):
        if key not in config:
            raise ValueError(f"config key {key!r} is missing")
    if command == "sweep" and "grid" not in config and "regimes" not in config:
        raise ValueError("config key 'grid' is missing (a sweep needs [grid], [regimes] "
                         "or both)")
    for key in TABLES:
        if key in config and not isinstance(config[key], dict):
            raise ValueError(f"config key {key!r} must be a table ([{key}])")
    return config


def config_agent(config, allow_import=False):
    """The agent instance: class ``config['agent']`` with ``[agent_parameters]``.

    ``agent`` names one of cogmemsim's memory models (e.g. ``"ACTR"``); a
    ``module:Class`` path is imported only with ``allow_import`` (``--allow-import``).
    """
    agent_class = _resolve(config["agent"], "simulator", "agent", allow_import)
    if not (isinstance(agent_class, type) and issubclass(agent_class, MemoryModel)
            and dataclasses.is_dataclass(agent_class)):
        raise ValueError(f"config key 'agent': {config['agent']!r} is not an agent class")
    params = config.get("agent_parameters", {})
    specs = parameter_specs(agent_class)
    for key, value in params.items():
        if key not in specs:
            raise ValueError(f"config key 'agent_parameters.{key}': not a parameter of "
                             f"{agent_class.__name__} (parameters: {', '.join(specs)})")
        try:
            agent_class(**{key: value})
        except ValueError as err:
            raise ValueError(f"config key 'agent_parameters.{key}': {err}") from None
    return agent_class(**params)


def config_environment(config, allow_import=False):
    """The environment function ``config['environment']`` and its fixed arguments.

    ``environment`` names one of cogmemsim's generators (e.g. ``"power_law"``); a
    ``module:function`` path is imported only with ``allow_import``.
    """
    function = _resolve(config["environment"], "environments", "environment", allow_import)
    if isinstance(function, type) or not callable(function):
        raise ValueError(f"config key 'environment': {config['environment']!r} is not an "
                         f"environment function")
    try:
        accepted, name = _environment_parameters(function)
    except ValueError as err:
        raise ValueError(f"config key 'environment': {err}") from None
    kwargs = config.get("environment_parameters", {})
    for key in kwargs:
        if key not in accepted:
            raise ValueError(f"config key 'environment_parameters.{key}': not a parameter of "
                             f"environment {name} (parameters: {', '.join(accepted)})")
    return function, kwargs


def _resolve(name, package, key, allow_import=False):
    """``name`` among ``package``'s own models or generators (e.g. "ACTR"), or a
    ``module:attribute`` path, which is imported only when ``allow_import``."""
    example = "ACTR" if key == "agent" else "power_law"
    if not isinstance(name, str) or not name:
        raise ValueError(f"config key {key!r} must be a name such as {example}, got {name!r}")
    if ":" not in name:
        choices = _choices(package, key)
        if name not in choices:
            raise ValueError(f"config key {key!r}: unknown {key} {name!r} (in {package}: "
                             f"{', '.join(choices)}; or module:name with --allow-import)")
        return getattr(importlib.import_module(package), name)
    module_name, _, attribute = name.rpartition(":")
    if not (module_name and attribute and all(part.isidentifier() for part in
                                              module_name.split(".") + [attribute])):
        raise ValueError(f"config key {key!r}: {name!r} is not of the form module:name")
    if not allow_import:
        raise ValueError(f"config key {key!r}: {name!r} names code outside cogmemsim; importing "
                         f"{module_name} runs it, so it needs --allow-import")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(f"config key {key!r}: cannot import {module_name!r} ({err})") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ValueError(f"config key {key!r}: module {module_name!r} has no {attribute!r}"
                         ) from None


def _choices(package, key):
    """The names ``key`` may take in ``package``: memory-model classes for an agent,
    generator functions (those taking a ``seed``) for an environment."""
    module = importlib.import_module(package)
    names = []
    for name in module.__all__:
        value = getattr(module, name)
        if key == "agent":
            if (isinstance(value, type) and issubclass(value, MemoryModel)
                    and value is not MemoryModel):
                names.append(name)
        elif inspect.isfunction(value) and "seed" in inspect.signature(value).parameters:
            names.append(name)
    return sorted(names)
