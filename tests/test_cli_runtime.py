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
