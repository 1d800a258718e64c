from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from onevisit.accounts.models import ApiToken, User, hash_token
from onevisit.audit.actions import Actor, record


def do_create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with the raw secret, which is never stored."""
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100] or "token", prefix=raw[:12], key_hash=hash_token(raw)
        )
        record(actor=Actor.of(user), action="create", obj=token, verb="create_api_token")
    return token, raw


def do_revoke_api_token(*, user: User, token: ApiToken) -> None:
    with transaction.atomic():
        record(actor=Actor.of(user), action="delete", obj=token, verb="revoke_api_token")
        token.delete()


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__body", "user__enterprise")
        .filter(key_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
