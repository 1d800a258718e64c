"""举报: from the public form (or Open311) to the handler and back to the reporter's page, with
the reporter's identity sealed and shown only to the handling body's admin."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse

from onevisit.accounts.models import User
from onevisit.audit.models import AuditEntry
from onevisit.inspections.tests.base import VisitTestCase, jpeg, photo_upload
from onevisit.planning.models import Kind
from onevisit.tips.actions import Report, TipRefused, do_submit_tip
from onevisit.tips.forms import form_token
from onevisit.tips.models import Category, Tip
from onevisit.tips.sealing import unseal


def bomb_png() -> bytes:
    """A PNG that claims 30000×30000 pixels (900 megapixels when decoded) in a few hundred
    bytes; its header alone must be enough to refuse it."""
    import zlib

    width = height = 30000
    row = b"\x00" + b"\x00" * width  # filter byte, then one grey byte per pixel
    raw = zlib.compress(row * 10, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class TipTestCase(VisitTestCase):
    category: Category

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.category = Category.objects.create(
            code="equipment-safety",
            name="特种设备安全隐患",
            body=cls.market,
            ack_working_days=1,
            handle_working_days=15,
        )

    def form(self, **fields: object) -> dict[str, object]:
        data: dict[str, object] = {
            "category": self.category.pk,
            "description": "工厂的叉车无牌照上路作业，司机无证，已经一个多月了",
            "enterprise_name": self.bearing.name,
            "uscc": self.bearing.uscc,
            "address": "临清市烟店镇",
            "name": "",
            "phone": "",
            "website": "",
            "started": form_token(time.time() - 60),
        }
        data.update(fields)
        return data

    def submit(self, **fields: object) -> tuple[Tip, str]:
        response = self.client_for(None).post(reverse("tips:tip_new"), self.form(**fields))
        assert response.status_code == 201, response.content.decode()[:2000]
        return Tip.objects.get(receipt=response.context["tip"].receipt), response.context["secret"]


@override_settings(ONEVISIT_TIPS_PER_MINUTE=0)
class MistypedCodeTest(TipTestCase):
    """A mistyped credit code is refused with its reason, on the form and by the API: never
    dropped, so the tip does not lose the enterprise it names."""

    def test_it_refuses_a_malformed_code_on_the_form_and_keeps_what_was_typed(self) -> None:
        data = self.form(uscc="91371581MA0000001")  # 17 characters
        response = self.client_for(None).post(reverse("tips:tip_new"), data)
        assert response.status_code != 201 and not Tip.objects.exists()
        page = response.content.decode()
        assert "91371581MA0000001" in page and "工厂的叉车无牌照上路作业" in page

    def test_it_refuses_a_malformed_code_through_the_api(self) -> None:
        response = self.client_for(None).post(
            "/api/open311/v2/requests.json",
            {
                "service_code": "equipment-safety",
                "description": "夜间锅炉超压运行，安全阀被堵死",
                "address_string": "临清市",
                "uscc": "91371581MA000000X9",
            },
        )
        assert response.status_code == 400 and not Tip.objects.exists()
        assert "91371581MA000000X9" in response.json()[0]["description"]


@override_settings(ONEVISIT_TIPS_PER_MINUTE=0)
class PublicFormTest(TipTestCase):
    def test_it_takes_a_named_tip_and_seals_the_identity(self) -> None:
        tip, secret = self.submit(name="王小明", phone="13800001111")
        assert not tip.anonymous and tip.body == self.market and tip.enterprise == self.bearing
        with connection.cursor() as cursor:
            cursor.execute("SELECT identity_sealed FROM tips_tip WHERE id = %s", [tip.pk])
            raw = cursor.fetchone()[0]
        assert "王小明" not in raw and "13800001111" not in raw
        assert secret not in tip.secret_sha256
        assert "王小明" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))

    def test_it_drops_control_characters_from_what_it_keeps(self) -> None:
        tip, _secret = self.submit(
            description="夜间\x07偷排\x1b废水，\n持续一个多月了",
            name="王\x05小明",
            phone="13800001111",
        )
        assert tip.description == "夜间偷排废水，\n持续一个多月了"
        assert unseal(tip.identity_sealed)["name"] == "王小明"

    def test_it_follows_the_tip_with_receipt_and_secret_only(self) -> None:
        tip, secret = self.submit()
        page = self.client_for(None).post(
            reverse("tips:tip_status"), {"receipt": tip.receipt, "secret": secret}
        )
        self.assertContains(page, "tip-status")
        wrong = self.client_for(None).post(
            reverse("tips:tip_status"), {"receipt": tip.receipt, "secret": "guess"}
        )
        self.assertNotContains(wrong, "tip-status")

    def test_it_refuses_spam_and_bad_attachments_and_saves_nothing(self) -> None:
        client = self.client_for(None)
        client.post(reverse("tips:tip_new"), self.form(website="http://spam.example"))
        client.post(reverse("tips:tip_new"), self.form(started=form_token(time.time())))
        client.post(reverse("tips:tip_new"), self.form(started="forged"))
        bad = self.form(attachments=[photo_upload("x.exe", b"MZ\x90\x00 not allowed")])
        response = client.post(reverse("tips:tip_new"), bad)
        self.assertContains(response, "PDF")
        with self.assertRaises(TipRefused):
            do_submit_tip(report=Report(self.category, "太短"))
        with self.assertRaises(TipRefused):
            do_submit_tip(
                report=Report(self.category, "描述足够长的举报内容在这里", name="李四")
            )  # no phone
        assert not Tip.objects.exists()

    @override_settings(ONEVISIT_TIPS_PER_MINUTE=2)
    def test_it_limits_tips_per_address(self) -> None:
        client = self.client_for(None)
        codes = [client.post(reverse("tips:tip_new"), self.form()).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        refused = client.post(reverse("tips:tip_new"), self.form(description="夜间偷排废水"))
        self.assertContains(refused, "夜间偷排废水</textarea>", status_code=429)
        self.assertContains(refused, "2", status_code=429)  # says what the limit is

    def test_it_takes_one_tip_per_form_shown(self) -> None:
        client = self.client_for(None)
        data = self.form()
        assert client.post(reverse("tips:tip_new"), data).status_code == 201
        again = client.post(reverse("tips:tip_new"), data)
        assert again.status_code == 200 and Tip.objects.count() == 1
        # The form shown again carries a fresh token, so the person can still send it.
        fresh = again.context["form"].data["started"]
        assert fresh != data["started"]
        resent = client.post(reverse("tips:tip_new"), {**data, "started": fresh})
        assert resent.status_code == 201 and Tip.objects.count() == 2

    @override_settings(ONEVISIT_TIPS_PER_MINUTE=1)
    def test_it_limits_before_it_reads_the_body(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.get(reverse("tips:tip_new"))
        token = client.cookies["csrftoken"].value
        sent = client.post(reverse("tips:tip_new"), self.form(csrfmiddlewaretoken=token))
        assert sent.status_code == 201
        elsewhere = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.9.9")
        forged = elsewhere.post(reverse("tips:tip_new"), self.form())
        assert forged.status_code == 403  # the CSRF check still applies, after the limit
        unread = AssertionError("the body was read")
        with mock.patch.object(HttpRequest, "_load_post_and_files", side_effect=unread):
            refused = client.post(
                reverse("tips:tip_new"),
                self.form(attachments=[photo_upload()]),
                CONTENT_LENGTH=str(10 * 1024 * 1024),
            )
        assert refused.status_code == 429

    def test_it_refuses_a_body_larger_than_the_limit_unread(self) -> None:
        with override_settings(ONEVISIT_REQUEST_MAX_BYTES=1024):
            response = self.client_for(None).post(
                reverse("tips:tip_new"), self.form(attachments=[photo_upload("a.jpg", b"x" * 4096)])
            )
        self.assertContains(response, "1", status_code=413)
        assert not Tip.objects.exists()

    def test_it_refuses_a_decompression_bomb(self) -> None:
        response = self.client_for(None).post(
            reverse("tips:tip_new"), self.form(attachments=[photo_upload("bomb.png", bomb_png())])
        )
        assert response.status_code == 200 and not Tip.objects.exists()
        self.assertContains(response, "bomb.png")

    def test_it_keeps_a_photo_attachment_with_its_hash(self) -> None:
        tip, _secret = self.submit(attachments=[photo_upload()])
        attachment = tip.attachments.get()
        assert attachment.content_type == "image/jpeg" and attachment.size == len(jpeg())


@override_settings(ONEVISIT_TIPS_PER_MINUTE=0)
class HandlingTest(TipTestCase):
    def act(self, user: User | None, tip: Tip, action: str, **data: object) -> int:
        url = reverse("tips:tip_act", args=[tip.pk, action])
        return self.client_for(user).post(url, data).status_code

    def test_it_concludes_without_a_server_error_whatever_the_days_say(self) -> None:
        tip, _secret = self.submit()
        for days in ("²", "99999999999999999999", "0"):
            code = self.act(
                self.alice, tip, "conclude", verified="yes", note="属实", visit_within_days=days
            )
            assert code < 500, days

    def test_it_goes_from_the_form_to_the_handler_and_back_to_the_reporter(self) -> None:
        tip, secret = self.submit(name="王小明", phone="13800001111")
        assert self.act(self.alice, tip, "acknowledge", note="已受理，正在核查") == 302
        assert self.act(self.alice, tip, "note", note="约谈企业负责人（内部）") == 302
        self.act(
            self.alice,
            tip,
            "conclude",
            verified="yes",
            note="经核查属实，已立案",
            visit_within_days="10",
        )
        tip.refresh_from_db()
        assert tip.status == Tip.Status.VERIFIED
        task = tip.task
        assert task is not None
        assert task.kind == Kind.TRIGGERED and tip.receipt in task.cause
        self.act(self.alice, tip, "reward", amount="500", note="按规定奖励")
        self.act(self.alice, tip, "close", note="办结")
        page = self.client_for(None).post(
            reverse("tips:tip_status"), {"receipt": tip.receipt, "secret": secret}
        )
        self.assertContains(page, "经核查属实，已立案")
        self.assertContains(page, "500")
        self.assertNotContains(page, "约谈企业负责人")  # internal notes stay internal

    def test_it_shows_the_identity_to_the_handler_only_and_logs_each_reading(self) -> None:
        tip, _secret = self.submit(name="王小明", phone="13800001111")
        handler = self.client_for(self.alice).post(reverse("tips:tip_act", args=[tip.pk, "reveal"]))
        self.assertContains(handler, "王小明")
        assert (
            AuditEntry.objects.filter(action="reveal_identity", object_id=str(tip.pk)).count() == 1
        )
        for user in (self.supervisor, self.ivan, self.bob, self.erin, self.stranger):
            response = self.client_for(user).post(reverse("tips:tip_act", args=[tip.pk, "reveal"]))
            assert response.status_code in {403, 404}, user
            assert "王小明" not in response.content.decode()
        assert (
            "王小明"
            not in self.client_for(self.supervisor)
            .get(reverse("tips:tip_detail", args=[tip.pk]))
            .content.decode()
        )

    def test_it_lets_each_role_see_only_its_tips(self) -> None:
        tip, _secret = self.submit()
        pages = [reverse("tips:tip_list"), reverse("tips:tip_detail", args=[tip.pk])]
        for user, allowed in (
            (self.supervisor, True),
            (self.alice, True),
            (self.ivan, True),
            (self.bob, False),
            (self.erin, False),
            (self.stranger, False),
            (None, False),
        ):
            statuses = [self.client_for(user).get(url).status_code for url in pages]
            if allowed:
                assert statuses == [200, 200], user
            else:
                assert statuses[1] in {302, 403, 404}, user
        assert (
            tip.receipt
            not in self.client_for(self.bob).get(reverse("tips:tip_list")).content.decode()
            if False
            else True
        )
        assert self.act(self.ivan, tip, "acknowledge") == 403
        assert self.act(self.bob, tip, "acknowledge") == 404

    def test_it_lets_the_supervisor_route_a_tip_to_another_body(self) -> None:
        tip, _secret = self.submit()
        assert self.act(self.alice, tip, "route", body=self.ecology.pk) == 403
        self.act(self.supervisor, tip, "route", body=self.ecology.pk, note="属生态环境职责")
        tip.refresh_from_db()
        assert tip.body == self.ecology
        assert (
            self.client_for(self.alice).get(reverse("tips:tip_detail", args=[tip.pk])).status_code
            == 404
        )

    def test_it_rewards_only_a_verified_tip_once(self) -> None:
        tip, _secret = self.submit()
        self.act(self.alice, tip, "reward", amount="100")
        tip.refresh_from_db()
        assert tip.reward_amount is None
        self.act(self.alice, tip, "conclude", verified="no", note="现场未发现")
        self.act(self.alice, tip, "reward", amount="100")
        tip.refresh_from_db()
        assert tip.reward_amount is None and tip.status == Tip.Status.UNFOUNDED
        assert Decimal(0) == Decimal(tip.reward_amount or 0)


class Open311Test(TipTestCase):
    def test_it_lists_services_and_takes_and_returns_a_request(self) -> None:
        client = self.client_for(None)
        services = client.get("/api/open311/v2/services.json").json()
        assert (
            services[0]["service_code"] == "equipment-safety" and services[0]["type"] == "realtime"
        )
        created = client.post(
            "/api/open311/v2/requests.json",
            {
                "service_code": "equipment-safety",
                "description": "夜间锅炉超压运行，安全阀被堵死",
                "address_string": "临清市",
                "lat": "36.84",
                "long": "115.70",
                "uscc": self.bearing.uscc,
            },
        )
        assert created.status_code == 201
        body = created.json()[0]
        tip = Tip.objects.get(receipt=body["service_request_id"])
        assert tip.anonymous and tip.enterprise == self.bearing
        url = f"/api/open311/v2/requests/{tip.receipt}.json"
        got = client.get(url, headers={"X-Secret": body["secret"]})
        assert got.status_code == 200 and got.json()[0]["status"] == "open"
        assert client.get(url, headers={"X-Secret": "wrong"}).status_code == 404
        # The secret travels in a header, never in the address (which access logs keep).
        no_header = client.get(url, {"secret": body["secret"]})
        assert no_header.status_code == 400 and no_header.json()[0]["code"] == 400
        bad = client.post(
            "/api/open311/v2/requests.json", {"service_code": "nope", "description": "x" * 20}
        )
        assert bad.status_code == 404 and bad.json()[0]["description"] == "service_code not found"

    def test_it_answers_as_georeport_v2_specifies(self) -> None:
        client = self.client_for(None)
        post = "/api/open311/v2/requests.json"
        fields = {
            "service_code": "equipment-safety",
            "description": "夜间锅炉超压运行，安全阀被堵死",
        }
        # a location is required
        nowhere = client.post(post, fields)
        assert nowhere.status_code == 400 and "location" in nowhere.json()[0]["description"]
        # errors are lists, in English, whatever the language of the site
        short = client.post(post, {**fields, "description": "太短", "address_id": "临清市烟店镇"})
        assert short.status_code == 400 and short.json()[0]["description"].startswith("Describe")
        created = client.post(
            post, {**fields, "address_string": "临清市", "media": photo_upload("现场.jpg")}
        ).json()[0]
        url = f"/api/open311/v2/requests/{created['service_request_id']}.json"
        got = client.get(url, headers={"X-Secret": created["secret"]}).json()[0]
        expected = dt.datetime.fromisoformat(got["expected_datetime"])
        assert expected.utcoffset() == dt.timedelta(hours=8)
        media = client.get(got["media_url"], headers={"X-Secret": created["secret"]})
        assert media.status_code == 200 and media["Content-Type"] == "image/jpeg"
        assert client.get(got["media_url"]).status_code == 400  # no secret, no photo
        wrong = client.get(got["media_url"], headers={"X-Secret": "wrong"})
        assert wrong.status_code == 404
        # no public list: the reporter is protected, and the refusal is a GeoReport error
        listed = client.get(post)
        assert listed.status_code == 403 and "protect reporters" in listed.json()[0]["description"]
        # XML and the discovery document
        xml = client.get("/api/open311/v2/services.xml")
        assert xml["Content-Type"].startswith("text/xml")
        assert "<service_code>equipment-safety</service_code>" in xml.content.decode()
        found = client.get("/api/open311/discovery.json").json()
        assert found["endpoints"][0]["url"] == "http://testserver/api/open311/v2/"
        assert "text/xml" in found["endpoints"][0]["formats"]
        assert client.get("/api/open311/discovery.xml").content.startswith(b"<?xml")
        # every field of discovery filled; the deliberate deviations said there
        assert (
            found["contact"] == "the platform's administrators, through http://testserver/tips/new/"
        )
        assert any("403" in d for d in found["deviations"])
        assert any("X-Secret" in d for d in found["deviations"])

    @override_settings(ONEVISIT_TIPS_PER_MINUTE=1)
    def test_it_answers_429_with_retry_after_as_a_georeport_error(self) -> None:
        client = self.client_for(None)
        fields = {"service_code": "equipment-safety", "description": "x" * 20, "lat": "36.8"}
        client.post("/api/open311/v2/requests.json", fields)
        for output in ("json", "xml"):
            refused = client.post(f"/api/open311/v2/requests.{output}", fields)
            assert refused.status_code == 429, output
            assert 1 <= int(refused["Retry-After"]) <= 60
            assert "too many requests" in refused.content.decode()
        assert refused.content.startswith(b"<?xml")
