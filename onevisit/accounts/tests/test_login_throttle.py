"""Logins are throttled per account and per address, and an admin can lift a lockout."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from onevisit.testing import PersonaTestCase


@override_settings(AXES_FAILURE_LIMIT=3)
class LoginThrottleTest(PersonaTestCase):
    def setUp(self) -> None:
        self.alice.set_password("right-horse-battery")
        self.alice.save()

    def attempt(self, password: str, address: str = "10.0.0.1", username: str = "alice") -> int:
        client = Client(REMOTE_ADDR=address)
        data = {"username": username, "password": password}
        return client.post(reverse("accounts:login"), data).status_code

    def test_it_pauses_an_account_after_the_set_number_of_wrong_passwords(self) -> None:
        assert [self.attempt("wrong") for _ in range(3)] == [200, 200, 429]
        # The right password no longer helps, from this or from another address.
        assert self.attempt("right-horse-battery") == 429
        assert self.attempt("right-horse-battery", address="10.0.0.2") == 429

    def test_it_pauses_an_address_that_tries_many_accounts(self) -> None:
        codes = [self.attempt("wrong", username=f"user{n}") for n in range(3)]
        assert codes[-1] == 429
        assert self.attempt("right-horse-battery") == 429  # from that address
        assert self.attempt("right-horse-battery", address="10.0.0.9") == 302

    def test_it_lets_an_admin_lift_the_pause(self) -> None:
        from axes.utils import reset

        for _ in range(3):
            self.attempt("wrong")
        reset(username="alice")
        reset(ip="10.0.0.1")
        assert self.attempt("right-horse-battery") == 302

    def test_it_explains_the_pause_in_the_users_language(self) -> None:
        for _ in range(3):
            self.attempt("wrong")
        page = Client(REMOTE_ADDR="10.0.0.1").post(
            reverse("accounts:login"), {"username": "alice", "password": "wrong"}
        )
        assert page.status_code == 429
        assert "15" in page.content.decode()
