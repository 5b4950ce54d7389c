"""yaml-rs as the fast path's first data source (ovk/yamlio/native.py): where it gives data,
that data is the located loader's, over every example file, the real agreements (marked
`data`) and the YAML Test Suite; where the text holds what it could read otherwise, it
doubts and the C parser's events read the file. benchmarks/native_parsers.py runs the same
differential over the M corpus too."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovk.yamlio import native
from ovk.yamlio.loader import _DOUBT, decode, events_data, fast_data, load_text
from tests.test_fast_path import YAML_FILES, data_marked, same

pytest.importorskip("yaml_rs")


@pytest.mark.parametrize("source", data_marked(YAML_FILES))
def test_native_data_is_the_located_data(source: Path) -> None:
    text = decode(source.read_bytes(), "x")
    if not isinstance(text, str):
        return  # not UTF-8: no parser reads it
    data = native.native_data(text)
    if data is _DOUBT:
        return  # the events (and the located loader) judge alone
    located = load_text(text, "x")
    assert located.document is not None and not located.findings, "yaml-rs accepted it"
    assert same(data, located.document.data)


def test_the_agreements_are_read_by_yaml_rs_not_the_events() -> None:
    text = "# modeline\nnamn: Bergvik\nbelopp: 1_000\nsedan: 2026-12-31\nflagga: yes\n"
    assert same(native.native_data(text), load_text(text, "x").document.data)  # type: ignore[union-attr]
    assert same(fast_data(text), events_data(text))


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
        "a: {b: 1,\n  c: 2}\n",  # a flow mapping over two lines
        "a:    # comment\n  b\n",  # a comment after a key
        "a: 1",  # no final newline
        "".join("- " * 70) + "x\n",  # nesting deeper than the located loader allows
    ],
)
def test_native_doubts_where_the_located_loader_has_a_say(text: str) -> None:
    assert native.native_data(text) is _DOUBT


def test_without_yaml_rs_the_events_read_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "_loads", lambda: None)
    text = "namn: Bergvik\nbelopp: 3\n"
    assert native.native_data(text) is _DOUBT
    assert same(fast_data(text), {"namn": "Bergvik", "belopp": 3})
