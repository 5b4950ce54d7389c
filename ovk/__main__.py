from ovk.entry import main

main()
