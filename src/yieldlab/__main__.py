"""``python -m yieldlab`` runs the command line."""

from yieldlab.cli import main

main()
