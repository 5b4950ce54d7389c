"""yaml-rs as the fast path's first data source (ovk/yamlio/native.py): where it gives data,
that data is the located loader's, over every example file, the real agreements (marked
`data`), the YAML Test Suite, a seeded fuzzer's documents and every short plain scalar; where
the text holds what it could read otherwise, it doubts and the C parser's events read the
file. benchmarks/native_parsers.py runs the same differential over the M corpus too."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ovk.validate import cache
from ovk.yamlio import loader, native
from ovk.yamlio.loader import _DOUBT, decode, events_data, fast_data, fast_load_bytes, load_text
from tests import native_fuzz
from tests.test_fast_path import EXAMPLES, YAML_FILES, data_marked, same


@pytest.mark.parametrize("source", data_marked(YAML_FILES))
def test_native_data_is_the_located_data(source: Path) -> None:
    text = decode(source.read_bytes(), "x")
    if not isinstance(text, str):
        return  # not UTF-8: no parser reads it
    assert native_fuzz.wrong(text) is None


def test_the_example_agreements_are_read_by_yaml_rs() -> None:
    """Every clean example agreement (the base repository's files) is yaml-rs's to read: the
    guards leave what agreements hold (Swedish text, decimal commas, ids, dates) alone."""
    sources = sorted((EXAMPLES / "_base").rglob("*.yaml"))
    assert sources
    for source in sources:
        text = source.read_text(encoding="utf-8")
        data = native.native_data(text)
        assert data is not _DOUBT, source
        assert same(data, load_text(text, "x").document.data)  # type: ignore[union-attr]


def test_a_clean_file_is_read_by_yaml_rs_not_the_events(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_events(*args: object) -> object:
        raise AssertionError("the events were asked")

    monkeypatch.setattr(loader, "_events_data", no_events)
    raw = "# modeline\nnamn: Bergvik\nbelopp: 7,5\nsedan: 2026-12-31\nandel: 60.4\nkod: '0480'\n"
    document = fast_load_bytes(raw.encode())
    assert document is not None
    assert same(
        document.data,
        {"namn": "Bergvik", "belopp": "7,5", "sedan": "2026-12-31", "andel": 60.4, "kod": "0480"},
    )


def test_a_doubt_is_read_by_the_events() -> None:
    text = "a: 1_000\nb: x\n"
    assert native.native_data(text) is _DOUBT
    assert same(fast_data(text), events_data(text))
    assert same(fast_data(text), {"a": 1000, "b": "x"})


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # aliases: the located loader bounds them
        "a: !!str 1\n",  # tags
        "a: 1\na: 2\n",  # duplicate keys: the located loader names both lines
        "1: a\n'1': b\n",  # a duplicate once keys are text
        "? [a, b]\n: c\n",  # a list as a key
        "a: 1\n---\nb: 2\n",  # two documents
        "a: |\n  text\n",  # block scalars
        "a: {|-rule: x}\n",  # an indicator opening a flow scalar: yaml-rs reads text
        "a: @x\n",  # a reserved indicator
        "a: {b: 1,\n  c: 2}\n",  # a flow mapping over two lines
        "a:    # comment\n  b\n",  # a comment after a key
        "a: 1",  # no final newline
        "".join("- " * 70) + "x\n",  # nesting deeper than the located loader allows
        "- " * 100_000 + "x\n",  # deep enough to overflow yaml-rs's stack
        "a: x\x85y\n",  # NEL: a line break to ruamel.yaml
        "a: x\u2028y\n",  # a line separator
        "a: x\ufeffy\n",  # a BOM within the text
        "a: x\ry\n",  # CR
        "a: x\x7fy\n",  # DEL: not printable to ruamel.yaml
        "a: x\ufffey\n",  # a non-character
        "a: =\n",  # a plain `=`: YAML's value key to ruamel.yaml's resolvers
        "a: 1_000\n",  # underscores
        "a: __1\n",  # which yaml-rs reads as 1
        "a: -__\n",  # which the located loader cannot read as a number
        "a: .51e31\n",  # a leading point (a float to yaml-rs, text to ruamel.yaml)
        "a: +1\n",  # a plus
        "a: 0x1F\n",  # hexadecimal
        "a: 0o17\n",  # octal
        "a: 0480\n",  # a leading zero
        "a: .inf\n",  # not finite
        "a: [1_0, b]\n",  # a number form in a flow collection
    ],
)
def test_native_doubts_where_the_located_loader_has_a_say(text: str) -> None:
    assert native.native_data(text) is _DOUBT


@pytest.mark.parametrize(
    "text",
    [
        "a: 7,05\n",  # a decimal comma: text to both
        "a: 03 407\n",
        "id: 4-aringar-med-overvikt\n",  # a slug opening with a number
        "nr: 1.1.2.\n",  # a section number
        "kl: 10:30\n",
        "title: Sjukfrånvaro, %\n",  # `, %` outside brackets is text
        "a: 12345678901234567890123\n",  # past 64 bits: a Python int to both
        "a: 2022.\n",  # a trailing point: 2022.0 to both
        "a: 1.5e3\n",  # an exponent
        "a: -0.5\n",
    ],
)
def test_native_reads_what_agreements_hold(text: str) -> None:
    data = native.native_data(text)
    assert data is not _DOUBT
    assert same(data, load_text(text, "x").document.data)  # type: ignore[union-attr]


def test_seeded_fuzzed_documents_are_read_as_the_located_loader_reads_them() -> None:
    texts = list(native_fuzz.documents(3000, seed=2026))
    verdicts = [(text, *native_fuzz.verdict(text)) for text in texts]
    wrong = [(text, why) for text, _, why in verdicts if why is not None]
    assert wrong == []
    read = sum(was_read for _, was_read, _ in verdicts)
    assert read > len(texts) // 10  # the differential compares data, not only doubts


@pytest.mark.parametrize(
    "first", sorted(set(native_fuzz.SCALAR_ALPHABET + native_fuzz.SECTION_ALPHABET))
)
def test_every_short_plain_scalar_is_read_as_the_located_loader_reads_it(first: str) -> None:
    scalars = [s for s in native_fuzz.short_scalars(3) if s[0] == first]
    texts = [text for scalar in scalars for text in native_fuzz.placed(scalar)]
    wrong = [(text, why) for text in texts if (why := native_fuzz.wrong(text)) is not None]
    assert wrong == []


def test_quoted_escapes_and_folding_are_read_as_the_located_loader_reads_them() -> None:
    escapes = [f'a: "x\\{c}y"\n' for c in map(chr, range(0x21, 0x7F))]
    escapes += [f'a: "\\x{h}"\n' for h in ("41", "e9", "85", "a0", "00", "7f", "ff")]
    escapes += [f'a: "\\u{h}"\n' for h in ("00e9", "2028", "2029", "feff", "d800", "fffe")]
    bodies = ['"a\n  b"', '"a\n\n  b"', '"a \\\n  b"', "'a\n  b'", "'a\n\n\n  b'", "a\n\n  b"]
    folded = [f"{head}{body}\n" for head, body in itertools.product(("k: ", "- "), bodies)]
    wrong = [(t, why) for t in escapes + folded if (why := native_fuzz.wrong(t)) is not None]
    assert wrong == []


def test_without_yaml_rs_the_events_read_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "_loads", lambda: None)
    text = "namn: Bergvik\nbelopp: 3\n"
    assert not native.available()
    assert native.native_data(text) is _DOUBT
    assert same(fast_data(text), {"namn": "Bergvik", "belopp": 3})


def test_the_cache_key_names_yaml_rs_build() -> None:
    assert "yaml-rs" in {name for name, _ in cache._VERSION_SOURCES}
