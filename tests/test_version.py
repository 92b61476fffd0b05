import configparser
import pathlib

import pytest

from environments.version import FORMAT_VERSION, cogmemsim_version, version_attrs


def test_version_matches_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(pathlib.Path(__file__).parents[1] / "setup.cfg")
    assert cogmemsim_version() == cfg["metadata"]["version"]


def test_version_attrs():
    attrs = version_attrs()
    assert attrs["cogmemsim_format"] == FORMAT_VERSION >= 1
    assert attrs["cogmemsim_version"] == cogmemsim_version()


def test_packages_and_cli_report_the_same_version(capsys):
    import analysis
    import environments
    import simulator
    from simulator.cli.main import main

    assert environments.__version__ == simulator.__version__ == analysis.__version__
    assert simulator.__version__ == cogmemsim_version()
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"cogmemsim {cogmemsim_version()}"
