from ovk.cli import main

main()
