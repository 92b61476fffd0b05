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


def config_agent(config):
    """The agent instance: class ``config['agent']`` with ``[agent_parameters]``."""
    agent_class = _resolve(config["agent"], "simulator", "agent")
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


def config_environment(config):
    """The environment function ``config['environment']`` and its fixed arguments."""
    function = _resolve(config["environment"], "environments", "environment")
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


def _resolve(name, package, key):
    """``name`` in ``package`` (e.g. "ACTR"), or a ``module:attribute`` path."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"config key {key!r} must be a name such as "
                         f"{'ACTR' if key == 'agent' else 'power_law'}, got {name!r}")
    module_name, _, attribute = name.rpartition(":") if ":" in name else (package, "", name)
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attribute)
    except (ImportError, AttributeError):
        raise ValueError(f"config key {key!r}: unknown {key} {name!r} (in {package}: "
                         f"{', '.join(_choices(package, key))}; or give module:name)") from None


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
