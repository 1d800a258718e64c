"""Enterprise search: by code, by Chinese name fragment, by district and industry."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onevisit.registry.models import Enterprise, EnterpriseGram
from onevisit.registry.queries import EnterpriseFilters, next_code_prefix, search_enterprises
from onevisit.registry.search import bigrams
from onevisit.testing import PersonaTestCase, make_enterprise, other_city_district


def names(filters: EnterpriseFilters) -> list[str]:
    return [e.name for e in search_enterprises(Enterprise.objects.all(), filters).iterator()]


class SearchTest(PersonaTestCase):
    def test_it_finds_a_two_character_fragment_anywhere_in_the_name(self) -> None:
        assert names(EnterpriseFilters(q="轴承")) == ["聊城鑫源轴承有限公司"]

    def test_it_finds_a_single_character(self) -> None:
        assert names(EnterpriseFilters(q="缆")) == ["阳谷华通电缆有限公司"]

    def test_it_does_not_match_the_bigrams_out_of_order(self) -> None:
        make_enterprise("城聊贸易有限公司", serial=3)
        assert "城聊贸易有限公司" not in names(EnterpriseFilters(q="聊城"))
        assert names(EnterpriseFilters(q="城聊")) == ["城聊贸易有限公司"]

    def test_it_finds_former_names(self) -> None:
        make_enterprise("聊城新名字有限公司", serial=4, former_names="临清老字号轴承厂")
        assert names(EnterpriseFilters(q="老字号")) == ["聊城新名字有限公司"]

    def test_it_matches_a_credit_code_prefix(self) -> None:
        code = self.bearing.uscc
        assert names(EnterpriseFilters(q=code[:10])) == ["聊城鑫源轴承有限公司"]
        assert names(EnterpriseFilters(q=code.lower())) == ["聊城鑫源轴承有限公司"]

    def test_it_filters_by_district_and_by_industry_section_or_division(self) -> None:
        assert names(EnterpriseFilters(district="371521")) == ["阳谷华通电缆有限公司"]
        assert names(EnterpriseFilters(industry="34")) == ["聊城鑫源轴承有限公司"]
        assert len(names(EnterpriseFilters(industry="C"))) == 2
        assert names(EnterpriseFilters(q="有限", district="371581")) == ["聊城鑫源轴承有限公司"]

    def test_it_takes_a_city_for_every_division_under_it_and_no_other_city(self) -> None:
        other_city_district()
        make_enterprise("济南华通电缆有限公司", serial=5, district="370102", industry="38")
        whole_city = ["聊城鑫源轴承有限公司", "阳谷华通电缆有限公司"]
        assert names(EnterpriseFilters(district="371500")) == whole_city
        assert names(EnterpriseFilters(q="华通", district="371500")) == ["阳谷华通电缆有限公司"]
        assert names(EnterpriseFilters(q="电缆", district="370100")) == ["济南华通电缆有限公司"]
        assert names(EnterpriseFilters(industry="38", district="370100")) == [
            "济南华通电缆有限公司"
        ]
        assert len(names(EnterpriseFilters(q="华通"))) == 2  # the province, for who sees it
        page = self.client_for(self.supervisor).get(
            reverse("registry:enterprise_list"), {"district": "370100", "q": "华通"}
        )
        html = page.content.decode()
        assert '<optgroup label="济南市">' in html and "济南市（全市）" in html
        assert "济南华通电缆有限公司" in html and "阳谷华通电缆有限公司" not in html
        # 聊城's market regulator acts in 聊城 only: 济南 is not among its districts
        page = self.client_for(self.alice).get(reverse("registry:enterprise_list"), {"q": "华通"})
        html = page.content.decode()
        assert "济南市" not in html and "阳谷华通电缆有限公司" in html

    def test_it_keeps_the_index_current_when_a_name_changes(self) -> None:
        from onevisit.audit.actions import Actor
        from onevisit.registry.actions import do_update_enterprise

        do_update_enterprise(
            actor=Actor.system("test"),
            enterprise=self.cable,
            fields={"name": "阳谷新光电线有限公司"},
        )
        assert names(EnterpriseFilters(q="电缆")) == []
        assert names(EnterpriseFilters(q="新光")) == ["阳谷新光电线有限公司"]
        stored = set(
            EnterpriseGram.objects.filter(enterprise=self.cable).values_list("gram", flat=True)
        )
        assert stored == bigrams("阳谷新光电线有限公司")

    def test_it_computes_the_end_of_a_code_prefix_range(self) -> None:
        assert next_code_prefix("9137") == "9138"
        assert next_code_prefix("91379") == "9137A"
        assert next_code_prefix("913Z") == "914"
        assert next_code_prefix("ZZ") == ""

    def test_it_serves_the_list_page_in_a_fixed_number_of_queries(self) -> None:
        for serial in range(10, 40):
            make_enterprise(f"聊城测试{serial}轴承有限公司", serial=serial)
        client = self.client_for(self.alice)
        url = reverse("registry:enterprise_list")
        client.get(url, {"q": "轴承"})  # warm the session and the form's choice lists
        # session, user, the body's district and the two levels of the area it acts in, the
        # district choices, the capped count within that area, the ids, page rows and the industry
        # choices: the same for 31 rows as for 600,000, on SQLite and PostgreSQL alike (within
        # an area the count takes the area's index, not the ordered walk)
        with self.assertNumQueries(10):
            response = client.get(url, {"q": "轴承"})
        assert response.status_code == 200
        assert "聊城测试10轴承有限公司" in response.content.decode()

    def test_it_returns_only_the_results_fragment_to_htmx(self) -> None:
        client = self.client_for(self.alice)
        response = client.get(
            reverse("registry:enterprise_list"), {"q": "轴承"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert 'id="results"' in html
        assert "<html" not in html
        assert "聊城鑫源轴承有限公司" in html


class SearchPlanTest(PersonaTestCase):
    def test_it_walks_the_bigram_index_for_a_fragment_over_the_whole_register(self) -> None:
        search = search_enterprises(Enterprise.objects.all(), EnterpriseFilters(q="轴承"))
        assert search.describe() == {"uses_bigram_index": True}
        assert search.count() == (1, True)

    def test_it_checks_the_name_when_bigrams_occur_apart(self) -> None:
        make_enterprise("源轴鑫源有限公司", serial=5)  # holds 鑫源 and 源轴, not 鑫源轴
        assert names(EnterpriseFilters(q="鑫源轴")) == ["聊城鑫源轴承有限公司"]

    def test_it_never_counts_through_the_index_what_an_enterprise_user_may_not_see(self) -> None:
        from onevisit.registry.access import enterprises_for_user

        search = search_enterprises(enterprises_for_user(self.erin), EnterpriseFilters(q="电缆"))
        assert search.describe() == {"uses_bigram_index": False}
        assert search.count() == (0, True) and search.page(1, 25) == []

    def test_it_drives_from_the_filters_when_they_are_narrower_than_the_fragment(self) -> None:
        for serial in range(50, 60):
            make_enterprise(f"临清有限{serial}号公司", serial=serial, district="371581")
        search = search_enterprises(
            Enterprise.objects.all(), EnterpriseFilters(q="有限", industry="38")
        )
        assert search.describe() == {"uses_bigram_index": False}
        assert [e.name for e in search.iterator()] == ["阳谷华通电缆有限公司"]

    def test_it_exports_every_match_in_chunks(self) -> None:
        from unittest import mock

        for serial in range(60, 75):
            make_enterprise(f"聊城第{serial}轴承有限公司", serial=serial)
        with mock.patch("onevisit.registry.queries.CHUNK", 4):
            found = names(EnterpriseFilters(q="轴承"))
        assert len(found) == 16 and found[0] == "聊城鑫源轴承有限公司"

    def test_it_pages_in_id_order(self) -> None:
        for serial in range(80, 90):
            make_enterprise(f"聊城{serial}轴承有限公司", serial=serial)
        search = search_enterprises(Enterprise.objects.all(), EnterpriseFilters(q="轴承"))
        first, second = search.page(1, 6), search.page(2, 6)
        ids = [e.pk for e in first + second]
        assert ids == sorted(ids) and len(ids) == 11

    def test_it_pages_from_the_counted_matches_without_walking_the_index_again(self) -> None:
        for serial in range(80, 90):
            make_enterprise(f"聊城{serial}轴承有限公司", serial=serial)
        search = search_enterprises(Enterprise.objects.all(), EnterpriseFilters(q="轴承"))
        assert search.count() == (11, True)
        with CaptureQueriesContext(connection) as queries:
            ids = [e.pk for e in search.page(1, 6) + search.page(2, 6)]
        assert ids == sorted(Enterprise.objects.matching_name("轴承").values_list("pk", flat=True))
        assert not [q for q in queries if EnterpriseGram._meta.db_table in q["sql"]]

    def test_it_pages_a_filtered_list_from_the_counted_ids(self) -> None:
        made = [make_enterprise(f"临清{n}号轴承有限公司", serial=n) for n in range(80, 84)]
        filters = EnterpriseFilters(district="371581", industry="34")
        search = search_enterprises(Enterprise.objects.with_refs(), filters)
        assert search.describe() == {"uses_bigram_index": False}
        assert search.count()[1] is True
        with CaptureQueriesContext(connection) as queries:
            page = search.page(1, 3) + search.page(2, 3)
        assert len(queries) == 2 and all('"id" IN (' in q["sql"] for q in queries)
        expected = Enterprise.objects.filter(district="371581", industry="34").order_by("id")
        assert [e.pk for e in page] == list(expected.values_list("pk", flat=True))[:6]
        assert {m.pk for m in made} <= {e.pk for e in page}

    def test_it_walks_the_index_for_a_page_when_the_count_stopped_at_its_cap(self) -> None:
        for serial in range(80, 90):
            make_enterprise(f"聊城{serial}轴承有限公司", serial=serial)
        with mock.patch("onevisit.registry.queries.COUNT_LIMIT", 5):
            search = search_enterprises(Enterprise.objects.all(), EnterpriseFilters(q="轴承"))
            assert search.count() == (5, False)
            second = [e.pk for e in search.page(2, 4)]
        everyone = sorted(Enterprise.objects.matching_name("轴承").values_list("pk", flat=True))
        assert second == everyone[4:8]

    def test_it_pages_a_code_prefix_in_code_order(self) -> None:
        made = [
            make_enterprise(f"聊城{serial}号轴承有限公司", serial=serial) for serial in (97, 91, 94)
        ]
        prefix = self.bearing.uscc[:8]
        search = search_enterprises(Enterprise.objects.with_refs(), EnterpriseFilters(q=prefix))
        codes = [e.uscc for e in search.page(1, 3) + search.page(2, 3)]
        everyone = sorted([self.bearing.uscc] + [e.uscc for e in made])
        assert codes == everyone and search.page(1, 3)[0].district.name  # rows come with refs

    def test_it_leaves_the_planner_settings_as_it_found_them(self) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL planner settings")
        from onevisit.registry import queries

        seen: list[tuple[str, ...]] = []
        search = search_enterprises(Enterprise.objects.all(), EnterpriseFilters(q="鑫源轴"))
        assert search.gram_ids is not None  # the walk this block orders
        with connection.cursor() as cursor:

            def show() -> tuple[str, ...]:
                cursor.execute(
                    "SELECT current_setting('enable_sort'), current_setting('enable_hashjoin'), "
                    "current_setting('max_parallel_workers_per_gather')"
                )
                return tuple(cursor.fetchone())

            seen.append(show())
            with queries.ordered_walk():
                seen.append(show())
            assert search.count() == (1, True)
            seen.append(show())
        before, within, after = seen
        assert within == ("off", "off", "0") and after == before


class PlannerStatisticsTest(PersonaTestCase):
    def test_it_refreshes_statistics_after_a_bulk_import(self) -> None:
        from unittest import mock

        from onevisit.audit.actions import Actor
        from onevisit.registry.actions import refresh_planner_statistics
        from onevisit.registry.imports import import_enterprises

        refresh_planner_statistics()  # runs on this database without error
        rows = "uscc,name,district,industry\n" + "".join(
            f"{uscc_code(i)},聊城批量{i}有限公司,371581,34\n" for i in range(3)
        )
        with (
            mock.patch("onevisit.registry.imports.BULK_ANALYZE_ROWS", 3),
            mock.patch("onevisit.registry.imports.refresh_planner_statistics") as refresh,
        ):
            import_enterprises(rows.encode(), "bulk.csv", actor=Actor.system("test"))
        refresh.assert_called_once()


def uscc_code(i: int) -> str:
    from onevisit.testing import uscc

    return uscc(500 + i)


class GramDistrictTest(PersonaTestCase):
    def test_it_moves_the_index_rows_when_an_enterprise_changes_district(self) -> None:
        from onevisit.audit.actions import Actor
        from onevisit.registry.actions import do_update_enterprise
        from onevisit.registry.models import District

        assert set(
            EnterpriseGram.objects.filter(enterprise=self.cable).values_list(
                "district_id", flat=True
            )
        ) == {"371521"}
        do_update_enterprise(
            actor=Actor.system("test"),
            enterprise=self.cable,
            fields={"district": District.objects.get(code="371526")},
        )
        assert names(EnterpriseFilters(q="电缆", district="371526")) == ["阳谷华通电缆有限公司"]
        assert names(EnterpriseFilters(q="电缆", district="371521")) == []

    def test_it_rewrites_the_index_rows_in_bulk_only_for_what_they_hold(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from onevisit.audit.actions import Actor
        from onevisit.registry.actions import do_bulk_upsert_enterprises

        gram_table = EnterpriseGram._meta.db_table
        self.bearing.credit_class = "C"
        with CaptureQueriesContext(connection) as queries:
            do_bulk_upsert_enterprises(
                actor=Actor.system("test"), new=[], changed=[(self.bearing, {"credit_class": "C"})]
            )
        assert not [q for q in queries if gram_table in q["sql"]]  # a credit class leaves them
        self.cable.name = "阳谷华通线缆有限公司"
        do_bulk_upsert_enterprises(
            actor=Actor.system("test"), new=[], changed=[(self.cable, {"name": self.cable.name})]
        )
        assert names(EnterpriseFilters(q="线缆")) == ["阳谷华通线缆有限公司"]
        assert names(EnterpriseFilters(q="电缆")) == []
