"""Logging in and out, changing a password, managing API tokens."""

from __future__ import annotations

from django.urls import reverse

from onevisit.accounts.models import ApiToken
from onevisit.testing import PASSWORD, PersonaTestCase


class AccountTest(PersonaTestCase):
    def test_it_logs_in_and_shows_the_home_page_for_the_role(self) -> None:
        client = self.client_for(None)
        response = client.post(
            reverse("accounts:login"), {"username": "alice", "password": PASSWORD}
        )
        assert response.status_code == 302
        home = client.get(reverse("home")).content.decode()
        assert "聊城市市场监督管理局" in home
        client.post(reverse("accounts:logout"))
        assert "_auth_user_id" not in client.session

    def test_it_refuses_a_wrong_password(self) -> None:
        response = self.client_for(None).post(
            reverse("accounts:login"), {"username": "alice", "password": "nope"}
        )
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated

    def test_it_applies_the_password_validators(self) -> None:
        client = self.client_for(self.alice)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        )
        assert response.status_code == 200 and response.context["form"].errors
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "聊城运河2026-alice",
                "new_password2": "聊城运河2026-alice",
            },
        )
        assert response.status_code == 302

    def test_it_shows_a_new_token_once_and_revokes_it(self) -> None:
        client = self.client_for(self.alice)
        response = client.post(reverse("accounts:tokens"), {"name": "台账脚本"})
        secret = response.context["new_secret"]
        assert secret in response.content.decode()
        token = ApiToken.objects.get(user=self.alice)
        assert secret not in client.get(reverse("accounts:tokens")).content.decode()
        other = self.client_for(self.bob)
        assert other.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
        client.post(reverse("accounts:revoke_token", args=[token.pk]))
        assert not ApiToken.objects.filter(pk=token.pk).exists()


class LanguageTest(PersonaTestCase):
    def test_it_speaks_chinese_by_default_even_to_an_english_browser(self) -> None:
        response = self.client_for(None).get("/bodies/", headers={"Accept-Language": "en-US"})
        html = response.content.decode()
        assert "检查主体清单（公开）" in html and response["Content-Language"] == "zh-hans"

    def test_it_switches_to_english_from_the_language_menu(self) -> None:
        client = self.client_for(None)
        client.post("/i18n/setlang/", {"language": "en", "next": "/bodies/"})
        html = client.get("/bodies/").content.decode()
        assert "Inspecting bodies (public list)" in html
