from kyodaku.cli import main

main()
