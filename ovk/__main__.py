"""`python -m ovk`: the same as the `ovk` console script."""

from ovk.entry import main

main()
