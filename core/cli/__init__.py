"""`toothpick`: the command-line tool (admin, migration, sync and process commands).

Every command fails the same way: a ToothpickError becomes one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from core.errors import ToothpickError
from core.redaction import configure_logging

app = typer.Typer(
    name="toothpick",
    help="ToothPick Integration Hub: keep ToothPick in sync with ERPs and CRMs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_commands() -> None:
    # Imported for their @app.command side effects; each module owns one area.
    from core.cli import admin, connections, demo, keys, processes, sandbox, sync  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    _register_commands()
    try:
        app(args=argv, standalone_mode=True)
    except ToothpickError as exc:
        print(f"toothpick: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
