"""`makemessages` as this project runs it: no fuzzy guesses (a guessed translation of a new string
reads as a wrong one), and file names without line numbers, so that a moved line changes nothing
in the catalogue. The catalogue is the one place where translations live."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
