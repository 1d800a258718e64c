"""End to end in a real browser: a department admin finds an enterprise by a Chinese fragment."""

from __future__ import annotations

import os
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from onevisit.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_body_admin_find_and_open_an_enterprise_on_a_phone(
    driver: webdriver.Chrome, live: str
) -> None:
    from onevisit.accounts.models import Role
    from onevisit.registry.models import Body

    market = Body.objects.create(
        name="聊城市市场监督管理局",
        code="LC-SCJG",
        kind="administrative",
        level="city",
        district_id="371500",
        published=True,
    )
    make_user("alice", role=Role.BODY_ADMIN, body=market)
    make_enterprise("临清市鑫源轴承有限公司", serial=1, district="371581", industry="34")
    make_enterprise("阳谷县华通电缆有限公司", serial=2, district="371521", industry="38")

    wait = WebDriverWait(driver, 15)
    driver.get(live + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys("alice")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait.until(ec.url_to_be(live + "/"))
    assert "聊城市市场监督管理局" in driver.page_source

    driver.get(live + "/enterprises/")
    search = wait.until(ec.presence_of_element_located((By.NAME, "q")))
    search.send_keys("轴承")
    # htmx replaces the results as the official types; the other enterprise disappears.
    wait.until(lambda d: "阳谷县华通电缆有限公司" not in d.find_element(By.ID, "results").text)
    link = wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "临清市鑫源轴承有限公司")))
    link.click()
    wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert driver.find_element(By.TAG_NAME, "h1").text == "临清市鑫源轴承有限公司"
    assert "临清市" in driver.page_source
    driver.save_screenshot(os.path.join(tempfile.gettempdir(), "onevisit-e2e-enterprise.png"))
