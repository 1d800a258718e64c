"""Errors that a person reads, translatable without importing Django.

A pure module raises `Problem(gettext_noop("… %(name)s …"), name=value)`; the message reads
in English as it stands, and the Django side shows it in the person's language with
`problem.localized(gettext)`. `makemessages` collects the templates because it looks for
calls named gettext_noop.
"""

from __future__ import annotations

from collections.abc import Callable


def gettext_noop(message: str) -> str:
    return message


class Problem(ValueError):
    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def localized(self, translate: Callable[[str], str]) -> str:
        text = translate(self.template)
        return text % self.params if self.params else text
