import configparser
import pathlib

from environments.version import FORMAT_VERSION, cogmemsim_version, version_attrs


def test_version_matches_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(pathlib.Path(__file__).parents[1] / "setup.cfg")
    assert cogmemsim_version() == cfg["metadata"]["version"]


def test_version_attrs():
    attrs = version_attrs()
    assert attrs["cogmemsim_format"] == FORMAT_VERSION >= 1
    assert attrs["cogmemsim_version"] == cogmemsim_version()
