"""The plan of a sweep: what varies, how each run is seeded, how runs are chunked,
and the work one chunk does.

A :class:`SweepPlan` is small and picklable: a worker process (local or on a dask
cluster) receives the plan and a chunk index and returns plain numpy arrays, so
the same code runs whatever the backend.
"""
import dataclasses
import functools
import inspect
import itertools
import json
import traceback

import numpy as np
import xarray as xr

from environments import EventStream
from environments.seeding import seed_attrs, seed_sequence
from environments.version import version_attrs
from environments.units import units_of
from environments.validation import check_number
from environments.stream import flat_attrs

from environments.params import parameter_specs, parameters
from simulator.variables import SWEEP_VARIABLES
from simulator.probes import describe_probe_times, probe_rule
from simulator.reductions import (DEFAULT_LAG_EDGES, check_bin_edges, keep_events, keep_need,
                                  keep_probes, keep_retention)
from simulator.run import _check_probe_times, item_tasks, run
from simulator.protocol import MemoryModel, check_model
from simulator.sweeps.experiments import is_experiment, whole_dataset
from environments.params import check_arguments
from environments.seeding import child

REDUCTIONS = ("retention", "probes", "events", "need")
# dims a run's reduction may use; a grid key of the same name would collide with them
RESERVED_DIMS = ("regime", "replicate", "event", "item", "task", "lag", "probe",
                 "digest_variable")


class SweepCellError(RuntimeError):
    """A run of a sweep failed; the message names its parameters and replicate."""


