"""Logins are throttled per account and address together, behind a proxy as well as without one,
so that nobody can lock out a colleague; an admin can lift a lockout."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from onevisit.lib.ratelimit import client_address
from onevisit.testing import PersonaTestCase

PROXY = "10.0.0.254"


@override_settings(AXES_FAILURE_LIMIT=3)
class LoginThrottleTest(PersonaTestCase):
    def setUp(self) -> None:
        for user in (self.alice, self.supervisor, self.erin):
            user.set_password("right-horse-battery")
            user.save()

    def attempt(self, password: str, address: str = "10.0.0.1", username: str = "alice") -> int:
        client = Client(REMOTE_ADDR=address)
        data = {"username": username, "password": password}
        return client.post(reverse("accounts:login"), data).status_code

    def behind_proxy(self, password: str, client_ip: str, username: str) -> int:
        """A request as nginx passes it on: from the proxy, the client named in X-Real-IP."""
        client = Client(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=client_ip)
        data = {"username": username, "password": password}
        return client.post(reverse("accounts:login"), data).status_code

    def test_it_pauses_an_account_at_the_address_that_guessed_its_password(self) -> None:
        assert [self.attempt("wrong") for _ in range(3)] == [200, 200, 429]
        # The right password no longer helps from this address ...
        assert self.attempt("right-horse-battery") == 429
        # ... but the owner logs in from anywhere else.
        assert self.attempt("right-horse-battery", address="10.0.0.2") == 302

    def test_it_never_lets_a_name_that_does_not_exist_lock_out_anyone(self) -> None:
        codes = [self.attempt("wrong", username="nobody") for _ in range(10)]
        assert codes[-1] == 429  # only that name, at that address
        assert self.attempt("right-horse-battery") == 302  # from the same address
        assert self.attempt("right-horse-battery", address="10.0.0.9", username="sujian") == 302

    @override_settings(ONEVISIT_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
    def test_it_counts_the_client_behind_a_proxy_and_locks_out_nobody_else(self) -> None:
        """The attack of issue 37: ten wrong passwords through the proxy, for a user that does not
        exist and for the supervisor, from one client."""
        for _ in range(10):
            self.behind_proxy("wrong", "192.168.5.66", "nobody")
            self.behind_proxy("wrong", "192.168.5.66", "sujian")
        assert self.behind_proxy("right-horse-battery", "192.168.5.10", "sujian") == 302
        assert self.behind_proxy("right-horse-battery", "192.168.5.11", "erin") == 302
        assert self.behind_proxy("right-horse-battery", "192.168.5.66", "sujian") == 429

    @override_settings(ONEVISIT_CLIENT_IP_HEADER="HTTP_X_REAL_IP")
    def test_it_takes_the_client_address_from_the_configured_header(self) -> None:
        from django.test import RequestFactory

        factory = RequestFactory()
        named = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="192.168.5.66")
        assert client_address(named) == "192.168.5.66"
        garbage = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="<script>")
        assert client_address(garbage) == PROXY
        assert client_address(factory.get("/", REMOTE_ADDR=PROXY)) == PROXY

    @override_settings(ONEVISIT_LOGINS_PER_MINUTE=5)
    def test_it_slows_an_address_that_tries_many_accounts_without_locking_them(self) -> None:
        codes = [self.attempt("wrong", username=f"user{n}") for n in range(6)]
        assert codes[-1] == 429
        assert "没有锁定任何账号" in Client(REMOTE_ADDR="10.0.0.1").post(
            reverse("accounts:login"), {"username": "alice", "password": "x"}
        ).content.decode("utf-8")
        assert self.attempt("right-horse-battery", address="10.0.0.9") == 302

    def test_it_counts_a_name_of_thousands_of_characters_without_a_server_error(self) -> None:
        from axes.models import AccessAttempt

        for _ in range(3):
            assert self.attempt("wrong", username="9" * 5000) in {200, 429}
        assert AccessAttempt.objects.get().username == "9" * 150

    def test_it_lets_an_admin_lift_the_pause(self) -> None:
        from axes.utils import reset

        for _ in range(3):
            self.attempt("wrong")
        reset(username="alice")
        assert self.attempt("right-horse-battery") == 302

    def test_it_explains_the_pause_in_the_users_language(self) -> None:
        for _ in range(3):
            self.attempt("wrong")
        page = Client(REMOTE_ADDR="10.0.0.1").post(
            reverse("accounts:login"), {"username": "alice", "password": "wrong"}
        )
        assert page.status_code == 429
        assert "15" in page.content.decode()
