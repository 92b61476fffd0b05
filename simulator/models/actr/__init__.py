"""ACT-R declarative memory (ACT-R 7 reference manual; Pavlik & Anderson 2005)."""
from simulator.models.actr.model import ACTR

__all__ = ["ACTR"]
