"""A real GeoReport v2 client (georeport, from PyPI) against a running server: what a city's
Open311 tooling sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from georeport import GeoReport

from onevisit.registry.models import Body, District
from onevisit.tips.models import Category

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def root() -> Iterator[str]:
    body = Body.objects.create(
        name="聊城市市场监督管理局",
        code="LC-SCJG",
        kind="administrative",
        level="city",
        district=District.objects.get(code="371500"),
        published=True,
    )
    Category.objects.create(
        code="equipment-safety",
        name="特种设备安全隐患",
        description="锅炉、压力容器、电梯等",
        body=body,
        ack_working_days=1,
        handle_working_days=15,
    )
    StaticLiveServerTestCase.setUpClass()
    yield f"{StaticLiveServerTestCase.live_server_url}/api/open311/v2"
    StaticLiveServerTestCase.tearDownClass()


def test_it_serves_a_georeport_client_in_json_and_xml(root: str) -> None:
    for output in ("json", "xml"):
        client = GeoReport(root, output_format=output)
        services = client.get_service_list()
        service = services[0] if isinstance(services, list) else services
        assert service["service_code"] == "equipment-safety", output
        assert service["service_name"] == "特种设备安全隐患"
        definition = client.get_service_definition("equipment-safety")
        assert definition["service_code"] == "equipment-safety"
        with pytest.raises(requests.HTTPError) as refused:
            client.get_service_requests()  # no public list, to protect reporters
        assert _status(refused.value) == 403


def test_it_takes_a_request_and_returns_it_to_the_reporter_only(root: str) -> None:
    created = requests.post(
        f"{root}/requests.json",
        data={
            "service_code": "equipment-safety",
            "description": "夜间锅炉超压运行，安全阀被堵死",
            "lat": "36.84",
            "long": "115.70",
        },
        timeout=10,
    )
    assert created.status_code == 201
    body = created.json()[0]
    client = GeoReport(root)
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request(body["service_request_id"])  # a client without the secret
    assert _status(refused.value) == 400
    mine = requests.get(
        f"{root}/requests/{body['service_request_id']}.json",
        headers={"X-Secret": body["secret"]},
        timeout=10,
    ).json()[0]
    assert mine["status"] == "open" and mine["expected_datetime"].endswith("+08:00")
    for field in ("service_notice", "address_id", "zipcode", "agency_responsible"):
        assert field in mine, field  # every field of the specification's request answer
    assert mine["service_notice"].startswith("聊城市市场监督管理局")
    discovery = requests.get(root.removesuffix("/v2") + "/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"] == f"{root}/"
    assert discovery["contact"] and discovery["key_service"] and discovery["changeset"]


def test_it_answers_a_client_with_the_specification_s_status_codes(root: str) -> None:
    client = GeoReport(root)
    with pytest.raises(requests.HTTPError) as unknown:
        client.get_service_definition("no-such-service")
    assert _status(unknown.value) == 404
    for output in ("json", "xml"):
        posted = requests.post(
            f"{root}/requests.{output}",
            data={"service_code": "no-such-service", "description": "x" * 20, "lat": "36.8"},
            timeout=10,
        )
        assert posted.status_code == 404, output  # "404 - service_code not found"
        assert "service_code not found" in posted.text
    lost = requests.get(f"{root}/no/such/path.json", timeout=10)
    assert lost.status_code == 404 and lost.json() == [
        {"code": 404, "description": "no such path in GeoReport v2"}
    ]
    lost_xml = requests.get(f"{root}/no/such/path.xml", timeout=10)
    assert lost_xml.status_code == 404 and "<errors><error><code>404</code>" in lost_xml.text


def _status(error: requests.HTTPError) -> int:
    assert error.response is not None
    return error.response.status_code
