"""Bad input gets a clear answer, never a server error: numbers beyond 64 bits, digits that are
not ASCII ("²"), words where numbers belong, and a code with a slash."""

from __future__ import annotations

from django.urls import reverse

from onevisit.inspections.tests.base import VisitTestCase
from onevisit.lib.params import whole_number

HOSTILE = ["99999999999999999999", "9223372036854775808", "²", "abc", "-1", " ", "1e3"]


class HostileQueryTest(VisitTestCase):
    def test_it_reads_only_plain_bounded_whole_numbers(self) -> None:
        assert whole_number("42") == 42
        assert whole_number("²") is None and whole_number("9" * 20) is None
        assert whole_number("91", high=90) is None and whole_number("0", low=1) is None

    def test_it_answers_every_hostile_number_without_a_server_error(self) -> None:
        pages = [
            (self.alice, reverse("rectification:ledger"), "body"),
            (None, reverse("draws:draw_results"), "draw"),
            (self.alice, reverse("planning:rules"), "edit"),
            (self.alice, reverse("registry:enterprise_list"), "page"),
        ]
        for user, url, name in pages:
            client = self.client_for(user)
            for value in HOSTILE:
                response = client.get(url, {name: value})
                assert response.status_code < 500, (url, name, value, response.status_code)

    def test_it_drops_what_cannot_be_in_a_code(self) -> None:
        response = self.client_for(None).get(reverse("inspections:verify_entry"), {"code": "a/b"})
        assert response.status_code == 302 and response["Location"].endswith("/v/ab")
