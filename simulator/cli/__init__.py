"""The ``cogmemsim`` command line: ``demo``, ``run``, ``sweep``, ``plot``."""
from simulator.cli.main import main

__all__ = ["main"]
