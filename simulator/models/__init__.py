"""Memory models: one sub-package per model, each holding its equations (the model
class, with citations), its jitted kernels and its page of documentation."""
