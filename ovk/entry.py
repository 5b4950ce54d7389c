"""The `ovk` console script: answers `ovk --version` and a plain `ovk validate …` before
importing the command line.

`ovk --version` runs in hooks and CI logs, `ovk validate FILE` in pre-commit once per commit;
importing typer and click would more than double their time. ovk.cli.fast answers only the
validate calls it fully understands, with the typer command's own body; all else is typer's.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `ovk` console script and of `python -m ovk`."""
    args = sys.argv[1:]
    if args == ["--version"]:
        from ovk import __version__

        sys.stdout.write(f"ovk {__version__}\n")
        return
    if "validate" in args:
        from ovk.cli.fast import main as fast_main

        fast_main(args)  # returns only when the call is not a plain validate call
    from ovk.cli.app import main as cli_main

    cli_main()
