"""Links, writes and templates: a hostile repository cannot make ovk read or write elsewhere.

The threat: a contributor to an agreement repository is not always trusted, and neither is
whoever else may write to /tmp or to an output folder. Each test plants one of the traps below
in a temporary repository (the `_base` example) and proves ovk refuses it in one line:

- `ovk new year` copying a link out of the repository into the new year as a regular file (a
  secret leaks into a commit);
- a write (`render -o`, `render --all -o`, `export -o`, `schema -o`, `fmt`) going through a
  symbolic link that stands at the target (the /tmp link attack), the output format chosen from
  the name the link points to, a read-only file rewritten silently;
- a repository template reaching Python's internals (`os.popen`) through `{{ ''.__class__ }}`,
  or a template or `templates/style.css` linked to a file outside the repository and inlined
  into the page.

Writes refuse a link at the target: it is neither followed nor replaced (see the README's
Render section).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ovk.render.build import output_path
from ovk.yamlio import atomic
from ovk.yamlio.atomic import RefusedWrite, write_atomically
from tests.conftest import REPO, run_ovk

UPPDRAG = Path("agreements/2026/uppdrag")
RUNNING = UPPDRAG / "starkt-arbete-for-tillvaxt.yaml"  # due after 2026: carried to 2027
SECRET = "hunter2-do-not-leak"
LINK_REFUSED = "is a symbolic link (to {}); ovk never writes through a link nor replaces one"


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ovk: error: "), stderr
    return lines[0]


def files_below(folder: Path) -> dict[str, bytes]:
    """Every regular file below `folder` (links not followed) and its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the repository that a planted link points to."""
    path = tmp_path / "victim.txt"
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


# -- ovk new year -----------------------------------------------------------------------------


def test_new_year_refuses_an_uppdrag_linked_out_of_the_repository(
    base_tree: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    text = (base_tree / RUNNING).read_text(encoding="utf-8")
    secret.write_text(text.replace("Nämndöverskridande arbete behövs.", SECRET), encoding="utf-8")
    # a valid uppdrag: only its place makes it wrong
    (base_tree / UPPDRAG / "leak.yaml").symlink_to(secret)
    result = run_ovk("--root", str(base_tree), "new", "year", "2027", "--from", "2026")
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(
        f"ovk: error: {(UPPDRAG / 'leak.yaml').as_posix()}:1:1: link-outside links to {secret}, "
        "outside the repository; it is not read"
    )
    assert not (base_tree / "agreements/2027").exists()
    assert sorted(p.name for p in (base_tree / "agreements").iterdir()) == ["2026"]  # no staging
    assert not any(SECRET.encode() in data for data in files_below(base_tree).values())


def test_new_year_copies_a_link_inside_the_repository_as_the_file_validate_read(
    base_tree: Path,
) -> None:
    """The documented decision (passes before and after): validate reads a link inside the
    repository where it stands, and next year holds that text as a regular file."""
    kept = base_tree / "kept" / RUNNING.name
    kept.parent.mkdir()
    (base_tree / RUNNING).rename(kept)
    (base_tree / RUNNING).symlink_to(kept)
    result = run_ovk("--root", str(base_tree), "new", "year", "2027", "--from", "2026")
    assert result.exit_code == 0, result.stderr
    copy = base_tree / "agreements/2027/uppdrag" / RUNNING.name
    assert copy.is_file() and not copy.is_symlink()
    assert copy.read_text(encoding="utf-8") == kept.read_text(encoding="utf-8").replace(
        "year: 2026", "year: 2027"
    )


# -- writes never go through a link ---------------------------------------------------------


def test_render_output_onto_a_link_leaves_its_target_untouched(
    base_tree: Path, tmp_path: Path, victim: Path
) -> None:
    target = tmp_path / "shared" / "klk.md"  # say, /tmp/klk.md planted by another user
    target.parent.mkdir()
    target.symlink_to(victim)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", str(target))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        f"ovk: error: {target} {LINK_REFUSED.format(victim)}: remove the link, or name the "
        "file itself"
    )
    assert victim.read_text(encoding="utf-8") == f"{SECRET}\n"
    assert target.is_symlink() and os.readlink(target) == str(victim)
    assert os.listdir(target.parent) == ["klk.md"]  # no temporary file left


def test_render_output_format_follows_the_name_given_not_the_link(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (base_tree / "y.html").write_text("<p>kept</p>\n", encoding="utf-8")
    (base_tree / "x.md").symlink_to("y.html")
    assert output_path(Path("x.md"), base_tree, base_tree) == base_tree.resolve() / "x.md"
    monkeypatch.chdir(base_tree)
    result = run_ovk("--root", str(base_tree), "render", "KLK", "-o", "x.md")
    assert result.exit_code == 2
    assert LINK_REFUSED.format("y.html") in one_error_line(result.stderr)
    assert (base_tree / "y.html").read_text(encoding="utf-8") == "<p>kept</p>\n"


@pytest.mark.parametrize("planted", ["index.html", "style.css", "."])
def test_render_all_writes_nothing_when_a_page_or_the_folder_is_a_link(
    base_tree: Path, tmp_path: Path, victim: Path, planted: str
) -> None:
    site = tmp_path / "site"
    if planted == ".":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        site.symlink_to(elsewhere)
    else:
        site.mkdir()
        (site / planted).symlink_to(victim)
    result = run_ovk("--root", str(base_tree), "render", "--all", "-o", str(site))
    assert result.exit_code == 2
    assert "is a symbolic link" in one_error_line(result.stderr)
    assert victim.read_text(encoding="utf-8") == f"{SECRET}\n"
    if planted == ".":
        assert os.listdir(tmp_path / "elsewhere") == []
    else:
        assert os.listdir(site) == [planted]  # not one page written beside the link


@pytest.mark.parametrize(
    "command",
    [["export", "--format", "json", "-o", "{}"], ["schema", "uppdrag", "-o", "{folder}"]],
    ids=["export", "schema"],
)
def test_export_and_schema_refuse_a_link_at_the_target(
    base_tree: Path, tmp_path: Path, victim: Path, command: list[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / ("uppdrag.schema.json" if command[0] == "schema" else "ovk.json")
    target.symlink_to(victim)
    args = [a.format(target, folder=folder) for a in command]
    result = run_ovk("--root", str(base_tree), *args)
    assert result.exit_code == 2
    assert LINK_REFUSED.format(victim) in one_error_line(result.stderr)
    assert target.is_symlink() and victim.read_text(encoding="utf-8") == f"{SECRET}\n"


def unformatted(path: Path) -> bytes:
    """Make `path` not canonical (a doubled space after `title:`); its new bytes."""
    text = path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle:  ", 1)
    path.write_text(text, encoding="utf-8")
    return text.encode("utf-8")


@pytest.mark.parametrize("check", [False, True], ids=["fmt", "fmt --check"])
def test_fmt_refuses_a_member_that_is_a_link(base_tree: Path, check: bool) -> None:
    kept = base_tree / "kept" / RUNNING.name
    kept.parent.mkdir()
    (base_tree / RUNNING).rename(kept)
    (base_tree / RUNNING).symlink_to(Path("../../../kept", RUNNING.name))
    before = unformatted(kept)
    result = run_ovk("--root", str(base_tree), "fmt", *(["--check"] if check else []))
    assert result.exit_code == 1
    assert (
        f"{RUNNING.as_posix()}:1:1: cannot format: "
        f"{LINK_REFUSED.format(Path('../../../kept', RUNNING.name))}"
    ) in result.stderr.splitlines()[0]
    assert "reformat" not in result.stdout
    assert (base_tree / RUNNING).is_symlink() and kept.read_bytes() == before


def test_fmt_reports_a_read_only_member_and_leaves_it(base_tree: Path) -> None:
    path = base_tree / RUNNING
    before = unformatted(path)
    path.chmod(0o444)
    result = run_ovk("--root", str(base_tree), "fmt")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{RUNNING.as_posix()}:1:1: cannot format: is read-only; ovk does not rewrite it "
        "(make it writable first)"
    )
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_the_writer_makes_its_own_temporary_file_and_never_follows_one_planted(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary name is taken with O_EXCL: a link planted under it is passed by (passes
    before and after); a link at the target itself is refused, not replaced."""
    names = iter(["planted0", "free0000"])
    monkeypatch.setattr(atomic.secrets, "token_hex", lambda _: next(names))
    planted = tmp_path / ".page.md.planted0"
    planted.symlink_to(victim)
    write_atomically(tmp_path / "page.md", "text\n")
    assert (tmp_path / "page.md").read_text(encoding="utf-8") == "text\n"
    assert planted.is_symlink() and victim.read_text(encoding="utf-8") == f"{SECRET}\n"
    (tmp_path / "link.md").symlink_to(victim)
    with pytest.raises(RefusedWrite, match="is a symbolic link"):
        write_atomically(tmp_path / "link.md", "text\n")
    assert (tmp_path / "link.md").is_symlink()


