"""One language: with zh-Hans active, no English reaches any persona on any page of the demo
city, and every message of the catalogue has its translation."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

from django.core.management import call_command
from django.test import Client, TestCase

from onevisit.accounts.models import User
from onevisit.testing.language import english_in, english_leaks, visible_text
from onevisit.testing.state import changes, database_state
from onevisit.testing.walk import get_everywhere, hostile_submissions, walk

LOCALE = Path(__file__).resolve().parent.parent / "onevisit" / "locale" / "zh_Hans" / "LC_MESSAGES"
PERSONAS = [None, "supervisor", "scjg_admin", "gxj_admin", "zjj_admin", "inspector", "enterprise"]


def _unquote(quoted: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', quoted)
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()


def catalogue_msgids() -> list[str]:
    """Every msgid of the .po file (singular forms, with their context as gettext keys them)."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n")[1:]:
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', body, re.MULTILINE)
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', body, re.MULTILINE)
        if msgid and _unquote(msgid.group(1)):
            key = _unquote(msgid.group(1))
            found.append(f"{_unquote(context.group(1))}\x04{key}" if context else key)
    return found


class CatalogueTest(TestCase):
    def test_it_translates_every_message_of_the_catalogue(self) -> None:
        with (LOCALE / "django.mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        catalog = compiled._catalog  # type: ignore[attr-defined]
        translated = {key[0] if isinstance(key, tuple) else key for key in catalog}
        missing = [m for m in catalogue_msgids() if m not in translated]
        assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"

    def test_it_names_an_open_case_for_what_waits_on_it(self) -> None:
        from onevisit.inspections.models import Complaint
        from onevisit.monitoring.models import Alert
        from onevisit.oversight.models import Warning
        from onevisit.planning.models import Task

        # a warning, an alert or a complaint waits to be handled; only a task waits for a visit
        assert {str(m.Status.OPEN.label) for m in (Alert, Warning, Complaint)} == {"待处理"}
        assert str(Task.Status.OPEN.label) == "待检查"

    def test_it_finds_english_and_passes_codes_and_acronyms(self) -> None:
        assert english_in("2 separate visits by 3 bodies")
        assert english_in("greedy")
        assert not english_in("91371500MACWLWHE2T · SHA-256 bafd75980f · API · PDF")
        assert visible_text("<p title='Hint'>检查<script>var x</script></p>") == ["Hint", "检查"]


class WalkTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("demo", "--no-serve", "--enterprises", "120", stdout=io.StringIO())

    def test_it_speaks_chinese_to_every_persona_on_every_page(self) -> None:
        usernames = set(User.objects.values_list("username", flat=True))
        problems: dict[str, list[str]] = {}
        for username in PERSONAS:
            client = Client()
            if username is not None:
                client.force_login(User.objects.get(username=username))
            for page in walk(client):
                if page.status >= 500:
                    problems.setdefault(f"{username} {page.url}", []).append(str(page.status))
                leaks = [t for t in english_leaks(page.html) if t not in usernames]
                if leaks:
                    problems.setdefault(f"{username} {page.url}", []).extend(leaks[:3])
        assert problems == {}

    def test_it_answers_hostile_values_in_every_form_without_a_server_error(self) -> None:
        """Every form and query parameter a persona reaches, sent with numbers beyond 64 bits,
        digits that are not ASCII, control characters and negative numbers."""
        failures: list[str] = []
        sent = 0
        for username in [*PERSONAS, "admin"]:
            client = Client(raise_request_exception=False)
            if username is not None:
                client.force_login(User.objects.get(username=username))
            pages = (
                walk(client, start="/admin/", admin=True) if username == "admin" else walk(client)
            )
            for page in list(pages):
                for method, url, status in hostile_submissions(client, page):
                    sent += 1
                    if status >= 500:
                        failures.append(f"{username} {method.upper()} {url}: {status}")
        assert sent > 200
        assert failures == [], "\n".join(failures)

    def test_it_changes_nothing_on_any_get_by_any_persona(self) -> None:
        """No state change on GET: every page, file, form address and URL pattern, requested by
        every persona and the public, leaves every table as it was."""
        clients = []
        for username in [*PERSONAS, "admin"]:
            client = Client(raise_request_exception=False)
            if username is not None:
                client.force_login(User.objects.get(username=username))
            clients.append((username, client))
        before = database_state()
        asked = 0
        for _username, client in clients:
            asked += len(get_everywhere(client))
        assert asked > 1000
        assert changes(before, database_state()) == {}

    def test_it_tells_the_truth_in_the_demo(self) -> None:
        """A crane inspection cites the law of special equipment, not food safety; a draw that
        has been drawn took its seed from a lottery already held; the 亩产效益 classes follow
        the 100-point scale; the documents carry Chinese 机关代字."""
        import re

        from django.utils import timezone

        from onevisit.assessments.models import Assessment
        from onevisit.draws.models import Draw
        from onevisit.evaluation.models import Entry
        from onevisit.inspections.models import Visit

        crane = Assessment.objects.filter(title__contains="起重机械").first()
        if crane is not None:
            assert "特种设备安全法" in crane.legal_basis and "食品安全法" not in crane.legal_basis
        for draw in Draw.objects.filter(status=Draw.Status.DRAWN):
            period = re.search(r"第(\d{4})\d{3}期", draw.seed_source)
            assert period is None or int(period.group(1)) <= timezone.localdate().year, draw
        assert not Entry.objects.filter(score__gt=100).exists()
        numbers = Visit.objects.exclude(record_number="").values_list("record_number", flat=True)
        assert all(not re.match(r"[A-Z]", n) for n in numbers[:50])

    def test_it_speaks_chinese_in_the_admin(self) -> None:
        usernames = set(User.objects.values_list("username", flat=True))
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        problems: dict[str, list[str]] = {}
        for page in walk(client, start="/admin/", admin=True, limit=400):
            leaks = [t for t in english_leaks(page.html) if not set(t.split()) & usernames]
            if leaks or page.status >= 500:
                problems[page.url] = [str(page.status), *leaks[:3]]
        assert problems == {}


def test_it_writes_every_date_one_way() -> None:
    import datetime as dt

    from django.template import Context, Template
    from django.utils import translation

    with translation.override("zh-hans"):
        shown = Template("{{ day }}|{{ when }}").render(
            Context(
                {
                    "day": dt.date(2026, 12, 7),
                    "when": dt.datetime(2026, 12, 7, 1, 5, tzinfo=dt.UTC),  # 09:05 in Beijing
                }
            )
        )
    assert shown == "2026-12-07|2026-12-07 09:05"
