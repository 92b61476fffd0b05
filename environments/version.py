"""The installed cogmemsim version and the dataset format version, from one place.

Every writer records both in a dataset's attrs (``cogmemsim_version`` and
``cogmemsim_format``) so a reader can tell which release wrote a file and
refuse a format newer than it understands.
"""
import importlib.metadata

#: Version of the on-disk dataset layout; raise it when the layout changes.
FORMAT_VERSION = 1


def cogmemsim_version():
    """Return the installed cogmemsim version string (e.g. ``"0.1.0"``).

    Read from the package metadata (the single source is ``setup.cfg``);
    ``"unknown"`` when the package is used from a tree that was never installed.
    """
    try:
        return importlib.metadata.version("cogmemsim")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


#: The metadata conventions cogmemsim datasets follow (CF: units, long names, bounds).
CONVENTIONS = "CF-1.8"


def version_attrs():
    """Return the attrs every cogmemsim dataset carries: version, format, conventions.

    Returns
    -------
    dict
        ``cogmemsim_version``, ``cogmemsim_format`` and ``Conventions``.
    """
    return {"cogmemsim_version": cogmemsim_version(), "cogmemsim_format": FORMAT_VERSION,
            "Conventions": CONVENTIONS}
