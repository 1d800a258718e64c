"""A province's divisions come from python-stdnum's GB/T 2260 table, current ones only."""

from __future__ import annotations

import pytest

from onevisit.registry.divisions import province_divisions


def test_it_lists_shandongs_sixteen_cities_and_their_current_counties() -> None:
    divisions = province_divisions("37")
    cities = {d.code: d.name for d in divisions if d.kind == "city"}
    assert (
        len(cities) == 16 and cities["371500"] == "聊城市" and "371200" not in cities
    )  # 莱芜, 2019
    liaocheng = {d.name: d.kind for d in divisions if d.parent == "371500"}
    assert liaocheng == {
        "东昌府区": "district",
        "茌平区": "district",  # a county until 2019
        "阳谷县": "county",
        "莘县": "county",
        "东阿县": "county",
        "冠县": "county",
        "高唐县": "county",
        "临清市": "county_city",
    }
    assert all(d.parent in cities for d in divisions if d.kind != "city")
    assert "市辖区" not in {d.name for d in divisions}
    assert "四方区" not in {d.name for d in divisions}  # merged into 市北区 in 2012


def test_it_refuses_a_province_code_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="99"):
        province_divisions("99")
