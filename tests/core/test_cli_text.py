"""The CLI prints names and vendor messages literally: Rich markup, emoji codes,
terminal escapes and direction overrides in data are shown, never obeyed, and bad
input is one line naming the field."""

from __future__ import annotations

import pytest

from core.cli import main
from core.errors import VendorError
from core.service import IntegrationService
from core.text_safety import visible
from tests.core.service_support import ORG, TOKEN, connect
from tests.support.hostile import HOSTILE, RICH, SHORT, name_sized
from tests.support.memory_vendor import MemoryVendor


def toothpick(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the real entry point in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def _no_terminal_controls(text: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text


def test_a_name_with_markup_is_added_listed_and_removed(
    service: IntegrationService, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("connections", "add", "hubspot")
    flags = ("--field", f"api_token={TOKEN}", "--org", ORG)
    code, out, err = toothpick(capsys, *base, "evil[/bold]", *flags)
    assert code == 0, err
    assert "Connected evil[/bold] (" in out
    code, out, err = toothpick(capsys, "connections", "list", "--org", ORG)
    assert code == 0, err
    code, out, err = toothpick(
        capsys, "connections", "remove", "evil[/bold]", "--yes", "--org", ORG
    )
    assert (code, out.strip()) == (0, "Deleted evil[/bold]"), err


# Connection names must be printable: the control and RTL strings are refused as names
# (and told as one line); they reach the terminal as vendor messages below.
_NAMES = {k: name_sized(v).strip() for k, v in SHORT.items() if name_sized(v).strip().isprintable()}


@pytest.mark.parametrize("name", list(_NAMES.values()), ids=list(_NAMES))
def test_hostile_names_list_and_print_literally(
    service: IntegrationService, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    connect(service, name)
    code, out, err = toothpick(capsys, "connections", "list", "--org", ORG)
    assert code == 0, err
    _no_terminal_controls(out)


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_vendor_message_is_printed_as_sent(
    service: IntegrationService,
    vendor: MemoryVendor,
    capsys: pytest.CaptureFixture[str],
    text: str,
) -> None:
    created = connect(service)
    vendor.refuse_checks_with = text
    code, out, err = toothpick(capsys, "connections", "test", created.id, "--org", ORG)
    assert code == 1, err  # refused, told, no crash
    _no_terminal_controls(out)
    if text == RICH:
        assert "FAILED evil[/bold] [/oops]" in out


@pytest.mark.parametrize("text", [RICH, HOSTILE["control"], HOSTILE["rtl"], HOSTILE["markdown"]])
def test_a_failed_sync_tells_the_vendors_words_literally(
    service: IntegrationService,
    vendor: MemoryVendor,
    capsys: pytest.CaptureFixture[str],
    text: str,
) -> None:
    created = connect(service)
    vendor.refuse_reads_with = VendorError(text)
    code, out, err = toothpick(capsys, "sync", created.id, "--inline", "--wait", "--org", ORG)
    assert code == 1, err
    _no_terminal_controls(out)
    assert visible(text)[:30] in out.replace("\n", "")
    code, out, err = toothpick(capsys, "runs", "--org", ORG)
    assert code == 0, err
    _no_terminal_controls(out)


@pytest.mark.parametrize(
    ("name", "field"),
    [("", "name"), (" ", "name"), ("n" * 101, "name"), ("a\u202eb", "name"), ("a\x1bb", "name")],
)
def test_a_bad_name_is_one_line_naming_the_field(
    service: IntegrationService, capsys: pytest.CaptureFixture[str], name: str, field: str
) -> None:
    code, _out, err = toothpick(
        capsys, "connections", "add", "hubspot", name, "--field", f"api_token={TOKEN}",
        "--org", ORG,
    )  # fmt: skip
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"toothpick: {field}"), err
    assert service.connections.list_connections(ORG) == []


def test_a_bad_field_pair_is_one_line(
    service: IntegrationService, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = toothpick(
        capsys, "connections", "add", "hubspot", "ok", "--field", "no-equals", "--org", ORG
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--field" in err, err