@dataclasses.dataclass(frozen=True)
class SweepPlan:
    """Everything a worker needs to compute any chunk of a sweep.

    The sweep is an array of runs over :attr:`dims` (``regime`` when there are
    regimes, the grid ``names``, ``replicate``); a chunk is a block of
    ``chunk_shape`` runs (the blocks tile the array, as Zarr chunks do).
    ``regimes`` holds ``(name, environment overrides, agent overrides)``.
    """

    agent: object
    environment: object
    environment_kwargs: dict
    names: tuple
    values: tuple
    is_agent: tuple
    replicates: int
    entropy: object
    spawn_key: tuple
    reduce: object
    probe_times: object
    chunk_shape: tuple
    regimes: tuple = ()

    @property
    def dims(self):
        return ("regime",) * bool(self.regimes) + self.names + ("replicate",)

    @property
    def shape(self):
        """Runs per dim: one per regime, one per grid value, then ``replicates``."""
        return ((len(self.regimes),) * bool(self.regimes) + tuple(len(v) for v in self.values)
                + (self.replicates,))

    @property
    def dim_is_agent(self):
        """For each dim of :attr:`shape` but ``replicate``: is it an agent parameter?
        (``regime`` counts as environment: it may change the stream.)"""
        return (False,) * bool(self.regimes) + tuple(self.is_agent)

    def split(self, index):
        """``(regime, grid index)``: the run's ``(name, environment overrides, agent
        overrides)`` (``(None, {}, {})`` without regimes) and its grid indices + replicate."""
        if not self.regimes:
            return (None, {}, {}), tuple(index)
        return self.regimes[index[0]], tuple(index[1:])

    @property
    def n_runs(self):
        return int(np.prod(self.shape))

    def blocks(self):
        """Index of every chunk, in C order of the chunk grid."""
        counts = [-(-n // c) for n, c in zip(self.shape, self.chunk_shape)]
        return list(np.ndindex(*counts))

    def block_slices(self, block):
        """Where chunk ``block`` sits in the sweep, one slice per dim."""
        return tuple(slice(b * c, min((b + 1) * c, n))
                     for b, c, n in zip(block, self.chunk_shape, self.shape))

    def block_runs(self, block):
        return int(np.prod([s.stop - s.start for s in self.block_slices(block)]))

    def run_parameters(self, index):
        """``{name: value}`` of the grid at run ``index`` (regime overrides first)."""
        (_, env, agent), index = self.split(index)
        grid = {name: values[i] for name, values, i in zip(self.names, self.values, index)}
        return {**env, **agent, **grid}

    def describe(self, index):
        """The run at ``index`` in words, e.g. ``decay=0.5, exponent=1.0, replicate=2``."""
        name = self.split(index)[0][0]
        text = ", ".join(f"{k}={v!r}" for k, v in self.run_parameters(index).items())
        return f"{'' if name is None else f'regime={name!r}, '}{text}, replicate={index[-1]}"

    def run_seeds(self, index):
        """Environment and agent seeds of run ``index``, from its grid position only.

        The environment seed depends on the environment parameters' position and the
        replicate, so every agent setting meets the same stream (common random numbers:
        differences along agent dims come from the agent alone); the agent seed depends
        on the whole cell and the replicate. The regime does not enter: every regime
        meets the seeds of the same grid cell, as separate sweeps with one root would.
        """
        *cell, replicate = (int(i) for i in self.split(index)[1])
        grid_shape = tuple(len(v) for v in self.values)
        env_cell = [(i, n) for i, n, a in zip(cell, grid_shape, self.is_agent) if not a]
        env_flat = int(np.ravel_multi_index([i for i, _ in env_cell], [n for _, n in env_cell])
                       ) if env_cell else 0
        flat = int(np.ravel_multi_index(cell, grid_shape))
        root = np.random.SeedSequence(self.entropy, spawn_key=self.spawn_key)
        return child(root, 0, env_flat, replicate), child(root, 1, flat, replicate)

    def stream(self, index, seed):
        """The stream run ``index`` meets (generated here: streams are made lazily)."""
        if isinstance(self.environment, EventStream):
            return self.environment
        return self.environment(**self._kwargs(index, agent=False), seed=seed)

    def _kwargs(self, index, agent):
        """The environment function's arguments (``agent=False``) or the agent's
        parameters not at the base agent's values (``agent=True``) of run ``index``."""
        (_, env_over, agent_over), grid_index = self.split(index)
        kwargs = dict(agent_over) if agent else {**self.environment_kwargs, **env_over}
        kwargs.update({name: values[i] for name, values, i, a in zip(
            self.names, self.values, grid_index, self.is_agent) if a == agent})
        return kwargs

    def run_one(self, index, streams):
        """Run and reduce the run at ``index``; ``streams`` holds the last stream made, so
        consecutive runs that meet the same stream generate it once."""
        env_seed, agent_seed = self.run_seeds(index)
        agent = dataclasses.replace(self.agent, **self._kwargs(index, agent=True))
        if is_experiment(self.environment):
            return self.reduce(self.environment(agent, **self._kwargs(index, agent=False),
                                                seed=agent_seed))
        key = (index[0] if self.regimes else None, env_seed.spawn_key)
        if key not in streams:
            streams.clear()
            streams[key] = self.stream(index, env_seed)
        if self.reduce is keep_need:  # need prediction ranks items: its own driver
            from simulator.need import predict_need
            return keep_need(predict_need(agent, streams[key], seed=agent_seed))
        ds = run(agent, streams[key], seed=agent_seed, probe_times=self.probe_times)
        return self.reduce(ds)


def compute_block(plan, block, template, first=None):
    """Run every run of chunk ``block``; ``{variable: array}`` shaped chunk + variable.

    ``template`` is a reduction with the shape of every run's (variables, dims and
    coordinates must match); ``first`` the first run's reduction when it was
    already computed, so it is not computed twice.
    """
    slices = plan.block_slices(block)
    shape = tuple(s.stop - s.start for s in slices)
    out = {name: np.empty(shape + var.shape, var.dtype) for name, var in template.data_vars.items()}
    streams = {}
    # environment dims and replicate outermost, agent dims innermost: the runs that
    # meet one stream follow each other, so it is generated once per chunk
    order = [k for k, a in enumerate(plan.dim_is_agent) if not a] + [len(shape) - 1] + [
        k for k, a in enumerate(plan.dim_is_agent) if a]
    for permuted in np.ndindex(*(shape[k] for k in order)):
        local = [0] * len(shape)
        for k, i in zip(order, permuted):
            local[k] = i
        local = tuple(local)
        index = tuple(s.start + i for s, i in zip(slices, local))
        if first is not None and not any(index):
            reduced = first
        else:
            reduced = reduce_run(plan, index, streams, template)
        for name, array in out.items():
            array[local] = reduced[name].values
    return out


def reduce_run(plan, index, streams, template=None):
    """Run and reduce run ``index``, checked against ``template`` (the first run's).

    Any failure raises :class:`SweepCellError` naming the run's parameters, with the
    worker's traceback as a note (it survives pickling back from a worker process).
    """
    try:
        reduced = plan.run_one(index, streams)
        if template is None:
            check_first(reduced, plan.dims)
        else:
            check_like(reduced, template)
    except Exception as err:
        error = SweepCellError(f"run {plan.describe(index)} failed: {type(err).__name__}: {err}")
        error.add_note(traceback.format_exc())
        raise error from err
    return reduced


def check_first(reduced, names):
    """Raise ValueError unless a reduction can be stacked along the sweep's dims."""
    if not isinstance(reduced, xr.Dataset):
        raise ValueError(f"reduce must return an xarray.Dataset, got {type(reduced).__name__}")
    clash = set(reduced.dims) & set(names)
    if clash:
        raise ValueError(f"reduce returned dims {sorted(clash)} that are dims of the sweep")
    if not reduced.data_vars:
        raise ValueError("reduce returned a Dataset without data variables")
    taken = {"finished", "run_digest"} & set(reduced.variables)
    if taken:
        raise ValueError(f"reduce returned {sorted(taken)}, names a sweep's store keeps for "
                         f"itself")


def check_like(reduced, template):
    """Raise ValueError unless ``reduced`` has the variables and coordinates of ``template``."""
    check_first(reduced, ())
    if set(reduced.data_vars) != set(template.data_vars):
        raise ValueError(f"reduce returned variables {sorted(reduced.data_vars)}, "
                         f"the first run {sorted(template.data_vars)}")
    for name, var in template.data_vars.items():
        if reduced[name].dims != var.dims or reduced[name].shape != var.shape:
            raise ValueError(f"reduce returned {name} with dims {dict(reduced[name].sizes)}, "
                             f"the first run {dict(var.sizes)}")
    if set(reduced.coords) != set(template.coords) or not all(
            np.array_equal(reduced[c].values, template[c].values,
                           equal_nan=reduced[c].dtype.kind == "f")
            for c in template.coords):
        raise ValueError("reduce returned coordinates that differ from the first run's; "
                         "coordinates must be shared by every run (put what varies in "
                         "data variables)")


class _ArgumentsChecked(Exception):
    """Raised by :class:`_CheckingSeed` when the environment starts drawing."""


class _CheckingSeed(np.random.SeedSequence):
    """A seed that stops the environment function at its first use of randomness.

    Environment functions validate their arguments before drawing anything (the
    toolkit's rule: bad input fails before any work), so calling one with this seed
    checks the arguments and stops before the stream is generated.
    """

    def generate_state(self, *args, **kwargs):
        raise _ArgumentsChecked

    def spawn(self, *args, **kwargs):
        raise _ArgumentsChecked


def make_plan(agent, environment, grid, replicates, seed, reduce, bins, probe_times,
              environment_kwargs, chunk_size, workers, regimes=None):
    """Validate every argument and grid value of a sweep; return its plan and attrs.

    Nothing is simulated: agents are constructed (their ``__post_init__`` checks
    every value) and the environment is called with :class:`_CheckingSeed` for every
    combination of its grid values, which stops it before it draws anything. Only
    probe times given by a rule need streams: each environment setting's first
    replicate is generated to find how many probes and tasks to pad to.
    """
    base = _base_agent(agent)
    env_params, env_name = _environment_parameters(environment)
    environment_kwargs = _environment_kwargs(environment_kwargs, env_params, env_name)
    names, values, is_agent = _grid(grid, parameter_specs(base), env_params, env_name,
                                    environment_kwargs, allow_empty=regimes is not None)
    regimes = _regimes(regimes, parameter_specs(base), env_params, env_name, names)
    replicates = check_number("replicates", replicates, 1, None, integer=True)
    if is_experiment(environment) and probe_times is not None:
        raise ValueError(f"probe_times is not used by experiment {env_name}: it runs the "
                         f"agent itself")
    rule = probe_rule(probe_times)
    if rule is not None:
        probe_times = rule
    elif probe_times is not None:
        probe_times = _check_probe_times(probe_times)
    reducer, reduce_name, edges = _reducer(reduce, bins, probe_times, is_experiment(environment))
    if chunk_size is not None:
        chunk_size = check_number("chunk_size", chunk_size, 1, None, integer=True)

    for regime, env_over, agent_over in regimes or ((None, {}, {}),):
        where = "" if regime is None else f"regimes[{regime!r}]: "
        try:
            regime_agent = dataclasses.replace(base, **agent_over)
        except ValueError as err:
            raise ValueError(f"{where}{err}") from None
        _check_grid_values(names, values, is_agent, functools.partial(dataclasses.replace,
                                                                      regime_agent))
        if not isinstance(environment, EventStream):
            kwargs = {**environment_kwargs, **env_over}
            _check_required(environment, env_name, set(kwargs) | set(names))
            try:
                _check_grid_values(names, values, [not a for a in is_agent], functools.partial(
                    _check_environment_arguments, environment, kwargs))
            except ValueError as err:
                raise ValueError(f"{where}{err}") from None

    root = seed_sequence(seed)
    shape = (len(regimes),) * bool(regimes) + tuple(len(v) for v in values) + (replicates,)
    n_runs = int(np.prod(shape))
    if chunk_size is None:
        # enough chunks to balance the workers, few enough that scheduling stays cheap
        chunk_size = max(1, min(64, n_runs // (8 * workers)))
    plan = SweepPlan(agent=base, environment=environment, environment_kwargs=environment_kwargs,
                     names=names, values=values, is_agent=is_agent, replicates=replicates,
                     entropy=root.entropy, spawn_key=tuple(root.spawn_key), reduce=reducer,
                     probe_times=probe_times, regimes=regimes,
                     chunk_shape=_chunk_shape(shape, chunk_size,
                                              (False,) * bool(regimes) + tuple(is_agent)))
    if rule is not None and reduce == "probes":
        plan = dataclasses.replace(plan, reduce=functools.partial(keep_probes,
                                                                  **_probe_extent(plan)))
    spec = {
        "agent": f"{type(base).__module__}.{type(base).__qualname__}",
        "agent_parameters": parameters(base),
        "environment": env_name,
        "environment_kwargs": environment_kwargs,
        "grid": [[name, list(v)] for name, v in zip(names, values)],
        "replicates": replicates,
        "seed_entropy": str(root.entropy),
        "seed_spawn_key": list(root.spawn_key),
        "reduce": reduce_name,
        "bins": None if edges is None else edges.tolist(),
        "probe_times": describe_probe_times(probe_times),
    }
    if regimes:
        spec["regimes"] = [[name, env, agent] for name, env, agent in regimes]
    over = " x ".join((("regime",) if regimes else ()) + names)
    attrs = {"title": f"{type(base).__name__} in {env_name}: sweep over {over}",
             "agent": type(base).__name__}
    attrs.update(flat_attrs({k: v for k, v in parameters(base).items() if k not in names},
                            prefix="agent"))
    if isinstance(environment, EventStream):
        attrs.update(flat_attrs(environment.meta, prefix="environment"))
    attrs.setdefault("environment", env_name)
    attrs.update(flat_attrs(environment_kwargs, prefix="environment"))
    attrs.update({"replicates": replicates, "reduce": reduce_name})
    attrs.update(seed_attrs(root))
    attrs.update(version_attrs())
    attrs["sweep"] = json.dumps(spec, default=repr)
    return plan, attrs


def _probe_extent(plan):
    """``{"n_probes", "tasks"}``: the most probes and every task met by the first
    replicate of each environment setting (and regime), for :func:`keep_probes`."""
    n_probes, tasks, seen = 0, set(), set()
    for cell in np.ndindex(*plan.shape[:-1]):
        index = cell + (0,)
        env_seed = plan.run_seeds(index)[0]
        key = (index[0] if plan.regimes else None, env_seed.spawn_key)
        if key in seen:
            continue
        seen.add(key)
        stream = plan.stream(index, env_seed)
        n_probes = max(n_probes, len(_check_probe_times(plan.probe_times(stream))))
        owners = item_tasks(stream)
        tasks.update(owners[owners >= 0].tolist())
    return {"n_probes": n_probes, "tasks": np.array(sorted(tasks), np.int64)}


def grid_coords(plan):
    """Coordinates of the grid dims and ``replicate``, each with ``long_name`` and ``units``
    (an environment parameter's as its function declares them with
    :func:`environments.parameter_units`, else ``"1"``)."""
    specs = parameter_specs(plan.agent)
    env_name = _environment_parameters(plan.environment)[1]
    coords = {}
    for name, values, is_agent in zip(plan.names, plan.values, plan.is_agent):
        if is_agent:
            attrs = {"long_name": specs[name]["doc"] or name, "units": specs[name]["units"],
                     "description": f"agent parameter {name}"}
        else:
            target = (plan.environment.func if isinstance(plan.environment, functools.partial)
                      else plan.environment)
            declared = getattr(target, "parameter_specs", {}).get(name, {})
            attrs = {"long_name": declared.get("doc") or name.replace("_", " "),
                     "units": units_of(plan.environment, name),
                     "description": f"argument {name} of environment {env_name}"}
        coords[name] = (name, np.asarray(values), attrs)
    if plan.regimes:
        coords["regime"] = ("regime", np.array([name for name, _, _ in plan.regimes]),
                            SWEEP_VARIABLES["regime"])
    coords["replicate"] = ("replicate", np.arange(plan.replicates), SWEEP_VARIABLES["replicate"])
    return coords


def _base_agent(agent):
    if isinstance(agent, type):
        if not (issubclass(agent, MemoryModel) and dataclasses.is_dataclass(agent)):
            raise ValueError(f"agent must be a memory model class or instance such as "
                             f"simulator.ACTR, got {agent.__name__}")
        return agent()
    return check_model(agent, "agent")


def _environment_parameters(environment):
    """Names an environment accepts (``seed`` excluded) and its name."""
    if isinstance(environment, EventStream):
        return (), environment.meta.get("generator", "EventStream")
    if not callable(environment):
        raise ValueError(f"environment must be an environment function such as "
                         f"environments.power_law, or an EventStream, got "
                         f"{type(environment).__name__}")
    target = environment.func if isinstance(environment, functools.partial) else environment
    name = getattr(target, "__name__", type(target).__name__)
    try:
        signature = inspect.signature(environment)
    except (TypeError, ValueError):
        raise ValueError(f"environment {name} has no inspectable signature") from None
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    accepted = [p.name for p in signature.parameters.values() if p.kind in kinds]
    if "seed" not in accepted:
        raise ValueError(f"environment {name} must take a seed argument")
    if is_experiment(environment):
        if not accepted or accepted[0] == "seed":
            raise ValueError(f"experiment {name} must take the agent as its first argument")
        accepted = accepted[1:]
    return tuple(p for p in accepted if p != "seed"), name


def _environment_kwargs(environment_kwargs, env_params, env_name):
    environment_kwargs = dict(environment_kwargs or {})
    for key in environment_kwargs:
        if key not in env_params:
            raise ValueError(f"environment_kwargs key {key!r} is not a parameter of "
                             f"environment {env_name} (parameters: {', '.join(env_params)})")
    return environment_kwargs


def _grid(grid, agent_params, env_params, env_name, environment_kwargs, allow_empty=False):
    """Names, values (tuples of Python scalars) and agent/environment kind of each key."""
    if allow_empty and not grid:
        return (), (), ()
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid must be a non-empty dict of parameter name -> values, got {grid!r}")
    names, values, is_agent = [], [], []
    for name, raw in grid.items():
        in_agent, in_env = name in agent_params, name in env_params
        if name in RESERVED_DIMS:
            raise ValueError(f"grid key {name!r} is reserved for a dimension of the output")
        if in_agent and in_env:
            raise ValueError(f"grid key {name!r} is ambiguous: both an agent parameter and a "
                             f"parameter of environment {env_name}")
        if not (in_agent or in_env):
            raise ValueError(f"grid key {name!r} names no parameter; agent parameters: "
                             f"{', '.join(agent_params)}; environment {env_name}: "
                             f"{', '.join(env_params) or 'none (a fixed stream)'}")
        if name in environment_kwargs:
            raise ValueError(f"grid key {name!r} is also given in environment_kwargs")
        array = np.asarray(raw)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {raw!r}")
        if array.dtype.kind not in "biufU":
            raise ValueError(f"grid[{name!r}] must hold numbers, booleans or strings, got {raw!r}")
        if np.unique(array).size != array.size:
            raise ValueError(f"grid[{name!r}] repeats a value: {raw!r}")
        names.append(name)
        values.append(tuple(v.item() if isinstance(v, np.generic) else v for v in raw))
        is_agent.append(in_agent)
    return tuple(names), tuple(values), tuple(is_agent)


def _regimes(regimes, agent_params, env_params, env_name, names):
    """``((name, environment overrides, agent overrides), ...)`` of a regimes dict; () for None."""
    if regimes is None:
        return ()
    if not isinstance(regimes, dict) or not regimes:
        raise ValueError(f"regimes must be a non-empty dict of regime name -> dict of "
                         f"parameter overrides, got {regimes!r}")
    out = []
    for name, overrides in regimes.items():
        if not isinstance(name, str) or not isinstance(overrides, dict):
            raise ValueError(f"regimes must map names (str) to dicts of parameter overrides, "
                             f"got {name!r}: {overrides!r}")
        env, agent = {}, {}
        for key, value in overrides.items():
            if key in names:
                raise ValueError(f"regimes[{name!r}] sets {key!r}, a key of the grid")
            if key in agent_params and key in env_params:
                raise ValueError(f"regimes[{name!r}] key {key!r} is ambiguous: both an agent "
                                 f"parameter and a parameter of environment {env_name}")
            if key not in agent_params and key not in env_params:
                raise ValueError(f"regimes[{name!r}] key {key!r} names no parameter; agent "
                                 f"parameters: {', '.join(agent_params)}; environment "
                                 f"{env_name}: {', '.join(env_params) or 'none'}")
            (agent if key in agent_params else env)[key] = value
        out.append((name, env, agent))
    return tuple(out)


def _check_grid_values(names, values, selected, check):
    """Call ``check(**params)`` for every combination of the selected keys' values.

    Each key is first varied alone (the others at their first value), so an error
    names the grid key it came from; then every combination, for checks that
    involve several parameters together.
    """
    keys = [i for i, chosen in enumerate(selected) if chosen]
    first = {names[i]: values[i][0] for i in keys}
    for i in keys:
        for value in values[i]:
            try:
                check(**{**first, names[i]: value})
            except ValueError as err:
                raise ValueError(f"grid[{names[i]!r}]: {err}") from None
    for combo in itertools.product(*(values[i] for i in keys)):
        check(**{names[i]: v for i, v in zip(keys, combo)})


def _check_required(environment, env_name, given):
    """Raise ValueError if an argument the environment requires is in neither place."""
    parameters = list(inspect.signature(environment).parameters.values())
    if is_experiment(environment):
        parameters = parameters[1:]  # the agent
    missing = [p.name for p in parameters
               if p.default is p.empty and p.name != "seed" and p.name not in given
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if missing:
        raise ValueError(f"environment {env_name} needs {', '.join(missing)}: give it in "
                         f"environment_kwargs or the grid")


def _check_environment_arguments(environment, environment_kwargs, **grid_values):
    """Check arguments against the environment's declarations
    (:func:`environments.declare_parameters`); an environment function that declares
    none is called with a seed that stops it at its first draw (an experiment that
    declares none is not called: its first run checks them)."""
    if check_arguments(environment, {**environment_kwargs, **grid_values}) or is_experiment(
            environment):
        return
    try:
        environment(**environment_kwargs, **grid_values, seed=_CheckingSeed(0))
    except _ArgumentsChecked:
        pass


def _reducer(reduce, bins, probe_times, experiment=False):
    """The per-run reduction function, its name, and the lag bin edges (retention only).

    ``reduce=None`` is ``"retention"`` for a stream environment and, for an
    experiment, the Dataset it returns.
    """
    if reduce is None:
        if experiment:
            if bins is not None:
                raise ValueError("bins applies to reduce='retention' only")
            return whole_dataset, "experiment", None
        reduce = "retention"
    elif experiment and isinstance(reduce, str):
        raise ValueError(f"reduce={reduce!r} needs the events of a stream; an experiment "
                         f"returns its own Dataset (reduce=None, or a function of it)")
    if bins is not None and reduce != "retention":
        raise ValueError("bins applies to reduce='retention' only")
    if reduce == "retention":
        edges = DEFAULT_LAG_EDGES if bins is None else check_bin_edges(bins)
        return functools.partial(keep_retention, edges=edges), reduce, edges
    if reduce == "probes":
        if probe_times is None or (not callable(probe_times) and len(probe_times) == 0):
            raise ValueError("reduce='probes' needs probe_times")
        return keep_probes, reduce, None
    if reduce == "events":
        return keep_events, reduce, None
    if reduce == "need":
        return keep_need, reduce, None
    if callable(reduce) and not isinstance(reduce, str):
        name = f"{getattr(reduce, '__module__', '')}.{getattr(reduce, '__qualname__', repr(reduce))}"
        return reduce, name, None
    raise ValueError(f"reduce must be one of {', '.join(map(repr, REDUCTIONS))} or a function "
                     f"of a run's Dataset returning a Dataset, got {reduce!r}")


def _chunk_shape(shape, runs, is_agent):
    """Block of at most ``runs`` runs over the dims of ``shape`` (grid dims, then replicate).

    The agent dims (``is_agent``) are filled first, innermost first, then replicate,
    then the environment dims: a chunk holds every agent setting that meets a stream
    before it holds another stream, so each stream is generated once per chunk.
    """
    grid = range(len(shape) - 1)
    fill = [k for k in reversed(grid) if is_agent[k]] + [len(shape) - 1] + [
        k for k in reversed(grid) if not is_agent[k]]
    block = [1] * len(shape)
    remaining = runs
    for k in fill:
        block[k] = max(1, min(shape[k], remaining))
        remaining //= block[k]
    return tuple(block)

