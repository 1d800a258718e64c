from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "ovt_"  # noqa: S105 - a public marker, not a secret


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor (justice bureau)")
    BODY_ADMIN = "body_admin", _("Department admin")
    INSPECTOR = "inspector", _("Inspector")
    ENTERPRISE = "enterprise", _("Enterprise")


class User(AbstractUser):
    """A person who logs in. The role decides what they may read; the body or enterprise, whose."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    body = models.ForeignKey(
        "registry.Body",
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    area = models.ForeignKey(
        "registry.District",
        verbose_name=_("supervised area"),
        help_text=_(
            "For a supervisor: the city (or county) whose records they see and change. "
            "Empty: every city of the deployment."
        ),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["body_admin", "inspector"]) | Q(body__isnull=False),
                name="user_body_role_has_body",
                violation_error_message=_("A department admin or inspector needs a body."),
            ),
            models.CheckConstraint(
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
                name="user_enterprise_role_has_enterprise",
                violation_error_message=_("An enterprise user needs an enterprise."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_supervisor(self) -> bool:
        return self.is_active and self.role == Role.SUPERVISOR

    @property
    def is_body_admin(self) -> bool:
        return self.is_active and self.role == Role.BODY_ADMIN and self.body_id is not None

    @property
    def is_inspector(self) -> bool:
        return self.is_active and self.role == Role.INSPECTOR and self.body_id is not None

    @property
    def is_enterprise_user(self) -> bool:
        return self.is_active and self.role == Role.ENTERPRISE and self.enterprise_id is not None

    @property
    def is_official(self) -> bool:
        """Government staff: may search the enterprise registry."""
        return self.is_supervisor or self.is_body_admin or self.is_inspector

    @property
    def supervises_everything(self) -> bool:
        """A supervisor of the whole deployment (a province's, or a single city's own)."""
        return self.is_supervisor and self.area_id is None

    @cached_property
    def area_codes(self) -> list[str] | None:
        """The codes of the supervised area and every division under it; None for all."""
        if self.area_id is None:
            return None
        from onevisit.registry.models import District

        return District.objects.area_codes(self.area_id)

    @cached_property
    def reach_codes(self) -> list[str] | None:
        """Where the user acts on enterprises, for reading their files and for changing them; None
        for everywhere. A supervisor: the supervised area. A department's staff: their body's
        district and every division under it (a city's bureau the whole city, a county's bureau
        its county), within the user's own area when one is set."""
        if not (self.role in (Role.BODY_ADMIN, Role.INSPECTOR) and self.body_id):
            return self.area_codes
        from onevisit.registry.models import District

        assert self.body is not None
        codes = District.objects.area_codes(self.body.district_id)
        if self.area_codes is not None:
            codes = [code for code in codes if code in set(self.area_codes)]
        return codes

    def in_reach(self, *districts: str) -> Q:
        """Records one of whose `districts` lookups lies where the user acts (see reach_codes)."""
        return self._within(self.reach_codes, districts)

    def in_area(self, *districts: str) -> Q:
        """Records one of whose `districts` lookups lies in the user's area (any record, for a
        user without an area)."""
        return self._within(self.area_codes, districts)

    @staticmethod
    def _within(codes: list[str] | None, districts: tuple[str, ...]) -> Q:
        found = Q()
        if codes is not None:
            for district in districts:
                found |= Q(**{f"{district}__in": codes})
        return found


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A per-user API credential. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