# -- templates are code -----------------------------------------------------------------------


def repository_templates(root: Path) -> Path:
    folder = root / "templates"
    folder.mkdir()
    for path in (REPO / "templates").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


ESCAPES = {
    "globals of a global": "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "subclasses of object": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "a function's globals": "{{ lipsum.__globals__['os'].popen('touch {marker}') }}",
}


@pytest.mark.parametrize("escape", list(ESCAPES.values()), ids=list(ESCAPES))
def test_a_template_cannot_reach_python(base_tree: Path, tmp_path: Path, escape: str) -> None:
    marker = tmp_path / "pwned"
    bilaga = repository_templates(base_tree) / "bilaga.md"
    bilaga.write_text(
        escape.replace("{marker}", str(marker)) + "\n" + bilaga.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = run_ovk("--root", str(base_tree), "render", "KLK")
    assert result.exit_code == 1 and result.stdout == ""
    line = one_error_line(result.stderr)
    assert line.startswith("ovk: error: template bilaga.md") and "is unsafe" in line
    assert not marker.exists()


@pytest.mark.parametrize("name", ["style.css", "bilaga.html", "_macros.html"])
def test_a_template_file_linked_out_of_the_repository_is_refused(
    base_tree: Path, victim: Path, name: str
) -> None:
    link = repository_templates(base_tree) / name
    link.unlink()
    link.symlink_to(victim)
    expected = (
        f"ovk: error: templates/{name}:1:1: link-outside links to {victim}, outside the "
        "repository; it is not read"
    )
    site = base_tree.parent / "site"
    for args in (["KLK", "--format", "html"], ["--all", "-o", str(site)]):
        result = run_ovk("--root", str(base_tree), "render", *args)
        assert result.exit_code == 1 and SECRET not in result.stdout
        assert one_error_line(result.stderr) == expected
    assert not site.exists()


def test_new_division_refuses_an_agreement_file_that_is_a_link_before_writing_anything(
    base_tree: Path,
) -> None:
    agreement = base_tree / "agreements/2026/overenskommelse.yaml"
    kept = base_tree / "kept" / agreement.name
    kept.parent.mkdir()
    agreement.rename(kept)
    agreement.symlink_to(kept)
    before = kept.read_bytes()
    result = run_ovk(
        "--root", str(base_tree), "new", "division", "--year", "2026", "--code", "VOF",
        "--name", "Division Vård och omsorg",
    )  # fmt: skip
    assert result.exit_code == 2
    assert LINK_REFUSED.format(kept) in one_error_line(result.stderr)
    assert not (base_tree / "agreements/2026/divisions/VOF.yaml").exists()
    assert agreement.is_symlink() and kept.read_bytes() == before
