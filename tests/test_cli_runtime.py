"""The command-line runtime: SIGTERM stops cleanly (no temporary files), plain warnings."""

from __future__ import annotations

import os
import signal
import warnings
from pathlib import Path

import pytest

from cohort.cli_options import EXIT_TERMINATED, command_runtime
from cohort.errors import ConvergenceWarning
from cohort.io import atomic_write


def test_sigterm_during_atomic_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    def interrupted_write() -> None:
        with command_runtime(), atomic_write(target, "w") as fh:
            fh.write('{"half": ')
            os.kill(os.getpid(), signal.SIGTERM)  # handled before the next bytecode
            fh.write("never")

    with pytest.raises(SystemExit) as stopped:
        interrupted_write()
    assert stopped.value.code == EXIT_TERMINATED
    assert list(tmp_path.iterdir()) == []  # neither the target nor the temporary file


def test_sigterm_handler_is_restored(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with command_runtime():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_warnings_are_one_plain_line(capsys: pytest.CaptureFixture[str]) -> None:
    with command_runtime(), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("Cox model 'x': separation", ConvergenceWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "warning: Cox model 'x': separation\n"


def test_prepare_output_dir_creates_and_refuses(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from cohort.errors import CohortInputError
    from cohort.io import prepare_output_dir

    out = prepare_output_dir(tmp_path / "a" / "b", "tables")
    assert (out / "tables").is_dir()
    assert sorted(p.name for p in out.iterdir()) == ["tables"]  # the probe file is gone
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CohortInputError, match="is a file, not a directory"):
        prepare_output_dir(blocker)

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("cohort.io.tempfile.mkstemp", denied)
    with pytest.raises(CohortInputError, match=r"cannot write to the output directory .*"
                       r"Permission denied.*--out"):
        prepare_output_dir(tmp_path / "c")


def test_validate_refuses_unwritable_output_before_the_analysis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from cohort.cli import cli

    ran = []
    monkeypatch.setattr("cohort.validation.pipeline.run_cli_validation",
                        lambda *a, **k: ran.append(1) or "")

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("cohort.io.tempfile.mkstemp", denied)
    src = tmp_path / "in.csv"
    src.write_text("patient_id,kps,time_months,event\nA,70,3,1\n")
    result = CliRunner().invoke(cli, ["validate", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "Permission denied" in result.output
    assert "Traceback" not in result.output
    assert ran == []


def test_rejected_input_leaves_no_empty_output_directory(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cohort.cli import cli
    from reports._cli import run

    src = tmp_path / "in.csv"
    src.write_text("patient_id,kps,time_months,event\nA,55,3,1\n")  # KPS 55: rejected
    out = tmp_path / "results" / "run1"
    result = CliRunner().invoke(cli, ["validate", str(src), "--out", str(out)])
    assert result.exit_code == 2
    assert "kps" in result.output
    assert not (tmp_path / "results").exists()
    assert run([str(src), "--out", str(out)]) == 2
    assert not (tmp_path / "results").exists()
    # an existing directory is kept, with what was in it
    out.mkdir(parents=True)
    (out / "keep.txt").write_text("x")
    assert CliRunner().invoke(cli, ["validate", str(src), "--out", str(out)]).exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
