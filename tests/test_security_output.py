"""What reaches a reader: no output of ovk can be turned against the person or program that
reads it.

The threat: a contributor to an agreement repository is not always trusted, and every string
in the data and every file name is theirs. ovk's outputs are read by people (a terminal, a
spreadsheet, a calendar) and by programs (GitHub Actions reading workflow commands, JSON
parsers) that trust them. So:

- text for terminals and logs (validate's text and github reporters, `ovk list`'s table, plain
  and drawn with rich, `ovk diff`'s text, plain and styled) shows every string literally: ESC
  and OSC sequences, carriage returns, newlines and bidi overrides are made visible, rich
  markup is text, and a file name cannot add a line or an `::error` workflow command;
- CSV cells from the data cannot be spreadsheet formulas (OWASP's CSV-injection advice);
- iCalendar text cannot start a content line, so a strict parser reads exactly the events
  ovk meant;
- a number that is not finite is a located finding, the file does not conform, and every
  JSON ovk writes is strict JSON.

Each test fails on the code before issue 14 and passes after.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import icalendar
import pytest

from ovk.cli.terminal import RichTerminal
from ovk.diff.compare import diff
from ovk.diff.report import as_text
from ovk.tools.listing import Filters, as_table, load_year, select
from tests.conftest import REPO, add_year, make_tree, run_ovk

UPPDRAG = "agreements/2026/uppdrag/okat-valdeltagande.yaml"
KLK = "agreements/2026/divisions/KLK.yaml"

# Raw control sequences a terminal acts on: an OSC 8 hyperlink, a window title, clearing the
# screen, a C1 CSI (colour) and a bell.
ESC_OSC = "\x1b]8;;https://evil.example\x07klicka\x1b]8;;\x07 \x1b]0;pwned\x07\x1b[2J\x9b31m"
NEWLINE_COMMAND = "rad\n::error file=x::pwned\rsista"
BIDI = "fil\u202egpj.exe\u2066x\u2069"
MARKUP = "[/] [link=https://x]klicka[/link] [bold]fet"
HOSTILE_TITLES = {
    "esc-osc": ESC_OSC,
    "newline-command": NEWLINE_COMMAND,
    "bidi": BIDI,
    "markup": MARKUP,
}
# What may never reach a reader of text raw (tab and newline are checked per line).
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2066", "\u2069")


def set_title(root: Path, title: str, relative: str = UPPDRAG) -> None:
    """The uppdrag's title as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title: "))
    path.write_text(text.replace(old, f"title: {json.dumps(title)}"), encoding="utf-8")


def assert_literal(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} in output"


