"""One year of the 亩产效益 evaluation, from opening to final classes, by the people who do it:
the lead department (alice), a source department (bob), the enterprises (erin, frank)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from onevisit.accounts.models import Role
from onevisit.audit.actions import Actor
from onevisit.evaluation.actions import do_finalise, recompute
from onevisit.evaluation.models import Entry, Objection, Year
from onevisit.registry.models import Body, District, Enterprise
from onevisit.testing import (
    PersonaTestCase,
    make_enterprise,
    make_user,
    other_city_district,
    uscc,
)
from onevisit.versions.actions import versions_of

BEARING, CABLE, JINAN_MACHINES = uscc(1), uscc(2, "371521"), uscc(5, "370102")
FIGURES = ["tax", "sales", "energy_tce", "emissions_t", "rnd", "employees", "land_mu"]


def csv_file(rows: list[list[str]], name: str = "figures.csv") -> io.BytesIO:
    data = io.BytesIO("\n".join(",".join(r) for r in rows).encode("utf-8"))
    data.name = name
    return data


class OpenedYear(PersonaTestCase):
    """聊城's 2025 opened by alice's department, with figures to upload."""

    def setUp(self) -> None:
        self.power = make_enterprise("聊城热电有限公司", serial=3, industry="44")  # excluded (D)
        make_enterprise("临清小五金加工部", serial=4, industry="33")  # not 规上
        other_city_district()
        make_enterprise("济南重型机械有限公司", serial=5, district="370102", industry="35")
        Enterprise.objects.exclude(name="临清小五金加工部").update(above_scale=True)
        sources = {f"source_{f}": str(self.market.pk) for f in FIGURES}
        sources["source_emissions_t"] = str(self.ecology.pk)
        data = {"year": "2025", "industries": "B,C", "excluded": "D", "above_scale_only": "on"}
        response = self.client_for(self.alice).post(reverse("evaluation:year_list"), data | sources)
        assert response.status_code == 302, response.content.decode()[:2000]
        self.year = Year.objects.get(year=2025)
        self.detail = reverse("evaluation:year_detail", args=[self.year.pk])

    def upload(self, user: object, rows: list[list[str]]) -> str:
        url = reverse("evaluation:import", args=[self.year.pk])
        response = self.client_for(user).post(url, {"file": csv_file(rows)})  # type: ignore[arg-type]
        return response.content.decode()

    def market_figures(self) -> str:
        return self.upload(
            self.alice,
            [
                [
                    "统一社会信用代码",
                    "实缴税金（万元）",
                    "销售收入（万元）",
                    "综合能耗（吨标准煤）",
                    "研发经费（万元）",
                    "年平均职工人数",
                    "用地面积（亩）",
                ],
                [BEARING, "300", "12000", "4000", "360", "150", "50"],
                [CABLE, "80", "9000", "9000", "90", "200", "120"],
            ],
        )


class EvaluationYearTest(OpenedYear):
    def test_it_takes_the_citys_scope_by_industry_without_the_excluded_section(self) -> None:
        names = set(self.year.entries.values_list("enterprise__name", flat=True))
        assert names == {"聊城鑫源轴承有限公司", "阳谷华通电缆有限公司"}

    def test_it_lets_a_department_import_only_its_own_figures(self) -> None:
        page = self.upload(
            bob := self.bob, [["统一社会信用代码", "实缴税金（万元）"], [BEARING, "300"]]
        )
        assert "该指标由其他部门填报" in page
        assert Entry.objects.get(year=self.year, enterprise=self.bearing).tax is None
        self.upload(
            bob, [["统一社会信用代码", "主要污染物排放量（吨）"], [BEARING, "6"], [CABLE, "30"]]
        )
        assert Entry.objects.get(year=self.year, enterprise=self.bearing).emissions_t == Decimal(6)
        assert (
            self.client_for(self.ivan)
            .post(reverse("evaluation:import", args=[self.year.pk]))
            .status_code
            == 403
        )

    def step(self, name: str, data: dict[str, str] | None = None) -> str:
        url = reverse("evaluation:step", args=[self.year.pk, name])
        response = self.client_for(self.alice).post(url, data or {}, follow=True)
        return response.content.decode()

    def emissions(self, *rows: list[str]) -> None:
        self.upload(self.bob, [["统一社会信用代码", "主要污染物排放量（吨）"], *rows])

    def test_it_walks_a_year_from_figures_to_final_classes(self) -> None:
        self.market_figures()
        self.emissions([BEARING, "6"])
        public = reverse("evaluation:public", args=[self.year.pk])
        assert self.client_for(None).get(public).status_code == 403  # nothing published yet
        assert (
            self.client_for(self.bob)
            .post(reverse("evaluation:step", args=[self.year.pk, "score"]))
            .status_code
            == 403
        )
        scored = self.step("score")
        assert "主要污染物排放量" in scored and "聊城市生态环境局" in scored  # what is missing
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        assert any(p["imputed"] for p in cable.parts)  # no emission figure: the scope's mean
        refused = self.step("publish")  # half the scope lacks the ecology bureau's figure
        assert "聊城市生态环境局" in refused and "主要污染物排放量" in refused
        self.year.refresh_from_db()
        assert self.year.status == "collecting"
        self.emissions([CABLE, "30"])
        assert "再次测算" in self.step("publish")  # figures changed since the scoring
        self.step("score")
        self.step("publish")
        bearing = Entry.objects.get(year=self.year, enterprise=self.bearing)
        cable.refresh_from_db()
        assert bearing.score is not None and bearing.score > cable.score  # type: ignore[operator]
        self.year.refresh_from_db()
        assert self.year.status == "published" and self.year.objections_until is not None
        page = self.client_for(None).get(public).content.decode()
        assert "聊城鑫源轴承有限公司" in page and "阳谷华通电缆有限公司" in page

        mine = reverse("evaluation:mine", args=[self.year.pk])
        self.client_for(self.frank).post(mine, {"reason": "用地面积含代征道路，实际为 100 亩"})
        self.client_for(self.erin).post(mine, {"confirm": "1"})
        bearing.refresh_from_db()
        assert bearing.confirmation == "confirmed"
        objection = Objection.objects.get()
        assert objection.entry == cable
        page = self.client_for(self.frank).get(mine).content.decode()
        assert "阳谷华通电缆有限公司" in page and "聊城鑫源轴承有限公司" not in page
        entry = reverse("evaluation:entry", args=[self.year.pk, bearing.pk])
        assert self.client_for(self.frank).get(entry).status_code == 403

        self.step("finalise")  # the window is still open
        self.year.refresh_from_db()
        assert self.year.status == "published"
        decide = reverse("evaluation:decide", args=[objection.pk])
        upheld = {"upheld": "1", "reason": "经自然资源局核实，改为 100 亩", "fix_land_mu": "100"}
        assert self.client_for(self.bob).post(decide, upheld).status_code == 403
        self.client_for(self.alice).post(decide, upheld)
        cable.refresh_from_db()
        assert cable.land_mu == Decimal(100)  # corrected, and scored again at once
        assert Decimal(next(p for p in cable.parts if p["code"] == "tax_per_mu")["value"]) == (
            Decimal("0.8")
        )
        assert self.year.objections_until is not None
        later = self.year.objections_until + dt.timedelta(days=1)
        do_finalise(actor=Actor.system("test"), by=None, year=self.year, today=later)
        self.year.refresh_from_db()
        assert self.year.status == "final"
        stored = {e.enterprise_id: (e.total, e.klass) for e in self.year.entries.all()}
        assert recompute(self.year) == stored  # the closed year reproduces its published result
        assert [v.kind for v in versions_of(self.year)] == ["publication", "final"]

        export = self.client_for(self.ivan).get(
            reverse("evaluation:export", args=[self.year.pk]), {"class": bearing.klass}
        )
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert sheet is not None and sheet.cell(row=2, column=2).value == "聊城鑫源轴承有限公司"

    def test_it_shows_the_working_pages_to_officials_only(self) -> None:
        for user, status in [(None, 302), (self.stranger, 403), (self.erin, 403), (self.ivan, 200)]:
            assert self.client_for(user).get(self.detail).status_code == status, user

    def scored_and_published(self) -> None:
        self.market_figures()
        self.emissions([BEARING, "6"], [CABLE, "30"])
        self.step("score")
        self.step("publish")
        self.year.refresh_from_db()
        assert self.year.status == "published"

    def test_it_issues_a_green_diagnosis_the_enterprise_reads_and_the_city_counts(self) -> None:
        self.scored_and_published()
        catalogue = reverse("evaluation:recommendations")
        for indicator, title in [
            ("sales_per_energy", "电机能效提升"),
            ("tax_per_mu", "低效用地盘活"),
            ("rnd_share", "研发机构建设"),
        ]:
            data = {"indicator": indicator, "title": title, "text": "按行业先进水平改造"}
            self.client_for(self.alice).post(catalogue, data)
        assert self.client_for(self.erin).get(catalogue).status_code == 403
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        weakest = {p["code"] for p in sorted(cable.parts, key=lambda p: Decimal(p["ratio"]))[:2]}
        url = reverse("evaluation:diagnosis", args=[self.year.pk, cable.pk])
        assert self.client_for(self.bob).get(url).status_code == 403
        self.client_for(self.alice).post(url, {"draft": "1"})
        drafted = {a.recommendation.indicator for a in cable.diagnosis.advice.all()}
        assert drafted and drafted <= weakest  # proposed for the weakest indicators only
        pdf = reverse("evaluation:diagnosis_pdf", args=[self.year.pk, cable.pk])
        assert self.client_for(self.frank).get(pdf).status_code == 403  # a draft stays inside
        chosen = list(cable.diagnosis.advice.values_list("recommendation", flat=True))
        self.client_for(self.alice).post(
            url, {"recommendations": chosen, "summary": "优先提高能效", "issue": "1"}
        )
        cable.diagnosis.refresh_from_db()
        assert cable.diagnosis.issued is not None
        page = self.client_for(self.frank).get(reverse("evaluation:mine", args=[self.year.pk]))
        assert "优先提高能效" in page.content.decode()
        assert "按行业先进水平改造" in page.content.decode()
        response = self.client_for(self.frank).get(pdf)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        mine_other = reverse("evaluation:diagnosis_pdf", args=[self.year.pk, cable.pk])
        assert self.client_for(self.erin).get(mine_other).status_code == 404  # erin has none
        advice = cable.diagnosis.advice.first()
        assert advice is not None
        self.client_for(self.alice).post(
            url, {"follow_up": "1", "advice": advice.pk, "note": "已更换高效电机"}
        )
        counts = self.client_for(self.alice).get(self.detail).content.decode()
        issued = len(chosen)
        assert f"已出具绿色诊断 1 份，建议 {issued} 条，已跟踪落实 1 条" in counts

    def test_it_gives_other_systems_the_class_lists_by_api_to_officials_only(self) -> None:
        self.market_figures()
        self.client_for(self.alice).post(reverse("evaluation:step", args=[self.year.pk, "score"]))
        bearing = Entry.objects.get(year=self.year, enterprise=self.bearing)
        url = "/api/evaluation/2025/results"
        body = self.client_for(self.ivan).get(url, {"klass": bearing.klass}).json()
        assert body["status"] == "collecting" and body["count"] >= 1
        assert body["results"][0]["uscc"] == BEARING
        assert self.client_for(self.erin).get(url).status_code == 403
        assert self.client_for(None).get(url).status_code == 401

    def test_it_links_a_d_class_enterprise_to_its_retirement_list(self) -> None:
        from onevisit.campaigns.models import Campaign, RetirementUnit

        self.market_figures()
        self.client_for(self.alice).post(reverse("evaluation:step", args=[self.year.pk, "score"]))
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        Entry.objects.filter(pk=cable.pk).update(klass="D")
        campaign = Campaign.objects.create(
            name="淘汰落后产能专项行动",
            kind="obsolete",
            lead_body=self.market,
            starts=dt.date(2026, 1, 1),
            ends=dt.date(2026, 12, 31),
        )
        RetirementUnit.objects.create(
            campaign=campaign,
            enterprise=self.cable,
            kind="equipment",
            name="燃煤小锅炉",
            count=1,
            deadline=dt.date(2026, 10, 31),
        )
        page = self.client_for(self.alice).get(
            reverse("evaluation:entry", args=[self.year.pk, cable.pk])
        )
        plan = reverse("campaigns:enterprise_plan", args=[campaign.pk, self.cable.pk])
        assert plan in page.content.decode()
        assert (
            "1 家 D 类企业列入淘汰落后产能清单"
            in self.client_for(self.alice).get(self.detail).content.decode()
        )

    def test_it_shows_each_department_only_the_figures_it_reports(self) -> None:
        self.market_figures()
        self.upload(self.bob, [["统一社会信用代码", "主要污染物排放量（吨）"], [BEARING, "6"]])
        self.client_for(self.alice).post(reverse("evaluation:step", args=[self.year.pk, "score"]))
        bearing = Entry.objects.get(year=self.year, enterprise=self.bearing)
        page = reverse("evaluation:entry", args=[self.year.pk, bearing.pk])
        tax, emissions, tax_per_mu = "实缴税金（万元）", "主要污染物排放量（吨）", "6 万元/亩"
        seen = {
            user.username: self.client_for(user).get(page).content.decode()
            for user in (self.alice, self.bob, self.supervisor)
        }
        assert tax in seen["alice"] and emissions in seen["alice"] and tax_per_mu in seen["alice"]
        assert emissions in seen["bob"] and tax not in seen["bob"] and tax_per_mu not in seen["bob"]
        assert tax not in seen["sujian"] and emissions not in seen["sujian"]
        assert "类别" in seen["sujian"]  # the class and the points are every official's
        mine = self.client_for(self.erin).get(reverse("evaluation:mine", args=[self.year.pk]))
        assert tax in mine.content.decode() and tax_per_mu in mine.content.decode()
        export = self.client_for(self.bob).get(reverse("evaluation:export", args=[self.year.pk]))
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert sheet is not None
        headers = [c.value for c in sheet[1]]
        assert (
            emissions in headers and tax not in headers and "单位用地税收（万元/亩）" not in headers
        )

    def test_it_flags_reported_energy_below_the_monitored_electricity(self) -> None:
        from onevisit.hj212.codec import BEIJING
        from onevisit.monitoring.models import Device, HourlyReading, Reading, password_digest

        self.market_figures()  # bearing 4,000 tce, cable 9,000 tce
        start = dt.datetime(2025, 3, 1, tzinfo=BEIJING)
        for enterprise, kw in ((self.bearing, 5000.0), (self.cable, 1_000_000.0)):
            device = Device.objects.create(
                mn=f"PWR{enterprise.pk:010d}",
                password_sha256=password_digest("x"),
                enterprise=enterprise,
            )
            HourlyReading.objects.bulk_create(
                HourlyReading(
                    device=device,
                    factor="P",
                    kind="Rtd",
                    hour=start + dt.timedelta(hours=h),
                    count=12,
                    mean=kw,
                    low=kw,
                    high=kw,
                )
                for h in range(99)
            )
            Reading.objects.create(  # one more hour not yet folded
                device=device,
                factor="P",
                kind="Rtd",
                value=kw,
                data_time=start + dt.timedelta(hours=200),
                received=start,
            )
        # cable: 100 h × 1,000,000 kW = 1e8 kWh = 12,290 tce > 9,000 × 1.1; bearing: 61.45 tce
        page = self.client_for(self.alice).get(self.detail).content.decode()
        assert "阳谷华通电缆有限公司" in page.split('id="electricity"')[1].split("</ul>")[0]
        assert "聊城鑫源轴承有限公司" not in page.split('id="electricity"')[1].split("</ul>")[0]
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        entry_page = self.client_for(self.alice).get(
            reverse("evaluation:entry", args=[self.year.pk, cable.pk])
        )
        assert "12290.00" in entry_page.content.decode()
        bob_page = self.client_for(self.bob).get(self.detail).content.decode()
        assert 'id="electricity"' not in bob_page  # energy is not the ecology bureau's figure

    def test_it_lets_the_lead_set_the_years_rules_and_keeps_them_with_the_result(self) -> None:
        self.market_figures()
        url = reverse("evaluation:rules", args=[self.year.pk])
        assert self.client_for(self.bob).get(url).status_code == 403
        form = self.client_for(self.alice).get(url).context["form"]
        data = {
            name: "" if f.initial is None else str(f.initial) for name, f in form.fields.items()
        }
        data |= {"weight_tax_per_mu": "50", "weight_sales_per_energy": "10"}
        data |= {"floor_A": "40", "floor_B": "50", "floor_C": "30"}
        page = self.client_for(self.alice).post(url, data)
        assert page.status_code == 200  # the floors must fall from A to C: nothing saved
        assert Year.objects.get(year=2025).weights["tax_per_mu"] == 40
        data |= {"floor_A": "95", "benchmark_tax_per_mu": "8", "weight_sales_per_energy": "20"}
        page = self.client_for(self.alice).post(url, data)  # weights of 110: refused
        assert page.status_code == 200 and "110" in page.content.decode()
        assert Year.objects.get(year=2025).weights["tax_per_mu"] == 40
        data |= {"weight_sales_per_energy": "10"}
        self.client_for(self.alice).post(url, data)
        self.year.refresh_from_db()
        assert self.year.weights["tax_per_mu"] == "50" and self.year.benchmarks == {
            "tax_per_mu": "8"
        }
        self.client_for(self.alice).post(reverse("evaluation:step", args=[self.year.pk, "score"]))
        self.year.refresh_from_db()
        assert self.year.rules_used["benchmarks"]["tax_per_mu"] == "8"
        assert self.year.rules_used["thresholds"]["A"] == "95"

    def test_it_shows_the_indicators_year_on_year(self) -> None:
        from onevisit.evaluation.queries import indicator_trends

        self.market_figures()  # 2025: sales 21,000 over energy 13,000
        later = Year.objects.create(year=2026, lead_body=self.market, area=self.year.area)
        Entry.objects.create(year=later, enterprise=self.bearing, sales=26000, energy_tce=13000)
        rows = indicator_trends(Year.objects.all())
        energy = [row.cells[1] for row in rows]
        assert [c.value for c in energy] == [Decimal("1.62"), Decimal("2.00")]
        assert energy[1].change == Decimal("23.46")  # (2.00 − 1.62) / 1.62
        page = self.client_for(self.alice).get(reverse("evaluation:year_list")).content.decode()
        assert "+23.46%" in page


class ProvinceEvaluationTest(OpenedYear):
    """In a province each city evaluates its own enterprises: 济南 opens 2025 beside 聊城."""

    def setUp(self) -> None:
        super().setUp()
        jinan = District.objects.get(code="370100")
        self.jn_market = Body.objects.create(
            name="济南市工业和信息化局",
            code="JN-GXJ",
            kind="administrative",
            level="city",
            district=jinan,
            published=True,
        )
        self.jiang = make_user("jiang", role=Role.BODY_ADMIN, body=self.jn_market)
        self.lucheng = make_user(
            "lucheng", role=Role.SUPERVISOR, area=District.objects.get(code="371500")
        )
        data = {"year": "2025", "industries": "B,C", "excluded": "D", "above_scale_only": "on"}
        sources = {f"source_{f}": str(self.jn_market.pk) for f in FIGURES}
        response = self.client_for(self.jiang).post(reverse("evaluation:year_list"), data | sources)
        assert response.status_code == 302, response.content.decode()[:2000]
        self.jn_year = Year.objects.get(year=2025, area=jinan)

    def test_it_lets_each_city_evaluate_its_own_enterprises_in_the_same_year(self) -> None:
        assert self.year.area_id == "371500" and self.jn_year.area_id == "370100"
        jn_names = set(self.jn_year.entries.values_list("enterprise__name", flat=True))
        assert jn_names == {"济南重型机械有限公司"}
        assert "济南重型机械有限公司" not in set(
            self.year.entries.values_list("enterprise__name", flat=True)
        )
        again = {"year": "2025", "industries": "B,C", "excluded": "D"}
        sources = {f"source_{f}": str(self.market.pk) for f in FIGURES}
        page = self.client_for(self.alice).post(reverse("evaluation:year_list"), again | sources)
        assert page.status_code == 200
        assert "本地区该年度的评价已经开展。" in page.content.decode()
        assert Year.objects.filter(year=2025).count() == 2

    def test_it_keeps_each_city_s_year_to_its_lead_and_its_supervisors(self) -> None:
        jn_detail = reverse("evaluation:year_detail", args=[self.jn_year.pk])
        score = reverse("evaluation:step", args=[self.jn_year.pk, "score"])
        assert self.client_for(self.alice).post(score).status_code == 403
        listing = self.client_for(self.supervisor).get(reverse("evaluation:year_list"))
        assert "济南市" in listing.content.decode() and "聊城市" in listing.content.decode()
        assert self.client_for(self.supervisor).get(jn_detail).status_code == 200
        assert self.client_for(self.lucheng).get(jn_detail).status_code == 404
        own = self.client_for(self.lucheng).get(reverse("evaluation:year_list")).content.decode()
        assert "济南市" not in own and "聊城市" in own

    def test_it_refuses_figures_for_an_enterprise_of_another_area(self) -> None:
        page = self.upload(
            self.alice, [["统一社会信用代码", "实缴税金（万元）"], [JINAN_MACHINES, "10"]]
        )
        assert "该企业不在本年度评价的地区内" in page
        assert not self.year.entries.filter(enterprise__uscc=JINAN_MACHINES).exists()

    def test_it_gives_the_api_every_area_of_a_year_or_one(self) -> None:
        Entry.objects.filter(year__year=2025).update(klass="B", score=Decimal(70))
        url = "/api/evaluation/2025/results"
        both = self.client_for(self.supervisor).get(url).json()
        assert [a["code"] for a in both["areas"]] == ["370100", "371500"]
        assert JINAN_MACHINES in {r["uscc"] for r in both["results"]}
        assert BEARING in {r["uscc"] for r in both["results"]}
        jinan = self.client_for(self.supervisor).get(url, {"area": "370102"}).json()
        assert [a["code"] for a in jinan["areas"]] == ["370100"]
        assert {r["uscc"] for r in jinan["results"]} == {JINAN_MACHINES}
        own = self.client_for(self.lucheng).get(url).json()
        assert [a["code"] for a in own["areas"]] == ["371500"]
        assert JINAN_MACHINES not in {r["uscc"] for r in own["results"]}
        assert self.client_for(self.lucheng).get(url, {"area": "370100"}).status_code == 404


class PublishedMeansFinalTest(OpenedYear):
    """A 公示 is a frozen version: during it the scores change only through objections decided
    with reasons, one enterprise at a time; anything more withdraws it and publishes again with
    a new period and a public notice; the diagnosis follows the corrected figures."""

    def step(self, name: str, data: dict[str, str] | None = None) -> str:
        url = reverse("evaluation:step", args=[self.year.pk, name])
        return self.client_for(self.alice).post(url, data or {}, follow=True).content.decode()

    def setUp(self) -> None:
        super().setUp()
        self.market_figures()
        self.upload(
            self.bob,
            [["统一社会信用代码", "主要污染物排放量（吨）"], [BEARING, "6"], [CABLE, "30"]],
        )
        self.step("score")
        self.step("publish")
        self.year.refresh_from_db()
        assert self.year.status == "published"

    def classes(self) -> dict[str, str]:
        return dict(self.year.entries.values_list("enterprise__uscc", "klass"))

    def test_it_refuses_to_score_again_or_import_during_the_publication(self) -> None:
        before = self.classes()
        page = self.step("score")
        assert "公示" in page and "异议" in page
        html = self.upload(self.alice, [["统一社会信用代码", "用地面积（亩）"], [CABLE, "10"]])
        assert "正在公示" in html
        assert Entry.objects.get(year=self.year, enterprise=self.cable).land_mu == Decimal(120)
        assert self.classes() == before

    def test_it_withdraws_and_publishes_again_with_a_new_period_and_a_notice(self) -> None:
        first = versions_of(self.year)[0]
        self.step("withdraw", {"reason": "市场监管局用地面积口径有误"})
        self.year.refresh_from_db()
        assert self.year.status == "collecting"
        public = self.client_for(None).get(reverse("evaluation:public", args=[self.year.pk]))
        assert "已于" in public.content.decode() and "撤回" in public.content.decode()
        self.upload(self.alice, [["统一社会信用代码", "用地面积（亩）"], [CABLE, "60"]])
        self.step("score")
        refused = self.step("publish")  # published before: the reason and the notice
        assert "变更公告" in refused
        self.step(
            "publish", {"reason": "用地面积更正", "notice": "阳谷华通电缆有限公司用地面积更正"}
        )
        self.year.refresh_from_db()
        versions = versions_of(self.year)
        assert [(v.number, v.state) for v in versions] == [(1, "withdrawn"), (2, "current")]
        assert versions[1].period_end == self.year.objections_until
        first.refresh_from_db()
        assert first.snapshot == versions[0].snapshot and first.intact()  # v1 kept, unchanged
        page = self.client_for(None).get(reverse("evaluation:public", args=[self.year.pk]))
        assert "阳谷华通电缆有限公司用地面积更正" in page.content.decode()
        old = reverse("evaluation:public_version", args=[self.year.pk, 1])
        assert "阳谷华通电缆有限公司" in self.client_for(None).get(old).content.decode()

    def test_it_supersedes_an_issued_diagnosis_when_a_correction_lands(self) -> None:
        from onevisit.evaluation.models import Recommendation

        for code in ("tax_per_mu", "sales_per_energy", "rnd_share", "output_per_employee"):
            Recommendation.objects.create(
                body=self.market, indicator=code, title=f"建议-{code}", text="按行业先进水平改造"
            )
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        url = reverse("evaluation:diagnosis", args=[self.year.pk, cable.pk])
        self.client_for(self.alice).post(url, {"draft": "1"})
        chosen = list(cable.diagnosis.advice.values_list("recommendation", flat=True))
        self.client_for(self.alice).post(url, {"recommendations": chosen, "issue": "1"})
        issued = versions_of(cable.diagnosis)[0]
        assert issued.snapshot["class"] == cable.klass
        energy_before = issued.snapshot["comparisons"][1][2]
        mine = reverse("evaluation:mine", args=[self.year.pk])
        self.client_for(self.frank).post(mine, {"reason": "综合能耗含转供蒸汽，应为 3000 吨"})
        objection = Objection.objects.get()
        self.client_for(self.alice).post(
            reverse("evaluation:decide", args=[objection.pk]),
            {"upheld": "1", "reason": "经核实转供蒸汽应扣除", "fix_energy_tce": "3000"},
        )
        cable.refresh_from_db()
        cable.diagnosis.refresh_from_db()
        assert cable.energy_tce == Decimal(3000) and cable.diagnosis.issued is None
        issued.refresh_from_db()
        assert issued.state == "superseded" and "经核实转供蒸汽应扣除" in issued.end_reason
        self.client_for(self.alice).post(url, {"recommendations": chosen, "issue": "1"})
        second = versions_of(cable.diagnosis)[1]
        assert second.number == 2 and second.snapshot["comparisons"][1][2] != energy_before
        page = self.client_for(self.frank).get(mine).content.decode()
        assert "第 1 版" in page and "第 2 版" in page and "已被取代" in page
        for number in (1, 2):
            pdf = reverse("evaluation:diagnosis_version_pdf", args=[self.year.pk, cable.pk, number])
            assert self.client_for(self.frank).get(pdf).content.startswith(b"%PDF")

    def test_it_keeps_nothing_of_a_refused_issue(self) -> None:
        cable = Entry.objects.get(year=self.year, enterprise=self.cable)
        url = reverse("evaluation:diagnosis", args=[self.year.pk, cable.pk])
        self.client_for(self.alice).post(url, {"draft": "1"})
        page = self.client_for(self.alice).post(url, {"summary": "不应保存", "issue": "1"})
        assert "至少选择一条" in page.content.decode()
        cable.diagnosis.refresh_from_db()
        assert cable.diagnosis.summary == "" and cable.diagnosis.issued is None

    def test_it_refuses_an_upheld_objection_without_a_corrected_figure(self) -> None:
        mine = reverse("evaluation:mine", args=[self.year.pk])
        self.client_for(self.frank).post(mine, {"reason": "用地面积有误"})
        objection = Objection.objects.get()
        self.client_for(self.alice).post(
            reverse("evaluation:decide", args=[objection.pk]), {"upheld": "1", "reason": "成立"}
        )
        objection.refresh_from_db()
        assert objection.decision == "pending"


class YearPageTest(OpenedYear):
    def test_it_reaches_every_entry_by_name_code_class_district_and_industry(self) -> None:
        for n in range(60):
            enterprise = make_enterprise(
                f"聊城测试{n:02d}机械有限公司", serial=200 + n, industry="34"
            )
            Entry.objects.create(year=self.year, enterprise=enterprise, score=n, klass="C")
        client = self.client_for(self.ivan)
        first = client.get(self.detail).content.decode()
        assert "聊城测试00机械有限公司" not in first  # page 1 holds the 50 highest
        assert "聊城测试00机械有限公司" in client.get(self.detail, {"page": "2"}).content.decode()
        by_name = client.get(self.detail, {"q": "测试07"}).content.decode()
        assert "聊城测试07机械有限公司" in by_name and "聊城测试08机械有限公司" not in by_name
        by_code = client.get(self.detail, {"q": uscc(207)[:16]}).content.decode()
        assert "聊城测试07机械有限公司" in by_code
        page = client.get(self.detail, {"klass": "C", "district": "371581", "industry": "34"})
        assert "聊城测试59机械有限公司" in page.content.decode()
        partial = client.get(self.detail, {"q": "测试07"}, headers={"HX-Request": "true"})
        assert partial.content.decode().startswith('<div id="results">')

    def test_it_keeps_the_default_rules_on_the_documented_100_point_scale(self) -> None:
        from onevisit.evaluation.models import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS

        assert sum(DEFAULT_WEIGHTS.values()) == 100
        assert DEFAULT_THRESHOLDS == {"A": 80, "B": 55, "C": 35}
        assert self.year.cap == 1
