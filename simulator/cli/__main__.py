"""``python -m simulator.cli``: the ``cogmemsim`` command."""
import sys

from simulator.cli.main import main

sys.exit(main())
