"""Parameter sweeps: the plan, the backends, the Zarr store."""
