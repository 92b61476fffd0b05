"""Half-life regression (Settles & Meeder 2016)."""
from simulator.models.hlr.model import HLR

__all__ = ["HLR"]
