"""A differential fuzzer of the fast path's yaml-rs reader against the located loader.

Documents are the example agreements mutated at random (seeded) with what YAML reads with
care: indicators, quotes, anchors, block and flow styles, number forms, odd characters. Each
is read by `native.native_data` and by `load_text`, the reference; a document is *wrong* when
yaml-rs gives data and the located loader gives other data (types included) or a finding.
tests/test_native_source.py runs a few thousand; for more:

    python -m tests.native_fuzz --count 200000 --seed 7
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from ovk.yamlio import native
from ovk.yamlio.loader import _DOUBT, load_text
from tests.test_fast_path import same  # the suite's equality: types included

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "tests" / "examples").rglob("*.yaml"))

TOKENS = [
    ": ",
    ":",
    "- ",
    "? ",
    "#",
    " #",
    " # x",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ",",
    '"',
    "'",
    "|",
    ">",
    "|-",
    ">+",
    "&a ",
    "*a",
    "!",
    "!!str ",
    "%",
    "---",
    "...",
    "\n",
    "\n  ",
    "  ",
    " ",
    "\\",
    "\\n",
    "=",
    "~",
    "null",
    "Null",
    "NULL",
    "true",
    "True",
    "FALSE",
    "yes",
    "no",
    "on",
    "1_0",
    "_1",
    "1_",
    ".5",
    "5.",
    "1e3",
    "1E-3",
    ".5e3",
    "0x1F",
    "0o7",
    "0b1",
    "+1",
    "-0",
    "007",
    "0480",
    ".inf",
    "-.Inf",
    ".NaN",
    "2026-12-31",
    "2026-1-1",
    "2026-12-31T10:00:00",
    "12:30",
    "1:2:3",
    "\r",
    "\r\n",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\x7f",
    "\x01",
    "\x1b",
    "\u200b",
    "\ufffe",
    "é",
    "Ö",
    "\U0001f600",
    '"a\\x41"',
    "'it''s'",
    "<<: ",
    "- - ",
    "  - ",
    "12345678901234567890123",
    "9223372036854775808",
    "1.00000000000000000001",
    "2026-12-31 10:00",
    "@",
    "`",
    "|x",
    ">x",
    "%x",
    "-x",
    "?x",
    ":x",
    "1.5",
    "-1",
    "60,4",
    "1 000",
    "%YAML 1.2\n",
    "a: b: c",
    "\t",
]


def seed_texts() -> list[str]:
    """The example files that are UTF-8 (some examples are broken on purpose)."""
    texts = []
    for path in SEEDS:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    return texts


def mutate(text: str, rng: random.Random) -> str:
    """`text` with one to four random edits."""
    for _ in range(rng.randint(1, 4)):
        lines = text.split("\n")
        where = rng.randrange(len(lines))
        operation = rng.randrange(6)
        if operation == 0:  # a token somewhere in a line
            line = lines[where]
            at = rng.randint(0, len(line))
            lines[where] = line[:at] + rng.choice(TOKENS) + line[at:]
        elif operation == 1:  # a line's value replaced by a token or two
            head, colon, _ = lines[where].partition(": ")
            if colon:
                lines[where] = head + colon + "".join(rng.choices(TOKENS, k=rng.randint(1, 2)))
        elif operation == 2:  # a line repeated (duplicate keys, items)
            lines.insert(where, lines[where])
        elif operation == 3:  # indentation moved
            line = lines[where]
            lines[where] = " " * rng.randint(0, 8) + line.lstrip(" ")
        elif operation == 4:  # a span removed
            line = lines[where]
            at = rng.randint(0, len(line))
            lines[where] = line[:at] + line[at + rng.randint(1, 6) :]
        else:  # a line removed
            del lines[where]
            if not lines:
                lines = [""]
        text = "\n".join(lines)
    return text


def documents(count: int, seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    texts = seed_texts()
    for _ in range(count):
        yield mutate(rng.choice(texts), rng)


def verdict(text: str) -> tuple[bool, str | None]:
    """Whether yaml-rs read `text` (rather than doubt it), and why its reading is not the
    located loader's (None when it is, or when yaml-rs doubts and the events and the located
    loader judge alone)."""
    data = native.native_data(text)
    if data is _DOUBT:
        return False, None
    located = load_text(text, "x")
    if located.document is None or located.findings:
        return True, "yaml-rs gave data where the located loader reports: " + "; ".join(
            f.message for f in located.findings
        )
    if not same(data, located.document.data):
        return True, f"yaml-rs read {data!r}, the located loader {located.document.data!r}"
    return True, None


def wrong(text: str) -> str | None:
    """`verdict`'s reason alone."""
    return verdict(text)[1]


SCALAR_ALPHABET = "01._-+exo:nafiNI~Tt,"
SECTION_ALPHABET = "1.-_aei"


def short_scalars(length: int = 3) -> Iterator[str]:
    """Every string over SCALAR_ALPHABET up to `length` characters (the number, boolean and
    null forms and their near misses), and over SECTION_ALPHABET up to `length + 2` (section
    numbers, slugs opening with a number, exponents)."""
    for alphabet, longest in ((SCALAR_ALPHABET, length), (SECTION_ALPHABET, length + 2)):
        for size in range(1, longest + 1):
            for chars in itertools.product(alphabet, repeat=size):
                yield "".join(chars)
    yield from NUMBER_FORMS
    yield from WORDS


# Exponents (mantissa, e or E, sign, digits) and the words YAML 1.1 and 1.2 resolve, in each
# case, which the alphabets are too short to spell.
NUMBER_FORMS = [
    "".join(parts)
    for parts in itertools.product(
        ("1", "0", "01", "1.", "1.5", ".5", "-1", "+1", "_1", "1_0", "-.5", "12"),
        ("e", "E"),
        ("", "+", "-"),
        ("1", "01", "10", "_1", "999", "400", ""),
    )
]
WORDS = [
    variant
    for word in ("true", "false", "null", "yes", "no", "on", "off", "y", "n", "inf", "nan")
    for variant in (word, word.capitalize(), word.upper(), "." + word, "-." + word, "+." + word)
]


def placed(scalar: str) -> list[str]:
    """`scalar` as a value, a key, an item and a flow item."""
    return [f"a: {scalar}\n", f"{scalar}: a\n", f"- {scalar}\n", f"a: [{scalar}, b]\n"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scalars", type=int, default=0, help="also every scalar up to N chars")
    args = parser.parse_args()
    failures = 0
    read = 0
    texts: Iterator[str] = documents(args.count, args.seed)
    if args.scalars:
        texts = itertools.chain(texts, (t for s in short_scalars(args.scalars) for t in placed(s)))
    for text in texts:
        was_read, why = verdict(text)
        read += was_read
        if why is not None:
            failures += 1
            print(f"{text!r}\n  {why}", file=sys.stderr)
    print(f"{failures} wrong; yaml-rs gave data for {read} documents")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
