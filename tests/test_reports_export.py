"""Static export (optional extra): skipped where kaleido or its browser is missing."""

from __future__ import annotations

import numpy as np
import pytest

from reports.export import ExportUnavailableError, export_available, export_figure
from reports.figures import td_auc_figure

OK, WHY = export_available()


def small_figure():
    import pandas as pd

    return td_auc_figure(pd.DataFrame({"score": ["a", "a"], "time": [3.0, 6.0],
                                       "auc": [0.7, 0.65]}), title="AUC")


def test_unknown_format_is_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        export_figure(small_figure(), tmp_path / "x.gif")


def test_unavailable_browser_is_a_clear_error(tmp_path, monkeypatch):
    # a browser path that does not exist: either kaleido is absent or its browser cannot
    # start; both must end in ExportUnavailableError, with no file written
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with pytest.raises(ExportUnavailableError, match=r"kaleido|browser"):
        export_figure(small_figure(), tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


@pytest.fixture(scope="module")
def one_browser():
    # one kaleido browser for the three exports (each fresh start costs seconds)
    import kaleido

    kaleido.start_sync_server(silence_warnings=True)
    yield
    kaleido.stop_sync_server(silence_warnings=True)


@pytest.mark.skipif(not OK, reason=f"static export unavailable: {WHY}")
@pytest.mark.filterwarnings("ignore:The kopts argument is ignored if using a server:UserWarning")
@pytest.mark.usefixtures("one_browser")
@pytest.mark.parametrize(("suffix", "magic"), [("svg", b"<svg"), ("pdf", b"%PDF"),
                                               ("png", b"\x89PNG")])
def test_export_writes_file(tmp_path, suffix, magic):
    out = export_figure(small_figure(), tmp_path / f"fig.{suffix}", width=500, height=300)
    data = out.read_bytes()
    assert data.startswith(magic)
    if suffix == "svg":
        assert b"Time-dependent AUC" in data
    if suffix == "png":
        width, height = np.frombuffer(data[16:24], dtype=">u4")
        assert (int(width), int(height)) == (500, 300)
    assert [p.name for p in tmp_path.iterdir()] == [f"fig.{suffix}"]  # no temp file left
