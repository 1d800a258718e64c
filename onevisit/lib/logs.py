"""Logging filters. An ordinary refusal (403) is one line in the log, not a traceback."""

from __future__ import annotations

import logging


def quiet_forbidden(record: logging.LogRecord) -> bool:
    if getattr(record, "status_code", None) == 403:
        record.exc_info = None
        record.exc_text = None
    return True
