"""End to end in a real browser: one 亩产效益 year from opening to final classes — the lead
department opens it, imports the figures, scores and publishes; an enterprise objects from its
phone; the department decides and makes the classes final; the public list shows them."""

from __future__ import annotations

import datetime as dt
import os
import tempfile

import pytest
from django.utils import timezone
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from onevisit.testing import uscc
from tests.e2e.test_visit_browser import log_in, submit

pytestmark = pytest.mark.e2e
FIGURES = ["tax", "sales", "energy_tce", "emissions_t", "rnd", "employees", "land_mu"]


def shoot(driver: webdriver.Chrome, name: str) -> None:
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), f"onevisit-e2e-{name}.png"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_walks_a_year_from_import_to_final_classes(driver: webdriver.Chrome, live: str) -> None:
    from onevisit.accounts.models import Role
    from onevisit.evaluation.models import Entry, Recommendation, Year
    from onevisit.registry.models import Body
    from onevisit.testing import make_enterprise, make_user

    gxj = Body.objects.create(
        name="聊城市工业和信息化局",
        code="LC-GXJ",
        kind="administrative",
        level="city",
        district_id="371500",
        published=True,
    )
    make_user("gxj", role=Role.BODY_ADMIN, body=gxj)
    bearing = make_enterprise("临清市鑫源轴承有限公司", serial=1, district="371581", industry="34")
    cable = make_enterprise("阳谷县华通电缆有限公司", serial=2, district="371521", industry="38")
    make_user("cable", role=Role.ENTERPRISE, enterprise=cable)

    log_in(driver, live, "gxj")
    driver.get(live + "/evaluation/")
    driver.find_element(By.NAME, "year").send_keys("2025")
    for figure in FIGURES:
        Select(driver.find_element(By.NAME, f"source_{figure}")).select_by_visible_text(gxj.name)
    submit(driver, "main form.card button[type=submit]")
    assert "聊城市 2025 年度亩产效益评价" in driver.page_source
    year = Year.objects.get(year=2025, area_id="371500")

    def upload(*rows: str) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
            f.write("\n".join(rows))
        driver.find_element(By.CSS_SELECTOR, "#import input[type=file]").send_keys(f.name)
        submit(driver, "#import button[type=submit]")
        assert "导入完成" in driver.find_element(By.ID, "report").text

    driver.set_window_size(1280, 900)  # officials work at a desk
    # Every figure but the land area: scoring says what is missing, publishing is refused.
    upload(
        "统一社会信用代码,实缴税金（万元）,销售收入（万元）,综合能耗（吨标准煤）,"
        "主要污染物排放量（吨）,研发经费（万元）,年平均职工人数",
        f"{bearing.uscc},300,12000,4000,6,360,150",
        f"{uscc(2, '371521')},80,9000,9000,30,90,200",
    )
    submit(driver, "form[action$='/step/score/'] button")
    assert "用地面积" in driver.find_element(By.ID, "missing").text
    submit(driver, "form[action$='/step/publish/'] button")
    refusal = " ".join(li.text for li in driver.find_elements(By.CSS_SELECTOR, ".messages li"))
    assert "未公示" in refusal and gxj.name in refusal and "用地面积" in refusal
    shoot(driver, "evaluation-missing")
    upload("统一社会信用代码,用地面积（亩）", f"{bearing.uscc},50", f"{uscc(2, '371521')},120")
    submit(driver, "form[action$='/step/score/'] button")
    submit(driver, "form[action$='/step/publish/'] button")
    assert "公示中" in driver.page_source
    shoot(driver, "evaluation-year")

    driver.set_window_size(412, 915)  # the enterprise on its phone
    log_in(driver, live, "cable")
    driver.get(live + f"/evaluation/{year.pk}/mine/")
    assert driver.find_element(By.ID, "klass").text in "ABCD"
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width <= inner  # no sideways scrolling on the phone
    driver.find_element(By.NAME, "reason").send_keys("综合能耗含转供园区的蒸汽，实为 6000 吨")
    submit(driver, "form.card button[type=submit]")
    assert "异议已提交" in driver.page_source
    shoot(driver, "evaluation-objection")

    # The lead issues a diagnosis from the published figures, then upholds the objection with
    # the corrected figure: the entry is scored again and the diagnosis is superseded.
    Recommendation.objects.bulk_create(
        Recommendation(body=gxj, indicator=code, title=title, text="对照行业先进水平改造")
        for code, title in [
            ("tax_per_mu", "低效用地盘活"),
            ("sales_per_energy", "电机能效提升"),
            ("rnd_share", "研发机构建设"),
            ("output_per_employee", "智能化改造"),
        ]
    )
    entry = Entry.objects.get(year=year, enterprise=cable)
    driver.set_window_size(1280, 900)
    log_in(driver, live, "gxj")
    driver.get(live + f"/evaluation/{year.pk}/entries/{entry.pk}/diagnosis/")
    submit(driver, "button[name=draft]")
    submit(driver, "button[name=issue]")
    assert "已出具" in driver.page_source
    driver.get(live + f"/evaluation/{year.pk}/")
    assert "1 件异议待处理" in driver.find_element(By.ID, "waiting").text
    Select(driver.find_element(By.NAME, "upheld")).select_by_value("1")
    driver.find_element(By.CSS_SELECTOR, "form.decision textarea").send_keys(
        "经节能监察核实，转供蒸汽应予扣除"
    )
    driver.find_element(By.CSS_SELECTOR, "form.decision details summary").click()
    driver.find_element(By.CSS_SELECTOR, "form.decision input[name=fix_energy_tce]").send_keys(
        "6000"
    )
    submit(driver, "form.decision button[type=submit]")
    assert "异议已处理" in driver.page_source
    assert "6000" in driver.find_element(By.ID, "objection-list").text
    shoot(driver, "evaluation-corrected")
    driver.get(live + f"/evaluation/{year.pk}/entries/{entry.pk}/diagnosis/")
    assert "已被取代" in driver.page_source
    submit(driver, "button[name=issue]")
    shoot(driver, "evaluation-diagnosis-v2")

    driver.set_window_size(412, 915)
    log_in(driver, live, "cable")
    driver.get(live + f"/evaluation/{year.pk}/mine/")
    diagnosis = driver.find_element(By.ID, "diagnosis").text
    assert "第 1 版" in diagnosis and "第 2 版" in diagnosis and "已被取代" in diagnosis
    shoot(driver, "evaluation-enterprise-diagnosis")

    driver.set_window_size(1280, 900)
    log_in(driver, live, "gxj")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Year.objects.filter(year=2025).update(objections_until=yesterday)  # the window has passed
    driver.get(live + f"/evaluation/{year.pk}/")
    submit(driver, "form[action$='/step/finalise/'] button")
    assert "本年度评价分类已定案" in driver.page_source

    driver.delete_all_cookies()
    driver.get(live + f"/evaluation/{year.pk}/public/")
    text = driver.find_element(By.ID, "public").text
    assert "临清市鑫源轴承有限公司" in text and "阳谷县华通电缆有限公司" in text
    assert "最终分类" in driver.page_source and "经异议更正" in driver.page_source
    shoot(driver, "evaluation-public")
    driver.set_window_size(412, 915)
