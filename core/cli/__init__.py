"""`toothpick`: the command-line tool (admin, migration, sync and process commands).

Every command fails the same way: a ToothpickError or invalid input becomes one line
on stderr and exit status 2, never a traceback. Data (names, vendor messages) is
printed literally: consoles read no markup (core.cli.common.plain_console).
"""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from core.errors import ToothpickError
from core.redaction import configure_logging
from core.text_safety import visible
from core.validation import describe_validation

app = typer.Typer(
    name="toothpick",
    help="ToothPick Integration Hub: keep ToothPick in sync with ERPs and CRMs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_commands() -> None:
    # Imported for their @app.command side effects; each module owns one area.
    from core.cli import (  # noqa: F401
        admin,
        api,
        connections,
        demo,
        keys,
        processes,
        sandbox,
        status,
        sync,
    )


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    _register_commands()
    try:
        app(args=argv, standalone_mode=True)
    except ToothpickError as exc:
        print(f"toothpick: {visible(str(exc))}", file=sys.stderr)
        raise SystemExit(2) from None
    except ValidationError as exc:  # bad input caught by a schema: one line naming the field
        print(f"toothpick: {visible(describe_validation(exc))}", file=sys.stderr)
        raise SystemExit(2) from None
