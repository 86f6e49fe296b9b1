"""``python -m archive_search`` runs the ``arch`` command."""

from .cli import main

main()
