"""Verifiable random draws (双随机): anyone can recompute a draw from its published record.

Pure Python; Django calls it, it never calls Django. See `core` for the algorithms and
`records` for the record format and its verification.
"""

from .core import (
    ALGORITHMS,
    DEFAULT_ALGORITHMS,
    KEY_RULE,
    DrawError,
    draw,
    draw_strata,
    key_string,
    pool_sha256,
    pool_sm3,
    stratum_sizes,
)
from .records import signed_part, teams_commitment, verify_record, without_teams
from .teams import Conflict, TeamMember, assign_teams

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "KEY_RULE",
    "Conflict",
    "DrawError",
    "TeamMember",
    "assign_teams",
    "draw",
    "draw_strata",
    "key_string",
    "pool_sha256",
    "pool_sm3",
    "signed_part",
    "stratum_sizes",
    "teams_commitment",
    "verify_record",
    "without_teams",
]
