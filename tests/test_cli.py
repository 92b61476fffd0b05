import subprocess
import sys

import numpy as np

import analysis
from simulator.cli import main


def test_demo_writes_dataset_and_figure(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--events", "5000", "--seed", "1"]) == 0
    ds = analysis.load(tmp_path / "demo.nc")
    assert ds["p_recall"].dims == ("exponent", "decay", "lag")
    assert ds["p_recall"].attrs["units"] == "1"
    # a faster decay remembers less at every well-filled lag
    filled = ds["n_events"].min(["exponent", "decay"]) >= 20
    p = ds["p_recall"].where(filled)
    assert bool((p.sel(decay=0.7) <= p.sel(decay=0.3)).where(filled).all())
    png = (tmp_path / "retention.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    printed = capsys.readouterr().out
    assert "recall probability by retention interval" in printed
    assert np.isfinite(ds["p_recall"]).any()


def test_console_script_reports_bad_arguments_cleanly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "simulator.cli", "demo", "--events", "0",
                             "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "n_events must be" in result.stderr
    assert "Traceback" not in result.stderr
