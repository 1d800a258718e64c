"""End to end in a real browser: an enterprise raises a request from its phone, the department
acknowledges and answers it, and the enterprise rates the answer, which closes it."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.test_assessment_browser import no_sideways_scroll, shoot
from tests.e2e.test_visit_browser import log_in, submit

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_a_request_to_its_rated_answer(driver: webdriver.Chrome, live: str) -> None:
    from onevisit.accounts.models import Role
    from onevisit.liaison.models import Concern
    from onevisit.registry.models import Body, District
    from onevisit.testing import make_enterprise, make_user

    market = Body.objects.create(
        name="聊城市市场监督管理局",
        code="LC-SCJG",
        kind="administrative",
        level="city",
        district=District.objects.get(code="371500"),
        published=True,
    )
    bearing = make_enterprise("临清市鑫源轴承有限公司", serial=1, district="371581", industry="34")
    make_user("alice", role=Role.BODY_ADMIN, body=market)
    make_user("erin", role=Role.ENTERPRISE, enterprise=bearing)

    # The enterprise asks from its phone.
    log_in(driver, live, "erin")
    driver.get(live + "/requests/new/")
    driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=question]").click()
    Select(driver.find_element(By.NAME, "body")).select_by_visible_text(market.name)
    driver.find_element(By.NAME, "subject").send_keys("叉车使用登记要带哪些材料？")
    driver.find_element(By.NAME, "text").send_keys("新购两台叉车，想先弄清楚登记要求")
    assert no_sideways_scroll(driver)
    shoot(driver, "request-new")
    submit(driver, "main form button[type=submit]")
    assert driver.find_element(By.ID, "concern-status").get_attribute("data-status") == "received"
    concern = Concern.objects.get()

    # The department acknowledges and answers.
    log_in(driver, live, "alice")
    driver.get(live + "/")
    assert "待答复的企业诉求" in driver.page_source
    driver.get(live + f"/requests/{concern.pk}/")
    submit(driver, "form[action$='/acknowledge/'] button")
    driver.find_element(By.NAME, "answer").send_keys(
        "带购买发票和产品合格证，到政务服务中心二楼办理。"
    )
    submit(driver, "#answer-form button")
    assert driver.find_element(By.ID, "concern-status").get_attribute("data-status") == "answered"

    # The enterprise reads the answer, rates it low and asks for a new answer.
    log_in(driver, live, "erin")
    driver.get(live + f"/requests/{concern.pk}/")
    assert "政务服务中心二楼" in driver.find_element(By.ID, "answer-1").text
    driver.find_element(By.CSS_SELECTOR, "#rate input[name=rating][value='2']").click()
    submit(driver, "#rate button[type=submit]")
    assert driver.find_element(By.ID, "concern-status").get_attribute("data-status") == "closed"
    reopen = driver.find_element(By.CSS_SELECTOR, "#reopen button")
    assert reopen.text == "要求重新答复"
    driver.find_element(By.ID, "reopen-reason").send_keys("没说要不要带身份证复印件")
    submit(driver, "#reopen button")

    # The department answers again; the enterprise rates the second answer.
    log_in(driver, live, "alice")
    driver.get(live + f"/requests/{concern.pk}/")
    driver.find_element(By.NAME, "answer").send_keys("需带法定代表人身份证复印件一份。")
    submit(driver, "#answer-form button")
    log_in(driver, live, "erin")
    driver.get(live + f"/requests/{concern.pk}/")
    driver.find_element(By.CSS_SELECTOR, "#rate input[name=rating][value='5']").click()
    submit(driver, "#rate button[type=submit]")
    assert driver.find_element(By.ID, "concern-status").get_attribute("data-status") == "closed"
    thread = driver.find_element(By.ID, "thread").text
    for said in ("政务服务中心二楼", "2/5", "没说要不要带身份证复印件", "身份证复印件一份", "5/5"):
        assert said in thread, said
    assert no_sideways_scroll(driver)
    shoot(driver, "request-rated")
