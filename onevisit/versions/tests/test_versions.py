"""The freezing rule, at the mechanism: once something leaves the platform it is a version that
never changes; a change makes the next version, with its reason, actor, notice and period, and
the one before stays readable."""

from __future__ import annotations

import datetime as dt

import pytest

from onevisit.audit.actions import Actor
from onevisit.audit.models import AuditEntry
from onevisit.testing import PersonaTestCase
from onevisit.versions.actions import (
    VersionRefused,
    current_version,
    do_end_version,
    do_freeze,
    require_not_frozen,
    versions_of,
)
from onevisit.versions.models import Kind, Version

DAY = dt.date(2027, 3, 1)


class FreezeTest(PersonaTestCase):
    def freeze(self, snapshot: object, **kwargs: object) -> Version:
        return do_freeze(
            actor=Actor.of(self.alice),
            by=self.alice,
            obj=self.bearing,
            kind=Kind.PUBLICATION,
            snapshot=snapshot,
            **kwargs,  # type: ignore[arg-type]
        )

    def test_it_freezes_what_left_with_its_hash_actor_and_period(self) -> None:
        version = self.freeze({"class": "B"}, period=(DAY, DAY + dt.timedelta(days=7)))
        assert (version.number, version.state, version.made_by) == (1, "current", self.alice)
        assert version.intact() and version.period_end == dt.date(2027, 3, 8)
        assert current_version(self.bearing) == version
        assert AuditEntry.objects.filter(action="freeze", changes__version=1).exists()

    def test_it_makes_a_change_a_new_version_and_keeps_the_old_one_readable(self) -> None:
        first = self.freeze({"class": "C"})
        with pytest.raises(VersionRefused):
            self.freeze({"class": "B"})  # no reason: refused, nothing changed
        second = self.freeze({"class": "B"}, reason="异议成立，能耗更正", notice="C 类改为 B 类")
        first.refresh_from_db()
        assert (first.state, first.snapshot, first.end_reason) == (
            "superseded",
            {"class": "C"},
            "异议成立，能耗更正",
        )
        assert (second.number, second.notice) == (2, "C 类改为 B 类")
        assert [v.number for v in versions_of(self.bearing)] == [1, 2]
        assert current_version(self.bearing) == second

    def test_it_refuses_changes_while_a_version_is_in_force(self) -> None:
        require_not_frozen(self.bearing, "重新测算")  # nothing frozen: allowed
        self.freeze({"class": "C"})
        with pytest.raises(VersionRefused, match="重新测算"):
            require_not_frozen(self.bearing, "重新测算")

    def test_it_withdraws_a_version_with_a_reason_and_keeps_it(self) -> None:
        self.freeze({"class": "C"})
        with pytest.raises(VersionRefused):
            do_end_version(actor=Actor.of(self.alice), obj=self.bearing, reason=" ", withdraw=True)
        ended = do_end_version(
            actor=Actor.of(self.alice), obj=self.bearing, reason="数据有误", withdraw=True
        )
        assert ended.state == "withdrawn" and current_version(self.bearing) is None
        again = self.freeze({"class": "B"})  # after a withdrawal the next needs no reason
        assert again.number == 2

    def test_it_tells_when_a_version_was_altered_in_the_database(self) -> None:
        version = self.freeze({"class": "C"})
        Version.objects.filter(pk=version.pk).update(snapshot={"class": "A"})
        version.refresh_from_db()
        assert not version.intact()
