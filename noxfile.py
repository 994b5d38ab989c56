"""Sessions for tests, lint, type checks, the default report build and benchmarks.

Every session runs on the interpreter that runs nox (Python >= 3.11) and installs the
package itself (not an editable checkout), so tests exercise what a user installs.
"""

from __future__ import annotations

from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")

nox.options.default_venv_backend = "virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


def _install(session: nox.Session, *groups: str, extras: str = "") -> None:
    deps: list[str] = []
    for group in groups:
        deps.extend(nox.project.dependency_groups(PYPROJECT, group))
    session.install(f".{extras}", *deps)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package (pass pytest options after --)."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the packages with mypy."""
    _install(session, "typecheck")
    session.run("mypy", *session.posargs)


@nox.session(default=False)
def report(session: nox.Session) -> None:
    """Build the HTML report into build/report/ (index.html, results.json, tables/).

    Without arguments: the built-in synthetic cohort (default spec, n=1000, seed 2026).
    With arguments, a user's file and the options of `cohort validate`:
    `nox -s report -- INPUT [--map FILE] [--time COL] [--event COL] [--score NAME] ...`
    (`--out DIR` to write elsewhere).
    """
    _install(session)
    args = list(session.posargs)
    if not any(a == "--out" or a.startswith("--out=") for a in args):
        args += ["--out", str(ROOT / "build" / "report")]
    session.run("python", "-m", "reports", *args)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Benchmark the fast paths against lifelines in the same run; writes
    build/bench/bench.json (options after --, e.g. `--quick`, `--repeats 5`, `--only cox,c`)."""
    _install(session)
    session.run(
        "python", str(ROOT / "benchmarks" / "bench.py"),
        "--out", str(ROOT / "build" / "bench" / "bench.json"), *session.posargs,
    )
