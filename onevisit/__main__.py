from onevisit.cli import main

main()
