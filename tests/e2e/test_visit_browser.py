"""End to end in a real browser: a planned joint visit is registered, its code checked by the
enterprise, the checklist filled on the inspector's phone, the PDF record issued, the feedback
read and the visit evaluated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from onevisit.testing import PASSWORD

pytestmark = pytest.mark.e2e


def log_in(driver: webdriver.Chrome, live: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(live + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 15).until(ec.url_to_be(live + "/"))


def gone(element: WebElement) -> Callable[[webdriver.Chrome], bool]:
    """The element has left the document: the browser has moved on to the next page.

    Chromium reports a node of a page being torn down either as stale or, mid-navigation, as
    "does not belong to the document"; both mean the page has gone."""

    def check(_driver: webdriver.Chrome) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:
            return True
        return False

    return check


def submit(driver: webdriver.Chrome, selector: str) -> None:
    """Click and wait until the browser has left the page."""
    button = driver.find_element(By.CSS_SELECTOR, selector)
    button.click()
    WebDriverWait(driver, 15).until(gone(button))


def saved(row_id: str) -> Callable[[webdriver.Chrome], bool]:
    """The row, swapped in by htmx, says it is saved."""

    def check(driver: webdriver.Chrome) -> bool:
        return "已保存" in driver.find_element(By.ID, row_id).text

    return check


def planned_joint_visit() -> dict[str, object]:
    """Two bodies' open checks of one enterprise, planned into one visit this week."""
    from onevisit.accounts.models import Role
    from onevisit.inspections.tests.base import publish_item
    from onevisit.planning.models import PlannedVisit, PlanningRun, Task, TaskItem
    from onevisit.registry.models import Body, District, Inspector
    from onevisit.testing import make_enterprise, make_user

    today = timezone.localdate()
    city = District.objects.get(code="371500")
    market = Body.objects.create(
        name="聊城市市场监督管理局",
        code="LC-SCJG",
        kind="administrative",
        level="city",
        district=city,
        published=True,
    )
    safety = Body.objects.create(
        name="聊城市应急管理局",
        code="LC-YJGL",
        kind="administrative",
        level="city",
        district=city,
        published=True,
    )
    bearing = make_enterprise("临清市鑫源轴承有限公司", serial=1, district="371581", industry="34")
    make_user("alice", role=Role.BODY_ADMIN, body=market)
    ivan = make_user("ivan", role=Role.INSPECTOR, body=market)
    make_user("erin", role=Role.ENTERPRISE, enterprise=bearing)
    team = []
    for n, (name, body, user) in enumerate(
        [("伊万", market, ivan), ("马力", market, None), ("安全", safety, None)]
    ):
        team.append(
            Inspector.objects.create(
                user=user,
                name=name,
                body=body,
                certificate_number=f"3715202300000{n}",
                certificate_valid_from=today - dt.timedelta(days=30),
                certificate_valid_until=today + dt.timedelta(days=300),
            )
        )
    items = [
        publish_item(market, "SCJG-002", [("特种设备使用登记", ""), ("作业人员持证", "operators")]),
        publish_item(
            safety, "YJGL-002", [("安全生产责任制", ""), ("特种作业人员持证", "operators")]
        ),
    ]
    run = PlanningRun.objects.create(
        year=today.year,
        horizon_start=today - dt.timedelta(days=today.weekday()),
        status=PlanningRun.Status.DONE,
        finished=timezone.now(),
    )
    planned = PlannedVisit.objects.create(
        run=run,
        enterprise=bearing,
        week=0,
        week_start=today - dt.timedelta(days=today.weekday()),
        lead_body=market,
        joint=True,
    )
    for body, item in zip((market, safety), items, strict=True):
        task = Task.objects.create(
            enterprise=bearing,
            body=body,
            kind="routine",
            window_start=today - dt.timedelta(days=7),
            window_end=today + dt.timedelta(days=30),
        )
        TaskItem(task=task, item=item).save()
        planned.tasks.add(task)
    planned.inspectors.set(team)
    return {"bearing": bearing, "planned": planned}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_a_visit_from_plan_to_evaluation_in_a_browser(
    driver: webdriver.Chrome, live: str
) -> None:
    from onevisit.inspections.models import Evaluation, Visit

    made = planned_joint_visit()
    bearing = made["bearing"]
    wait = WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,))
    today = timezone.localdate()

    # The department admin registers the planned joint visit for today: the code is issued.
    log_in(driver, live, "alice")
    driver.get(live + "/inspections/planned/")
    day = wait.until(ec.presence_of_element_located((By.NAME, "date")))
    driver.execute_script("arguments[0].value = arguments[1]", day, today.isoformat())
    submit(driver, "main form button[type=submit]")
    short = wait.until(ec.presence_of_element_located((By.ID, "short-code"))).text
    verify_url = driver.find_element(By.ID, "code-link").get_attribute("href")
    assert len(short) == 9 and verify_url

    # At the gate the enterprise scans the code: valid today, who comes, what is checked.
    driver.delete_all_cookies()
    driver.get(verify_url)
    verdict = wait.until(ec.presence_of_element_located((By.ID, "verdict")))
    assert verdict.get_attribute("data-state") == "valid"
    assert "37152023000002" in driver.page_source and "五个严禁" in driver.page_source

    # The inspector checks in on the phone and fills the joint checklist.
    log_in(driver, live, "ivan")
    driver.get(live + "/inspections/today/")
    wait.until(ec.presence_of_element_located((By.NAME, "uscc"))).send_keys(bearing.uscc)  # type: ignore[attr-defined]
    submit(driver, "main form button[type=submit]")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".checklist")))
    rows = driver.find_elements(By.CSS_SELECTOR, ".checklist form.row")
    assert len(rows) == 3  # four points, one shared by both bodies
    for n in range(len(rows)):
        row = driver.find_elements(By.CSS_SELECTOR, ".checklist form.row")[n]
        row_id = row.get_attribute("id")
        if n == 0:
            row.find_element(By.CSS_SELECTOR, "input[value=noncompliant]").click()
            row.find_element(By.TAG_NAME, "summary").click()
            row.find_element(By.CSS_SELECTOR, "select[name=severity] option[value=general]").click()
            row.find_element(By.NAME, "description").send_keys("两台叉车未办理使用登记")
        else:
            row.find_element(By.CSS_SELECTOR, "input[value=compliant]").click()
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(saved(str(row_id)))
    driver.find_element(By.NAME, "name").send_keys("车间主任 王强")
    submit(driver, "form[action$='/sign/enterprise/'] button")
    for member in Visit.objects.get().inspectors.all():
        driver.find_element(By.NAME, f"cert-{member.pk}").send_keys(member.certificate_number)
    submit(driver, "form[action$='/sign/team/'] button")
    submit(driver, "#close-visit")

    # The record is a PDF; the feedback lists the problem with its deadline.
    record = wait.until(ec.presence_of_element_located((By.ID, "record-pdf"))).get_attribute("href")
    content_type = driver.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.headers.get('content-type')))", record
    )
    assert content_type == "application/pdf"
    visit = Visit.objects.get()
    assert visit.status == Visit.Status.CLOSED and visit.record_sha256

    log_in(driver, live, "erin")
    driver.get(live + "/inspections/mine/")
    wait.until(ec.element_to_be_clickable((By.LINK_TEXT, "反馈"))).click()
    wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "两台叉车未办理使用登记" in driver.page_source and "按指引整改" in driver.page_source

    # The enterprise rates the visit anonymously.
    driver.get(live + f"/inspections/{visit.pk}/evaluate/")
    for name, score in (("conduct", 5), ("professionalism", 4), ("burden", 4)):
        driver.find_element(By.CSS_SELECTOR, f"input[name={name}][value='{score}']").click()
    driver.find_element(By.NAME, "comment").send_keys("一次查完，讲解清楚")
    submit(driver, "main form button[type=submit]")
    wait.until(ec.url_contains("/inspections/mine/"))
    evaluation = Evaluation.objects.get()
    assert (evaluation.conduct, evaluation.professionalism, evaluation.burden) == (5, 4, 4)
