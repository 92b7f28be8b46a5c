from memos_cli.cli import main

main()
