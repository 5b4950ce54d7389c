"""The `ovk` console script: answers `ovk --version` before importing the command line.

`ovk --version` runs in hooks and CI logs; importing typer and click would triple its time.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `ovk` console script and of `python -m ovk`."""
    if sys.argv[1:] == ["--version"]:
        from ovk import __version__

        sys.stdout.write(f"ovk {__version__}\n")
        return
    from ovk.cli.app import main as cli_main

    cli_main()
