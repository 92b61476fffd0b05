"""The ``cogmemsim`` command line.

This is the one module that uses all three packages: commands that plot import
:mod:`analysis` inside themselves, so importing :mod:`simulator` never does.
"""
import argparse
import pathlib
import sys
import time


def main(argv=None):
    """Entry point of the ``cogmemsim`` console script."""
    parser = argparse.ArgumentParser(
        prog="cogmemsim",
        description="Simulate human-like memory: ACT-R, Hebbian and spaced-repetition "
                    "agents in power-law environments.")
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
    demo.set_defaults(handler=_demo)

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as err:
        parser.exit(2, f"cogmemsim {args.command}: error: {err}\n")


def _demo(args):
    import matplotlib
    matplotlib.use("Agg")

    import analysis

    from .demo import demo_retention, summary_table

    start = time.perf_counter()
    ds = demo_retention(n_events=args.events, seed=args.seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    analysis.save(ds, out / "demo.nc")
    figure = analysis.plot_retention_grid(ds, col="exponent")
    figure.savefig(out / "retention.png", dpi=120)
    print(summary_table(ds))
    print(f"\nwrote {out / 'demo.nc'} and {out / 'retention.png'} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