def titles(*names: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("hostile_title", [HOSTILE_TITLES[n] for n in names], ids=names)


# Markup is plain text to the plain outputs (and `ovk diff`'s styled text showed it literally
# before, see tests/test_diff.py); only rich's table read it as markup.
PLAIN_THREATS = ("esc-osc", "newline-command", "bidi")


# --- file names: validate's text and github reporters -----------------------------------------

HOSTILE_NAMES = {
    "newline-command": "evil\n::error file=x::pwned",
    "esc-osc": "evil\x1b]0;pwned\x07\x1b[2J",
    "bidi": "evil\u202elmay",
    "carriage-return": "evil\r::warning::pwned",
}


@pytest.fixture(params=sorted(HOSTILE_NAMES), ids=sorted(HOSTILE_NAMES))
def hostile_name_tree(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The base tree with a copy of an uppdrag under a hostile file name (its id differs)."""
    root = make_tree(tmp_path / "repo")
    name = HOSTILE_NAMES[request.param]
    shutil.copyfile(root / UPPDRAG, root / f"agreements/2026/uppdrag/{name}.yaml")
    return root


def test_validate_text_shows_a_hostile_file_name_literally(hostile_name_tree: Path) -> None:
    result = run_ovk("--root", str(hostile_name_tree), "validate", "--no-cache")
    assert result.exit_code == 1
    assert_literal(result.stdout)
    lines = result.stdout.splitlines()
    findings = [line for line in lines if not line.startswith("    hint: ")][:-1]
    assert findings and all(line.startswith("agreements/2026/uppdrag/") for line in findings)
    assert len(lines) == 2 * len(findings) + 1  # each finding, its hint, the summary
    assert not any(line.startswith("::") for line in lines)


@pytest.mark.parametrize("hostile_name_tree", ["esc-osc", "bidi"], indirect=True)
def test_validate_github_is_one_workflow_command_per_finding(hostile_name_tree: Path) -> None:
    # github's own escaping (%0A, %0D) already kept a newline from ending the command; an ESC
    # sequence reached GitHub's log viewer, which draws ANSI colours.
    result = run_ovk(
        "--root", str(hostile_name_tree), "validate", "--no-cache", "--format", "github"
    )
    assert result.exit_code == 1
    assert_literal(result.stdout)
    lines = result.stdout.splitlines()
    as_json = run_ovk(
        "--root", str(hostile_name_tree), "validate", "--no-cache", "--format", "json"
    )
    assert len(lines) == len(json.loads(as_json.stdout))
    for line in lines:  # the properties end at the first "::", the message follows
        properties, _, _ = line[2:].partition("::")
        assert properties.startswith("error file=agreements/2026/uppdrag/")
        assert ",line=" in properties and ",title=" in properties
    assert any(line.startswith("::error file=agreements/2026/uppdrag/evil") for line in lines)


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_validate_shows_a_hostile_message_literally(output_format: str) -> None:
    # Messages quote what the data holds; whatever a rule quotes is shown literally.
    from ovk.findings import finding
    from ovk.validate.reporters import REPORTERS

    message = f"value {ESC_OSC}{BIDI} in {NEWLINE_COMMAND}"
    out = io.StringIO()
    REPORTERS[output_format]([finding(UPPDRAG, 3, 1, "schema", message)], 1, out)
    assert_literal(out.getvalue())
    assert not any(line.startswith("::error file=x") for line in out.getvalue().splitlines())


@pytest.mark.parametrize("output_format", ["text", "github"])
@titles(*PLAIN_THREATS)
def test_validate_shows_a_hostile_kolada_title_literally(
    tmp_path: Path, output_format: str, hostile_title: str
) -> None:
    # Kolada's text is not the contributors' but no more trusted: a KPI's title in a
    # committed snapshot reaches the kolada-title message.
    root = make_tree(tmp_path / "repo")
    snapshot = REPO / "tests/examples/kolada-agrees/agreements/2026/kolada.json"
    content = json.loads(snapshot.read_text(encoding="utf-8"))
    content["kpis"]["N00090"]["title"] = hostile_title
    (root / "agreements/2026/kolada.json").write_text(json.dumps(content), encoding="utf-8")
    result = run_ovk("--root", str(root), "validate", "--format", output_format)
    assert_literal(result.stdout)
    lines = result.stdout.splitlines()
    if output_format == "github":
        assert len(lines) == 1 and lines[0].startswith("::warning file=agreements/2026/")
    else:
        assert len(lines) == 3 and "kolada-title (warning)" in lines[0]  # finding, hint, sum


@pytest.mark.parametrize("hostile_name_tree", ["newline-command", "bidi"], indirect=True)
def test_error_messages_and_fmt_show_a_hostile_file_name_literally(hostile_name_tree: Path) -> None:
    # The command line's one-line errors and fmt's report name files too; in CI, stderr is
    # read for workflow commands as stdout is.
    (next(hostile_name_tree.glob("agreements/2026/uppdrag/evil*.yaml"))).write_text("x: [\n")
    for args in (["list"], ["export", "--format", "csv"], ["fmt"], ["fmt", "--check"]):
        result = run_ovk("--root", str(hostile_name_tree), *args)
        assert result.exit_code == 1, args
        assert_literal(result.stderr)
        lines = result.stderr.splitlines()
        assert all(
            line.startswith(("ovk: error: agreements/", "agreements/", "0 file")) for line in lines
        )
        assert len(lines) == (1 if args[0] != "fmt" else 2), lines


# --- ovk list: the plain table and the rich one -----------------------------------------------


def listed(root: Path, terminal: bool) -> str:
    chosen = select(load_year(root, 2026), Filters())
    out = io.StringIO()
    as_table(chosen, dt.date(2026, 11, 24), out, RichTerminal(out) if terminal else None)
    return out.getvalue()


@titles(*PLAIN_THREATS)
def test_list_plain_shows_a_hostile_title_literally(base_tree: Path, hostile_title: str) -> None:
    set_title(base_tree, hostile_title)
    result = run_ovk("--root", str(base_tree), "list")
    assert result.exit_code == 0, result.stderr
    assert_literal(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # the header, two uppdrag and the legend of the marks
    assert all(line.count("\t") == 6 for line in lines[:3])  # seven columns, status included
    assert lines[3].startswith("! past due")


@titles(*PLAIN_THREATS)
def test_render_html_shows_a_hostile_title_literally(base_tree: Path, hostile_title: str) -> None:
    # Autoescape kept markup out, but a U+202E reached the page raw and turned round what the
    # browser (and the PDF made from the page) showed after it.
    set_title(base_tree, hostile_title)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert_literal(result.stdout)
    visible = {ESC_OSC: "\\x1b]8;;https://evil.example\\x07klicka", BIDI: "fil\\u202egpj.exe"}
    assert visible.get(hostile_title, "rad\n::error file=x::pwned\\rsista") in result.stdout


@titles(*HOSTILE_TITLES)
def test_list_rich_table_shows_a_hostile_title_literally(
    base_tree: Path, hostile_title: str
) -> None:
    set_title(base_tree, hostile_title)
    text = listed(base_tree, terminal=True)  # `[/]` crashed rich before
    assert_literal(text)
    assert not any(line.strip().startswith("::") for line in text.splitlines())
    if hostile_title == MARKUP:
        flat = " ".join(text.split())  # the table may wrap the title
        assert "[/] [link=https://x]klicka[/link] [bold]fet" in flat


def test_list_rich_table_makes_no_hyperlink(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_title(base_tree, "[link=https://evil.example]klicka[/link]")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws as on a terminal: styles and links
    monkeypatch.setenv("COLUMNS", "200")
    text = listed(base_tree, terminal=True)
    assert "\x1b[" in text  # styled, so a link would have been written
    assert "\x1b]8;" not in text  # rich writes a hyperlink as OSC 8
    assert "[link=https://evil.example]klicka[/link]" in text


# --- ovk diff: plain text and styled ---------------------------------------------------------


@pytest.fixture
def hostile_diff_tree(base_tree: Path, hostile_title: str) -> Path:
    """2027 made from 2026, with the one uppdrag carried over given a hostile title."""
    add_year(base_tree, 2027, 2026)
    set_title(base_tree, hostile_title, "agreements/2027/uppdrag/starkt-arbete-for-tillvaxt.yaml")
    return base_tree


@titles(*PLAIN_THREATS)
@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "rich"])
def test_diff_text_shows_a_hostile_title_literally(hostile_diff_tree: Path, terminal: bool) -> None:
    out = io.StringIO()
    comparison = diff(hostile_diff_tree, "2026", "2027")
    as_text(comparison, out, RichTerminal(out, colour=False) if terminal else None)
    text = out.getvalue()
    assert_literal(text)
    assert not any(line.strip().startswith("::") for line in text.splitlines())
    assert "Titel:" in text


# --- CSV: no cell from the data is a formula --------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example","klicka")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
@pytest.mark.parametrize("command", ["list", "export"])
def test_csv_neutralises_formula_cells(base_tree: Path, formula: str, command: str) -> None:
    import csv

    set_title(base_tree, formula)
    result = run_ovk("--root", str(base_tree), command, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    header, cells = rows[0], rows[1:]
    titles = [row[header.index("title")] for row in cells]
    assert f"'{formula}" in titles  # shown as text, whole
    for row in cells:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert row[header.index("year")] == "2026"  # the numbers ovk writes stay numbers


# --- iCalendar: exactly the events ovk meant --------------------------------------------------

ICS_INJECTION = (
    "Uppdrag\rEND:VEVENT\rBEGIN:VEVENT\rUID:evil@attacker\rDTSTART;VALUE=DATE:20260101\r"
    "URL:https://evil.example\rSUMMARY:Klicka här\x1b[2J\x0b\x00"
)


@pytest.mark.parametrize(
    "title",
    [ICS_INJECTION, ICS_INJECTION.replace("\r", "\r\n"), ESC_OSC, BIDI, "Ö" * 40 + "\r" + "é" * 60],
    ids=["bare-cr", "crlf", "esc-osc", "bidi", "long-multibyte"],
)
def test_ics_read_back_strictly_holds_exactly_the_events_ovk_meant(
    base_tree: Path, title: str
) -> None:
    def export() -> bytes:
        target = base_tree.parent / "ovk.ics"
        result = run_ovk("--root", str(base_tree), "export", "--format", "ics", "-o", str(target))
        assert result.exit_code == 0, result.stderr
        return target.read_bytes()  # as written: the runner's stdout turns CRLF into LF

    expected = export()
    set_title(base_tree, title)
    raw = export()
    assert raw.endswith(b"\r\n")
    for line in raw[:-2].split(b"\r\n"):  # content lines: no control character, 75 octets
        assert len(line) <= 75
        line.decode("utf-8")  # folded between characters, never inside one
        assert not any((b < 0x20 and b != 0x09) or b == 0x7F for b in line), line
    calendar = icalendar.Calendar.from_ical(raw)
    reference = icalendar.Calendar.from_ical(expected)
    assert not [c.errors for c in calendar.walk() if c.errors]
    events = calendar.walk("VEVENT")
    uids = sorted(str(e["UID"]) for e in events)
    assert uids == sorted(str(e["UID"]) for e in reference.walk("VEVENT"))
    assert not any("URL" in e for e in events)
    summaries = [str(e["SUMMARY"]) for e in events if str(e["UID"]).endswith("-due@ovk")]
    mine = next(s for s in summaries if s.startswith("Slutdatum: 2.1.3 "))
    assert_literal(mine)  # its line breaks are text in the SUMMARY, not content lines
    if title.startswith("Uppdrag"):
        assert "UID:evil@attacker" in mine and "URL:https://evil.example" in mine


# --- non-finite numbers and strict JSON ------------------------------------------------------


@pytest.mark.parametrize("written", [".nan", ".NaN", ".inf", "-.Inf", "1e999"])
def test_a_non_finite_amount_is_a_located_finding(base_tree: Path, written: str) -> None:
    path = base_tree / KLK
    text = path.read_text(encoding="utf-8")
    assert "belopp: 27.5}" in text
    path.write_text(text.replace("belopp: 27.5}", f"belopp: {written}}}"), encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "belopp: 27.5}" in t)
    result = run_ovk("--root", str(base_tree), "validate", "--no-cache", "--format", "json")
    assert result.exit_code == 1
    found = [(f["rule"], f["file"], f["line"], f["path"]) for f in json.loads(result.stdout)]
    assert found == [("non-finite-number", KLK, line, "$.ersattning.rows[0].belopp")]


def test_a_nan_amount_makes_the_file_unreadable_for_every_command(base_tree: Path) -> None:
    path = base_tree / KLK
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("belopp: 27.5}", "belopp: .nan}"), encoding="utf-8")
    for args in (
        ["export", "--format", "json"],
        ["export", "--format", "csv"],
        ["list", "--format", "json"],
        ["render", "KLK"],
    ):
        result = run_ovk("--root", str(base_tree), *args)
        assert result.exit_code == 1, args
        assert "NaN" not in result.stdout
        assert f"{KLK}:" in result.stderr and "is not valid" in result.stderr


def test_the_fast_and_the_located_path_find_the_same_non_finite_numbers(base_tree: Path) -> None:
    from ovk.model.conformance import load_checked
    from ovk.model.layout import agreement_file, schema_dir

    path = base_tree / KLK
    text = path.read_text(encoding="utf-8")
    text = text.replace("belopp: 27.5}", "belopp: .nan}").replace("belopp: 49.4}", "belopp: -.inf}")
    path.write_text(text, encoding="utf-8")
    member = agreement_file(path, base_tree)
    fast = load_checked(member, schema_dir(base_tree), fast=True)
    located = load_checked(member, schema_dir(base_tree), fast=False)
    assert fast.findings == located.findings
    assert [f.rule for f in fast.findings] == ["non-finite-number"] * 2
    assert not fast.conforms and not located.conforms


def test_json_export_is_strict() -> None:
    from ovk.tools.export import to_json

    with pytest.raises(ValueError, match="JSON compliant"):
        to_json({"x": float("nan")})


def test_every_json_ovk_writes_is_strict() -> None:
    """Each json.dump(s) call in the package passes allow_nan=False."""
    # The cache holds only data of clean files, which holds no non-finite number; its format
    # is being reworked with the rest of the cache (issue 14, "The cache").
    exempt = {"ovk/validate/cache.py"}
    lax = []
    for path in sorted((REPO / "ovk").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("dump", "dumps")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "json"
            ):
                strict = any(
                    k.arg == "allow_nan"
                    and isinstance(k.value, ast.Constant)
                    and k.value.value is False
                    for k in node.keywords
                )
                if not strict and relative not in exempt:
                    lax.append(f"{relative}:{node.lineno}")
    assert lax == []
