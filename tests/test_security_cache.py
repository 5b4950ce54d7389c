"""The cache cannot be turned against the gate.

The threat: a contributor to an agreement repository is not always trusted, and `ovk validate`
is the gate their pull request must pass in CI and pre-commit. A cache of "clean" verdicts
is the shortest way through it: an entry planted where ovk reads it (committed into the
repository with `git add -f`, or dropped into the cache folder) could make a broken file pass
and feed the cross-file rules invented data; a stale entry from other ovk code could keep a
verdict that code no longer gives; an entry of the wrong shape could crash the run; a cache
folder, entry or secret committed or placed as a symlink could make ovk write through it
(a clone's `.git/config`, a `*` .gitignore in an agreement folder).

So ovk trusts only its installed code and the user's own cache folder, and even there only
what proves itself: an entry must be found under a key of the file's bytes, its schema and
the installed code, carry an HMAC under the folder's secret, and hold data its schema accepts.
Each test below plants one such entry or link and shows that the verdict of a broken file is
unchanged (it still fails), that nothing outside the cache folder is written, and that the
entry is replaced by an honest one where the file is clean. With `CI` set nothing is read or
written at all. Each test runs the cache in a temporary `OVK_CACHE_DIR`.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest

from ovk import __version__
from ovk.model.layout import schema_dir
from ovk.model.schema import KINDS
from ovk.validate.cache import ENTRIES, MISSING, SECRET, Cache, folder_name, open_cache
from ovk.validate.engine import validate
from ovk.yamlio.loader import load_path
from tests.conftest import BASE, make_tree, run_ovk

UPPDRAG = Path("agreements/2026/uppdrag/okat-valdeltagande.yaml")
OTHER = Path("agreements/2026/uppdrag/starkt-arbete-for-tillvaxt.yaml")


@pytest.fixture(autouse=True)
def entries_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The year folders' index (tested in tests/test_index.py) is left out, so that every
    run here reads the entries these tests plant."""
    monkeypatch.setattr(Cache, "read_index", lambda self, year, key: MISSING)


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("OVK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(params=["schema", "lead-not-owner"])
def broken(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A repository with one broken uppdrag: a date that is no date (a schema error), or a
    lead that is not among the owners (a cross-file error)."""
    root = make_tree(tmp_path / "repo")
    path = root / UPPDRAG
    text = path.read_text(encoding="utf-8")
    if request.param == "schema":
        text = text.replace("due: 2026-12-31", 'due: "31 dec"')
    else:
        text = text.replace("lead: null", "lead: TEK")
    path.write_text(text, encoding="utf-8")
    return root


def clean_data() -> dict[str, object]:
    """What a forger would offer in place of the broken file: the data of the clean one."""
    document = load_path(BASE / UPPDRAG, UPPDRAG.as_posix()).document
    assert document is not None
    data: dict[str, object] = json.loads(json.dumps(document.data))
    return data


def opened(root: Path) -> Cache:
    """The cache the command line would use for `root` (it must be on)."""
    cache = open_cache(root)
    assert cache is not None
    return cache


def key_of(cache: Cache, root: Path, path: Path) -> str:
    return cache.key("uppdrag", schema_dir(root), (root / path).read_bytes())


def snapshot(folder: Path, *, leave_out: Path) -> dict[str, str]:
    """Every file, folder and link under `folder` but `leave_out`, with its content."""
    seen: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path == leave_out or leave_out in path.parents:
            continue
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            seen[name] = f"link to {os.readlink(path)}"
        elif path.is_file():
            seen[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            seen[name] = "folder"
    return seen


def github(root: Path) -> tuple[int, str]:
    result = run_ovk("--root", str(root), "validate", "--format", "github")
    return result.exit_code, result.stdout


def assert_still_broken(root: Path) -> None:
    """The broken file fails `ovk validate --format github` as it does without a cache."""
    code, out = github(root)
    expected = run_ovk("--root", str(root), "validate", "--format", "github", "--no-cache")
    assert (code, out) == (expected.exit_code, expected.stdout)
    assert code == 1
    assert f"file={UPPDRAG.as_posix()}" in out


def entry_path(user_cache: Path, root: Path, key: str) -> Path:
    return user_cache / folder_name(root) / ENTRIES / key


def honest(cache: Cache, key: str, path: Path) -> bool:
    """Whether `path` is the entry ovk itself writes for `key` (a regular file, tag valid)."""
    return not path.is_symlink() and cache.get(key, 1 << 20) is not MISSING


# -- entries in the user's cache folder -------------------------------------------------------


def test_a_forged_entry_does_not_pass_a_broken_file(
    broken: Path, user_cache: Path, tmp_path: Path
) -> None:
    cache = opened(broken)
    key = key_of(cache, broken, UPPDRAG)
    payload = json.dumps({"data": clean_data()}).encode()
    for tag in (b"\0" * 32, b"", os.urandom(32)):  # no HMAC, none at all, a guessed one
        entry_path(user_cache, broken, key).write_bytes(tag + payload)
        before = snapshot(tmp_path, leave_out=user_cache)
        assert_still_broken(broken)
        assert snapshot(tmp_path, leave_out=user_cache) == before
    # The same forgery on a clean file is ignored and replaced by an honest entry.
    other = key_of(cache, broken, OTHER)
    entry_path(user_cache, broken, other).write_bytes(b"\0" * 32 + payload)
    assert not honest(cache, other, entry_path(user_cache, broken, other))
    github(broken)
    assert honest(cache, other, entry_path(user_cache, broken, other))


def test_a_stale_entry_from_other_ovk_code_is_never_found(
    broken: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = opened(broken)
    # An honest entry, HMAC and all, written by "another ovk": same secret, other code hash.
    other_code = Cache(cache.base, cache.name, cache.secret, cache.salt.replace(b"\n", b"x\n", 2))
    stale = key_of(other_code, broken, UPPDRAG)
    assert stale != key_of(cache, broken, UPPDRAG)
    other_code.put(stale, clean_data())
    assert entry_path(user_cache, broken, stale).is_file()
    assert_still_broken(broken)
    # The code hash is part of the key: one changed byte of ovk moves every key.
    from ovk.validate import cache as module

    monkeypatch.setattr(module, "code_hash", lambda: "0" * 64)
    assert module._salt() != cache.salt


def test_an_entry_of_the_wrong_shape_is_a_miss_not_a_traceback(
    broken: Path, user_cache: Path
) -> None:
    cache = opened(broken)
    key, other = key_of(cache, broken, UPPDRAG), key_of(cache, broken, OTHER)
    expected = validate(broken)
    shapes: list[object] = [[1, 2], "text", None, {}, {"id": 5}, {**clean_data(), "x": 1}]
    for shape in shapes:
        cache.put(key, shape)  # honest HMAC, honest key: only the shape is wrong
        cache.put(other, shape)
        assert_still_broken(broken)
        with opened(broken) as warm:
            assert validate(broken, cache=warm) == expected
        assert cache.get(other, 1 << 20) != shape  # written again with the file's own data
    cache.close()


def test_entries_that_are_not_json_or_not_files_are_misses(broken: Path, user_cache: Path) -> None:
    cache = opened(broken)
    other = key_of(cache, broken, OTHER)
    path = entry_path(user_cache, broken, other)
    for planted in (b"\xff" * 40, b"x" * 32 + b"{not json"):
        path.write_bytes(planted)
        assert github(broken)[0] == 1
        assert honest(cache, other, path)
    path.unlink()
    os.mkfifo(path)  # opening a pipe must not hang the run
    assert github(broken)[0] == 1
    cache.close()


# -- links ------------------------------------------------------------------------------------


def test_a_linked_entry_is_neither_read_nor_written_through(
    broken: Path, user_cache: Path, tmp_path: Path
) -> None:
    cache = opened(broken)
    key, other = key_of(cache, broken, UPPDRAG), key_of(cache, broken, OTHER)
    victim = tmp_path / "victim"
    victim.mkdir()
    # An honest entry for the broken file's key, kept elsewhere and linked in.
    signed = Cache(victim, "x", cache.secret, cache.salt)
    signed.put(key, clean_data())
    real = victim / "x" / ENTRIES / key
    entry_path(user_cache, broken, key).symlink_to(real)
    (victim / "config").write_text("[core]\n", encoding="utf-8")
    entry_path(user_cache, broken, other).symlink_to(victim / "config")
    before = snapshot(tmp_path, leave_out=user_cache)
    assert_still_broken(broken)
    assert snapshot(tmp_path, leave_out=user_cache) == before
    assert (victim / "config").read_text(encoding="utf-8") == "[core]\n"
    assert honest(cache, other, entry_path(user_cache, broken, other))  # the link replaced
    cache.close()


@pytest.mark.parametrize("linked", ["base", "repository", "entries"])
def test_a_linked_cache_folder_is_not_used(
    broken: Path, user_cache: Path, tmp_path: Path, linked: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    made = Cache.open(elsewhere, broken)
    assert made is not None
    with made as honest_cache:
        honest_cache.put(key_of(honest_cache, broken, UPPDRAG), clean_data())
    mine = elsewhere / folder_name(broken)
    link = {
        "base": (user_cache, elsewhere),
        "repository": (user_cache / folder_name(broken), mine),
        "entries": (user_cache / folder_name(broken) / ENTRIES, mine / ENTRIES),
    }[linked]
    link[0].parent.mkdir(parents=True, exist_ok=True)
    if linked == "entries":
        (link[0].parent / SECRET).write_bytes((mine / SECRET).read_bytes())
        (link[0].parent / SECRET).chmod(0o600)
    link[0].symlink_to(link[1])
    before = snapshot(tmp_path, leave_out=user_cache)
    assert_still_broken(broken)
    assert snapshot(tmp_path, leave_out=user_cache) == before
    assert open_cache(broken) is None


def test_a_linked_secret_is_replaced_not_followed(
    broken: Path, user_cache: Path, tmp_path: Path
) -> None:
    target = tmp_path / "victim-secret"
    target.write_bytes(b"k" * 32)
    target.chmod(0o600)
    folder = user_cache / folder_name(broken)
    folder.mkdir(parents=True, mode=0o700)
    user_cache.chmod(0o700)
    (folder / SECRET).symlink_to(target)
    assert_still_broken(broken)
    assert target.read_bytes() == b"k" * 32
    assert not (folder / SECRET).is_symlink()
    assert (folder / SECRET).stat().st_mode & 0o777 == 0o600
    assert (folder / SECRET).read_bytes() != b"k" * 32


def test_a_secret_others_may_read_is_replaced(broken: Path, user_cache: Path) -> None:
    with opened(broken) as cache:
        secret = cache.secret
    path = user_cache / folder_name(broken) / SECRET
    path.chmod(0o644)
    with opened(broken) as cache:
        assert cache.secret != secret
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_cache_folder_others_may_write_is_not_used(broken: Path, user_cache: Path) -> None:
    user_cache.mkdir(mode=0o700)
    user_cache.chmod(0o777)
    assert open_cache(broken) is None
    assert_still_broken(broken)
    assert list(user_cache.iterdir()) == []


# -- the repository ---------------------------------------------------------------------------


def old_key(root: Path, path: Path) -> str:
    """The key the cache of ovk 0.1 computed, from public inputs only."""
    versions = [__version__, "uppdrag"]
    for package in ("ruamel.yaml", "ruamel.yaml.clib", "jsonschema-rs"):
        versions.append(f"{package}={version(package)}")
    schema = hashlib.sha256((root / "schema" / KINDS["uppdrag"]).read_bytes()).hexdigest()
    salt = "\n".join([*versions, schema, ""]).encode()
    return hashlib.sha256(salt + (root / path).read_bytes()).hexdigest()


def test_an_ovk_cache_committed_into_the_repository_is_never_read(
    broken: Path, user_cache: Path
) -> None:
    key = old_key(broken, UPPDRAG)
    planted = broken / ".ovk-cache" / "v1" / key[:2] / key
    planted.parent.mkdir(parents=True)
    planted.write_text(json.dumps({"data": clean_data()}), encoding="utf-8")
    (broken / ".ovk-cache" / "v1" / key[:2] / "x").write_text("", encoding="utf-8")
    before = snapshot(broken, leave_out=user_cache)
    assert_still_broken(broken)
    assert snapshot(broken, leave_out=user_cache) == before
    assert any((user_cache / folder_name(broken) / ENTRIES).iterdir())  # the cache was on


@pytest.mark.parametrize("link", [".ovk-cache", ".ovk-cache/.gitignore"])
def test_links_committed_as_the_old_cache_folder_are_not_written_through(
    broken: Path, user_cache: Path, tmp_path: Path, link: str
) -> None:
    victim = broken / ".git"
    victim.mkdir()
    (victim / "config").write_text("[core]\n", encoding="utf-8")
    (broken / link).parent.mkdir(parents=True, exist_ok=True)
    (broken / link).symlink_to(victim if link == ".ovk-cache" else victim / "config")
    before = snapshot(tmp_path, leave_out=user_cache)
    assert_still_broken(broken)
    assert run_ovk("--root", str(broken), "validate", "--no-cache").exit_code == 1
    assert snapshot(tmp_path, leave_out=user_cache) == before
    assert (victim / "config").read_text(encoding="utf-8") == "[core]\n"


@pytest.mark.parametrize("where", [".", ".ovk-cache", "agreements/2026", ".git/ovk"])
def test_a_cache_folder_inside_the_repository_is_not_used(
    broken: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (broken / ".git").mkdir()
    monkeypatch.setenv("OVK_CACHE_DIR", str(broken / where))
    before = snapshot(broken, leave_out=broken / "nothing")
    assert open_cache(broken) is None
    assert_still_broken(broken)
    assert run_ovk("--root", str(broken), "validate").exit_code == 1
    assert snapshot(broken, leave_out=broken / "nothing") == before


# -- CI ---------------------------------------------------------------------------------------


def test_with_ci_set_nothing_is_read_or_written(
    broken: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened(broken) as cache:
        # An entry as honest as can be (ovk's own HMAC and key): trusted outside CI.
        cache.put(key_of(cache, broken, UPPDRAG), clean_data())
    assert github(broken)[0] == 0  # the user's own cache is trusted …
    monkeypatch.setenv("CI", "true")
    before = snapshot(user_cache, leave_out=user_cache / "nothing")
    assert_still_broken(broken)  # … but a CI job's verdict never rests on it
    assert snapshot(user_cache, leave_out=user_cache / "nothing") == before
    assert open_cache(broken) is None
    fresh = make_tree(broken.parent / "fresh")
    assert run_ovk("--root", str(fresh), "validate").exit_code == 0
    assert not (user_cache / folder_name(fresh)).exists()
