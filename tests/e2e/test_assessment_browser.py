"""End to end in a real browser: a department tries an ad-hoc inspection and is refused for want
of an approved 事前评估; it files the assessment; the supervisor reads the facts the platform
filled in, strikes one enterprise with a reason and approves; the visit is then registered
under the assessment and the public list shows the special inspection."""

from __future__ import annotations

import datetime as dt
import os
import tempfile

import pytest
from django.utils import timezone
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.e2e.test_visit_browser import log_in, submit

pytestmark = pytest.mark.e2e


def shoot(driver: webdriver.Chrome, name: str) -> None:
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), f"onevisit-e2e-{name}.png"))


def no_sideways_scroll(driver: webdriver.Chrome) -> bool:
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    return bool(width <= inner)


def fill(driver: webdriver.Chrome, name: str, value: str) -> None:
    field = driver.find_element(By.NAME, name)
    if field.get_attribute("type") == "date":
        driver.execute_script("arguments[0].value = arguments[1]", field, value)
    else:
        field.send_keys(value)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_an_assessment_from_refusal_to_approval_to_visit(
    driver: webdriver.Chrome, live: str
) -> None:
    from onevisit.accounts.models import Role
    from onevisit.assessments.models import Assessment
    from onevisit.inspections.models import Visit
    from onevisit.inspections.tests.base import publish_item
    from onevisit.registry.models import Body, District, Inspector
    from onevisit.testing import make_enterprise, make_user

    today = timezone.localdate()
    market = Body.objects.create(
        name="聊城市市场监督管理局",
        code="LC-SCJG",
        kind="administrative",
        level="city",
        district=District.objects.get(code="371500"),
        published=True,
    )
    bearing = make_enterprise("临清市鑫源轴承有限公司", serial=1, district="371581", industry="34")
    other = make_enterprise("临清市宏达轴承有限公司", serial=3, district="371581", industry="34")
    make_user("alice", role=Role.BODY_ADMIN, body=market)
    make_user("sujian", role=Role.SUPERVISOR, full_name="苏健")
    for n, name in enumerate(["伊万", "马力"]):
        Inspector.objects.create(
            name=name,
            body=market,
            certificate_number=f"3715202300001{n}",
            certificate_valid_from=today - dt.timedelta(days=30),
            certificate_valid_until=today + dt.timedelta(days=300),
        )
    item = publish_item(market, "SCJG-007", [("起重机械定期检验", ""), ("司机持证", "")])

    def try_to_register() -> None:
        driver.get(live + f"/inspections/new/?uscc={bearing.uscc}")
        driver.find_element(By.CSS_SELECTOR, f"input[name=items][value='{item.pk}']").click()
        for box in driver.find_elements(By.CSS_SELECTOR, "input[name=inspectors]"):
            box.click()
        submit(driver, "main form[method=post] button[type=submit]")

    # Without an approved assessment the ad-hoc inspection is refused, and the page says why.
    log_in(driver, live, "alice")
    try_to_register()
    error = driver.find_element(By.CSS_SELECTOR, "main .errorlist").text
    assert "事前评估" in error
    shoot(driver, "assessment-refused-registration")
    assert not Visit.objects.exists()

    # The department files the assessment, the enterprises pasted as a column of codes.
    driver.get(live + "/assessments/new/")
    fill(driver, "title", "轴承企业起重机械专项检查")
    fill(driver, "cause", "上月两起桥式起重机伤人事故")
    fill(driver, "legal_basis", "《特种设备安全法》第五十七条")
    driver.find_element(By.CSS_SELECTOR, f"input[name=items][value='{item.pk}']").click()
    fill(driver, "enterprises", f"{bearing.uscc}\n{other.uscc}")
    fill(driver, "why_not_joint", "须两周内完成，联合检查窗口在下季度")
    fill(driver, "why_not_replaced", "无可互认结果，设备状态须现场查看")
    fill(driver, "burden", "每家两人、两小时，不停产")
    fill(driver, "window_start", today.isoformat())
    fill(driver, "window_end", (today + dt.timedelta(days=14)).isoformat())
    submit(driver, "main form button[type=submit]")
    assert driver.find_element(By.ID, "status").get_attribute("data-status") == "submitted"
    assessment = Assessment.objects.get()

    # The supervisor reads the facts, strikes one enterprise with a reason, and approves.
    log_in(driver, live, "sujian")
    driver.get(live + f"/assessments/{assessment.pk}/")
    facts = driver.find_element(By.ID, "facts").text
    assert bearing.name in facts and other.name in facts
    assert no_sideways_scroll(driver)
    shoot(driver, "assessment-facts")
    # Unticked without a reason: refused, the untick kept; what is ticked is what is approved.
    driver.find_element(By.CSS_SELECTOR, f"input[name=keep][value='{other.pk}']").click()
    submit(driver, "button[name=decision][value=approve]")
    assert driver.find_element(By.ID, "status").get_attribute("data-status") == "submitted"
    kept = driver.find_element(By.CSS_SELECTOR, f"input[name=keep][value='{other.pk}']")
    assert not kept.is_selected()
    shoot(driver, "assessment-narrow-refused")
    driver.find_element(By.NAME, "reason").send_keys("宏达轴承上月已查起重机械，结果互认")
    submit(driver, "button[name=decision][value=approve]")
    assert driver.find_element(By.ID, "status").get_attribute("data-status") == "approved"
    assert "审批时已划去" in driver.find_element(By.ID, "facts").text

    # Now the visit is registered under the assessment, and the public list shows it.
    log_in(driver, live, "alice")
    try_to_register()
    visit = Visit.objects.get()
    assert visit.assessment_id == assessment.pk and visit.origin == Visit.Origin.SPECIAL
    assert "轴承企业起重机械专项检查" in driver.page_source
    driver.delete_all_cookies()
    driver.get(live + "/assessments/public/")
    public = driver.find_element(By.ID, "special").text
    assert "轴承企业起重机械专项检查" in public and bearing.name not in public
    assert no_sideways_scroll(driver)
    shoot(driver, "assessment-public")
