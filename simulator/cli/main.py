"""The ``cogmemsim`` command line.

This is the one module that uses all three packages: commands that plot import
:mod:`analysis` inside themselves, so importing :mod:`simulator` never does.
"""
import argparse
import itertools
import os
import pathlib
import shlex
import sys
import time
import warnings

import numpy as np

from environments.version import cogmemsim_version
from simulator.cli.config import config_agent, config_environment, read_config
from simulator.sweeps.api import SweepError


def main(argv=None):
    """Entry point of the ``cogmemsim`` console script."""
    parser = argparse.ArgumentParser(
        prog="cogmemsim",
        description="Simulate human-like memory: ACT-R, Hebbian and spaced-repetition "
                    "agents in power-law environments.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {cogmemsim_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="run the built-in experiment: ACT-R retention in power-law environments",
        description="ACT-R agents with decays 0.3, 0.5, 0.7 in power-law environments with "
                    "exponents 0.5, 1, 1.5; writes DIR/demo.nc and DIR/retention.png.")
    demo.add_argument("--out", default="cogmemsim-demo", metavar="DIR",
                      help="output folder (default: %(default)s)")
    demo.add_argument("--events", type=int, default=100_000,
                      help="events per environment (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=2026, help="root seed (default: %(default)s)")
    demo.add_argument("--overwrite", action="store_true",
                      help="replace DIR/demo.nc and DIR/retention.png if they exist")
    demo.set_defaults(handler=_demo)

    _config_command(
        commands, "run", _run, ".nc or .zarr", ".nc",
        help="run one agent over one environment stream, as a TOML config says",
        description="Reads agent, environment, [agent_parameters], [environment_parameters], "
                    "seed and probe_times from CONFIG; writes the per-event dataset.")
    sweep = _config_command(
        commands, "sweep", _sweep, ".zarr store", ".zarr",
        help="run a parameter sweep from a TOML config into a Zarr store",
        description="Reads agent, environment, [grid], replicates, seed, reduce (and "
                    "[agent_parameters], [environment_parameters], bins, probe_times, "
                    "backend, workers, chunk_size) from CONFIG; see "
                    "examples/sweep_actr_power_law.toml.")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on this dask.distributed scheduler (e.g. tcp://host:8786)")
    sweep.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: config's `workers`, else all CPUs)")
    sweep.add_argument("--resume", action="store_true",
                       help="continue an interrupted sweep in the store: only missing runs "
                            "(and runs whose stored values are damaged) are computed")

    plot = commands.add_parser(
        "plot", help="draw the standard figures of a stored sweep or run",
        description="Retention curves (panels per value of the last swept parameter, "
                    "bands across replicates) or probe accuracy, as PNG files.")
    plot.add_argument("path", metavar="PATH", help="a .zarr or .nc written by sweep, run or demo")
    plot.add_argument("--out", metavar="DIR", help="folder for the PNGs (default: beside PATH)")
    plot.add_argument("--overwrite", action="store_true", help="replace existing PNGs")
    plot.set_defaults(handler=_plot)

    evaluate = commands.add_parser(
        "evaluate", help="score (and optionally fit) a memory model on a review log",
        description="Reads a review log (CSV or parquet in the FSRS optimizer's layout, an "
                    "Anki collection), replays it through MODEL and prints log-loss, RMSE "
                    "(bins) and AUC; with --fit, fits the named parameters per learner "
                    "first (held-out metrics with --split). Writes the per-learner dataset.")
    evaluate.add_argument("log", metavar="LOG", help="review log: .csv, .parquet, .anki2/.anki21")
    evaluate.add_argument("--model", default="ACTR", metavar="MODEL",
                          help="memory model: " + ", ".join(_model_names())
                               + " (default: %(default)s)")
    evaluate.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                          help="a model parameter (repeatable), e.g. --set decay=0.4")
    evaluate.add_argument("--fit", metavar="NAMES",
                          help="comma-separated parameters to fit per learner, e.g. "
                               "decay,threshold,noise")
    evaluate.add_argument("--split", type=float, metavar="FRACTION",
                          help="with --fit: hold out this fraction of each learner's last "
                               "reviews and score them")
    evaluate.add_argument("--pooled", action="store_true",
                          help="with --fit: one set of parameters for all learners")
    evaluate.add_argument("--workers", type=int, default=1, metavar="N",
                          help="processes fitting learners in parallel (default: 1)")
    evaluate.add_argument("--out", metavar="PATH.nc",
                          help="output dataset (default: LOG's name + -evaluation.nc)")
    evaluate.add_argument("--overwrite", action="store_true",
                          help="replace an existing output")
    evaluate.set_defaults(handler=_evaluate)

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as err:
        parser.exit(2, f"cogmemsim {args.command}: error: {_for_the_command_line(err)}\n")
    except SweepError as err:
        parser.exit(1, f"cogmemsim {args.command}: {_for_the_command_line(err)}\n")


def _for_the_command_line(err):
    """The library's message with its Python advice (``resume=True``) said as an option."""
    text = str(err).replace("pass resume=True", "run again with --resume").replace(
        "(resume=True computes the rest)", "(run again with --resume to compute the rest)")
    text = text.replace("overwrite=True", "--overwrite").replace("(resume=True)", "(--resume)")
    return " ".join(text.split())  # one line


def _config_command(commands, name, handler, output, suffix, **texts):
    """A subcommand reading CONFIG.toml and writing ``--out PATH``."""
    command = commands.add_parser(name, **texts)
    command.add_argument("config", metavar="CONFIG.toml")
    command.add_argument("--out", metavar="PATH",
                         help=f"output {output} (default: config's `out`, else CONFIG{suffix})")
    command.add_argument("--overwrite", action="store_true",
                         help="replace an existing output (checked before any work)")
    command.add_argument("--allow-import", action="store_true",
                         help="allow `agent` or `environment` to name `module:attribute` "
                              "outside cogmemsim; that module is imported, running its code")
    command.set_defaults(handler=handler)
    return command


def _demo(args):
    import matplotlib
    matplotlib.use("Agg")

    import analysis

    from simulator.cli.demo import demo_retention, summary_table

    out = pathlib.Path(args.out)
    _check_folder(out, "--out")
    for target in (out / "demo.nc", out / "retention.png"):
        _check_free(target, args.overwrite)
    start = time.perf_counter()
    ds = demo_retention(n_events=args.events, seed=args.seed)
    out.mkdir(parents=True, exist_ok=True)
    analysis.save(ds, out / "demo.nc", overwrite=args.overwrite)
    figure = _standard_figures(ds)["retention"]  # the figure `cogmemsim plot demo.nc` draws
    figure.savefig(out / "retention.png", dpi=120, bbox_inches="tight")
    print(summary_table(ds))
    print(f"\nwrote {out / 'demo.nc'} and {out / 'retention.png'} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


def _model_names():
    import simulator
    return sorted(name for name in simulator.__all__
                  if isinstance(getattr(simulator, name), type)
                  and issubclass(getattr(simulator, name), simulator.MemoryModel)
                  and getattr(simulator, name) is not simulator.MemoryModel)


def _evaluate(args):
    """``cogmemsim evaluate``: score a model on a review log (optionally fitted first)."""
    import analysis
    import environments
    import simulator

    if args.model not in _model_names():
        raise ValueError(f"--model must be one of {', '.join(_model_names())}, "
                         f"got {args.model!r}")
    out = pathlib.Path(args.out) if args.out else pathlib.Path(
        pathlib.Path(args.log).stem + "-evaluation.nc")
    _check_output(out, ".nc", args.overwrite)
    if args.split is not None and not args.fit:
        raise ValueError("--split needs --fit (held-out reviews are those a fit has not seen)")
    settings = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set takes NAME=VALUE, got {item!r}")
        settings[name.strip()] = _number(value.strip())
    model_class = getattr(simulator, args.model)
    try:
        model = model_class(**settings)
    except TypeError as err:
        raise ValueError(f"--set: {err}") from None
    stream = environments.read_revlog(args.log)
    n_learners = 1 if stream.learner is None else len(set(stream.learner.tolist()))
    start = time.perf_counter()
    if args.fit:
        free = tuple(name.strip() for name in args.fit.split(",") if name.strip())
        result = analysis.fit_agent(model, stream, free=free,
                                    by=None if args.pooled else "learner", split=args.split,
                                    backend="processes" if args.workers > 1 else "serial",
                                    workers=args.workers if args.workers > 1 else None)
        print(_fit_table(result))
    else:
        pred = simulator.predict(model, stream)
        result = analysis.evaluate(pred, by="learner" if n_learners > 1 else None)
        print(_metrics_table(result))
    analysis.save(result, out, overwrite=args.overwrite)
    print(f"\n{len(stream):,} reviews of {n_learners} learner(s); wrote {out} in "
          f"{time.perf_counter() - start:.1f} s")
    return 0


def _number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text in ("true", "false"):
        return text == "true"
    return text


def _check_output(path, suffix, overwrite):
    """Refuse a bad or existing output path before any work (the suffix this command
    writes, then :func:`analysis.io.check_target`)."""
    from analysis.io import check_target

    if path.suffix != suffix:
        raise ValueError(f"--out must end in {suffix}, got {str(path)!r}")
    check_target(path, overwrite, name="--out")


def _check_folder(folder, option):
    """Refuse an output folder that cannot be made or written, before any work."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{option}: {str(folder)!r} exists and is not a folder")
    existing = folder
    while not existing.exists():
        existing = existing.parent if str(existing.parent) != str(existing) else existing
        if not str(existing) or existing == pathlib.Path(""):
            existing = pathlib.Path(".")
            break
    if not existing.is_dir():
        raise ValueError(f"{option}: {str(existing)!r} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{option}: folder {str(existing)!r} is not writable")


def _check_free(path, overwrite):
    """Refuse to replace ``path`` unless ``--overwrite``."""
    if (path.exists() or path.is_symlink()) and not overwrite:
        raise ValueError(f"{str(path)!r} exists (pass --overwrite to replace it)")


def _metrics_table(ev):
    rows = [("log-loss", "log_loss"), ("RMSE (bins)", "rmse_bins"), ("AUC", "auc"),
            ("reviews scored", "n_reviews")]
    lines = [f"{'metric':<16}{'pooled':>12}" + (f"{'learner mean':>14}{'learner sd':>12}"
                                                 if "learner" in ev.dims else "")]
    for label, name in rows:
        pooled = ev[f"{name}_pooled"] if f"{name}_pooled" in ev else ev[name]
        digits = 0 if name == "n_reviews" else 4
        line = f"{label:<16}{float(pooled):>12.{digits}f}"
        if "learner" in ev.dims:
            line += (f"{float(ev[name].mean()):>14.{digits}f}"
                     f"{float(ev[name].std()):>12.{digits}f}")
        lines.append(line)
    return "\n".join(lines)


def _fit_table(fit):
    pooled = "learner" not in fit.dims
    lines = [f"{'parameter':<16}{'estimate' if pooled else 'median':>12}"
             f"{'std error' if pooled else 'IQR':>14}"]
    for name in fit["parameter"].values:
        estimate = fit["estimate"].sel(parameter=name)
        if pooled:
            lines.append(f"{name:<16}{float(estimate):>12.4f}"
                         f"{float(fit['std_error'].sel(parameter=name)):>14.4f}")
        else:
            q1, q2, q3 = np.nanpercentile(estimate.values, [25, 50, 75])
            lines.append(f"{name:<16}{q2:>12.4f}{q3 - q1:>14.4f}")
    part = "test" if int(fit["n_reviews_test"].sum()) > 0 else "train"
    lines.append("")
    lines.append(f"{'metric (' + ('held-out' if part == 'test' else 'training') + ')':<28}"
                 f"{'mean':>10}")
    for label, name in (("log-loss", "log_loss"), ("RMSE (bins)", "rmse_bins"),
                        ("AUC", "auc")):
        lines.append(f"{label:<28}{float(fit[f'{name}_{part}'].mean()):>10.4f}")
    return "\n".join(lines)


def _output(option, config, config_path, suffix):
    if option is not None:
        return pathlib.Path(option)
    if "out" in config:
        if not isinstance(config["out"], str):
            raise ValueError(f"config key 'out' must be a path, got {config['out']!r}")
        return pathlib.Path(config["out"])
    return pathlib.Path(pathlib.Path(config_path).stem + suffix)


def _run(args):
    import analysis
    from analysis.io import check_target
    from environments.seeding import child, seed_sequence

    from simulator.run import run

    config = read_config(args.config, "run")
    out = _output(args.out, config, args.config, ".nc")
    check_target(out, args.overwrite, "--out")
    agent = config_agent(config, allow_import=args.allow_import)
    environment, kwargs = config_environment(config, allow_import=args.allow_import)
    start = time.perf_counter()
    # one root seed: its first child makes the stream, the second the agent's draws
    root = seed_sequence(config.get("seed"))
    stream_seed, agent_seed = child(root, 0), child(root, 1)
    stream = environment(**kwargs, seed=stream_seed)
    ds = run(agent, stream, seed=agent_seed, probe_times=config.get("probe_times"))
    analysis.save(ds, out, overwrite=args.overwrite)
    print(f"{len(stream)} events, {stream.n_items} items; mean recall probability "
          f"{float(ds['p_recall'].mean()):.3f}, recalled {float(ds['recalled'].mean()):.3f}")
    print(f"wrote {out} in {time.perf_counter() - start:.1f} s")
    return 0


def _sweep(args):
    from simulator.sweeps.api import sweep

    config = read_config(args.config, "sweep")
    out = _output(args.out, config, args.config, ".zarr")
    if args.resume and args.overwrite:
        raise ValueError("--resume continues the store, --overwrite replaces it: pass one")
    if out.suffix.lower() != ".zarr":
        raise ValueError(f"--out must end in .zarr, got {str(out)!r}")
    exists = out.exists() or out.is_symlink()
    if args.resume and not exists:
        raise ValueError(f"--resume: there is no store at {str(out)!r} to continue")
    if exists and not (args.resume or args.overwrite):
        raise ValueError(f"store {str(out)!r} exists; run again with --resume to continue it, "
                         f"or --overwrite to replace it")
    if not exists:
        _check_output(out, out.suffix, False)
    agent = config_agent(config, allow_import=args.allow_import)
    environment, kwargs = config_environment(config, allow_import=args.allow_import)
    backend = "dask" if args.scheduler else config.get("backend", "processes")
    workers = args.workers if args.workers is not None else config.get("workers")
    start = time.perf_counter()
    client = _connect(args.scheduler) if args.scheduler else None
    try:
        ds = sweep(agent, environment, config.get("grid"), regimes=config.get("regimes"),
                   replicates=config.get("replicates", 1),
                   seed=config.get("seed"), backend=backend, client=client, store=out,
                   resume=args.resume, overwrite=args.overwrite,
                   reduce=config.get("reduce", "retention"),
                   bins=config.get("bins"), probe_times=config.get("probe_times"),
                   environment_kwargs=kwargs, workers=workers,
                   chunk_size=config.get("chunk_size"))
    except SweepError as err:
        command = ["cogmemsim", "sweep", str(args.config), "--out", str(out), "--resume"]
        if args.scheduler:
            command += ["--scheduler", args.scheduler]
        if args.allow_import:
            command += ["--allow-import"]
        raise SweepError(str(err).replace("(resume=True computes the rest)",
                                          f"(to compute the rest: {shlex.join(command)})")
                         ) from None
    finally:
        if client is not None:
            client.close()
    sizes = ", ".join(f"{dim} {size}" for dim, size in ds.sizes.items())
    print(f"wrote {out} ({sizes}; variables {', '.join(ds.data_vars)}) "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


#: Seconds ``--scheduler`` waits for the dask scheduler to answer.
SCHEDULER_TIMEOUT = 5


def _connect(address):
    """A dask Client of the scheduler at ``address``; one clear error if none answers."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{SCHEDULER_TIMEOUT}s")
    except Exception as err:  # noqa: BLE001 - refused, timed out, bad address: one message
        detail = str(err).strip().splitlines()[0][:120] if str(err).strip() else ""
        raise ValueError(f"--scheduler: no dask scheduler answered at {address!r} within "
                         f"{SCHEDULER_TIMEOUT} s ({type(err).__name__}"
                         f"{': ' + detail if detail else ''})") from None


def _plot(args):
    import matplotlib
    matplotlib.use("Agg")

    import analysis

    path = pathlib.Path(args.path)
    out = pathlib.Path(args.out) if args.out else (path.parent if str(path.parent) else
                                                   pathlib.Path("."))
    _check_folder(out, "--out")
    ds = analysis.load(path)
    figures = _standard_figures(ds)
    targets = {name: out / f"{path.stem}-{name}.png" for name in figures}
    for target in targets.values():  # every target checked before any is written
        _check_free(target, args.overwrite)
    out.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        figure.savefig(targets[name], dpi=120, bbox_inches="tight")  # keeps a suptitle above
        print(f"wrote {targets[name]}")
    return 0


def _standard_figures(ds):
    """``{name: Figure}``: retention curves and probe accuracy, whichever ``ds`` holds."""
    import analysis
    from analysis.plots import title_in_words

    figures = {}
    title = title_in_words(ds.attrs)
    if "p_recall" in ds and "lag" in ds["p_recall"].dims:  # a sweep's or demo's curves
        curve = ds["p_recall"]
        if "n_events" in ds.data_vars and set(ds["n_events"].dims) <= set(curve.dims):
            curve = curve.assign_coords(n_events=ds["n_events"])  # sparse bins are hidden
    elif "p_recall" in ds and "event" in ds["p_recall"].dims:  # per-event results
        curve = analysis.retention_curve(ds)
    else:
        curve = None
    if curve is not None:
        # bins beyond the longest lag are empty everywhere: leave them off the axis
        if curve.notnull().any():
            curve = curve.dropna("lag", how="all")
        curve.attrs["title"] = title
        panels = [d for d in curve.dims if d not in ("lag", "replicate")]
        with warnings.catch_warnings():
            # a bin empty in some replicates has no quantile band there; that is expected
            warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
            if panels and curve.notnull().any():
                figures["retention"] = analysis.plot_retention_grid(curve, col=panels[-1])
            else:
                axes = analysis.plot_retention(curve)
                axes.set_title(title)
                figures["retention"] = axes.figure
    if "probe_accuracy" in ds:
        figures.update(_probe_figures(ds, title))
    if not figures:
        raise ValueError("path holds neither recall probabilities nor probe accuracy to plot")
    return figures


def _probe_figures(ds, title=None):
    """``{name: Figure}`` of probe accuracy: one figure per value of every swept dim
    but the one drawn as lines (``regime``, else the last swept dim), so nothing is
    averaged but replicates (drawn as a band). Runs with different numbers of probes
    or tasks (a sweep over ``n_tasks`` with probes at task ends pads the shorter runs
    with NaN) are trimmed to their own probes and tasks."""
    from analysis.plot_probes import plot_probe_accuracy
    from analysis.plots import title_in_words

    title = title_in_words(ds.attrs) if title is None else title
    accuracy = ds["probe_accuracy"]
    grid = [d for d in accuracy.dims if d not in ("probe", "task", "replicate")]
    ragged = _ragged_dims(accuracy)
    lines = [d for d in grid if d not in ragged]
    hue = "regime" if "regime" in lines else (lines[-1] if lines else None)
    split = [d for d in grid if d != hue]
    figures = {}
    for values in itertools.product(*(accuracy[d].values for d in split)):
        where = dict(zip(split, values))
        one = accuracy.sel(where)
        if ragged:
            one = one.dropna("probe", how="all").dropna("task", how="all")
        name = "-".join(["probe-accuracy"] + [f"{d}-{v}" for d, v in where.items()])
        label = ", ".join(f"{ds[d].attrs.get('long_name', d)} = {v}" for d, v in where.items())
        figures[name] = plot_probe_accuracy(one, hue=hue,
                                            title=f"{title}\n{label}" if label else title)
    return figures


def _ragged_dims(accuracy):
    """Swept dims along which the runs' numbers of probes or tasks differ."""
    extents = [accuracy.notnull().any("task").sum("probe"),
               accuracy.notnull().any("probe").sum("task")]
    return [d for d in accuracy.dims if d not in ("probe", "task", "replicate")
            and any((n.max(d) != n.min(d)).any() for n in extents)]


if __name__ == "__main__":
    sys.exit(main())
