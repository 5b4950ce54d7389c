"""Check rendered HTML with the real tools: the Nu Html Checker and axe-core in Chromium.

    python scripts/check_site.py --vnu vnu.jar --axe axe.min.js out/site

Every `*.html` file in the given folders (and the folders below them: several years) is
checked by vnu (any error fails) and loaded in headless Chromium (the system's
/usr/bin/chromium, driven by Playwright) where axe-core runs the WCAG 2.1 A and AA rules (any
violation fails), then printed to an A4 PDF (nothing may stick out of the page's text width).
A page that makes a request other than for its own folder's files fails too: the site must
work offline. Exit 0 only when all pass.
Needs the `site-check` extra (`pip install -e '.[site-check]'`), java, chromium and axe-core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
A4_TEXT_WIDTH_PX = 642  # (210 mm - 2 x 20 mm) at 96 px per inch: the stylesheet leaves 178 mm
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def vnu_errors(jar: Path, pages: list[Path]) -> list[str]:
    """Every error the Nu Html Checker reports on the pages, as "file:line: message"."""
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    errors = [
        f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in report["messages"]
        if m.get("type") in ("error", "non-document-error")
    ]
    if result.returncode != 0 and not errors:
        errors.append(f"vnu exited {result.returncode}: {result.stderr.strip()[:500]}")
    return errors


def axe_violations(axe: Path, chromium: str, pages: list[Path]) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe-core finds, and every request that leaves the site."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        for page_path in pages:
            page = browser.new_page()
            folder = page_path.parent.resolve().as_uri()

            def outside(request: Any, name: str = page_path.name, folder: str = folder) -> None:
                if not request.url.startswith(folder):
                    problems.append(f"{name}: request outside the site: {request.url}")

            page.on("request", outside)
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            page.add_script_tag(path=str(axe))
            result: dict[str, Any] = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
            for violation in result["violations"]:
                targets = ", ".join(str(n["target"]) for n in violation["nodes"][:3])
                problems.append(
                    f"{page_path.name}: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} — {len(violation['nodes'])} node(s): {targets}"
                )
            problems.extend(print_problems(page, page_path.name))
            page.close()
        browser.close()
    return problems


def print_problems(page: Any, name: str) -> list[str]:
    """Printed on A4 within 170 mm (the stylesheet's 16 mm margins leave 178), nothing may
    stick out."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_TEXT_WIDTH_PX, "height": 1000})
    overflow: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.pdf(format="A4", prefer_css_page_size=True)  # prints at all
    if overflow > 0:
        return [f"{name}: {overflow}px wider than an A4 page's text width when printed"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vnu", type=Path, required=True, help="path to vnu.jar")
    parser.add_argument("--axe", type=Path, required=True, help="path to axe.min.js")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium binary")
    parser.add_argument("folders", type=Path, nargs="+", help="folders of rendered pages")
    args = parser.parse_args(argv)

    # rglob: `ovk render --all` of several years puts each in a folder below an index.
    pages = sorted(p for folder in args.folders for p in folder.rglob("*.html"))
    if not pages:
        print("check_site: no .html pages found", file=sys.stderr)
        return 1
    errors = vnu_errors(args.vnu, pages)
    violations = axe_violations(args.axe, args.chromium, pages)
    for line in [*errors, *violations]:
        print(line)
    print(f"vnu: {len(errors)} error(s) in {len(pages)} page(s)")
    print(
        f"axe-core ({', '.join(WCAG_TAGS)}) and A4 print: {len(violations)} problem(s) "
        f"in {len(pages)} page(s)"
    )
    return 1 if errors or violations else 0


if __name__ == "__main__":
    sys.exit(main())
