"""Every page a persona can reach passes axe-core without a serious or critical violation, on a
phone, and still fits the phone's width with its text at 200% (适老化).

The demo city and its accounts; for each persona (and the public) the test follows every link of
the site it is shown, from the workbench and the menu, one page per address shape
(`/enterprises/17/` stands for every enterprise), and runs axe-core on each. axe-core's script
comes from the axe-core-python package (a test dependency): nothing is fetched from a CDN.

A second test does the main flows with the keyboard alone, with a visible focus at every Tab
stop: the door check, an inspector's login and checklist, a tip, an enterprise's request."""

from __future__ import annotations

import io
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import axe_core_python
import pytest
from django.core.management import call_command
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from onevisit.accounts.models import User

pytestmark = pytest.mark.e2e

AXE = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PERSONAS = [None, "supervisor", "scjg_admin", "gxj_admin", "zjj_admin", "inspector", "enterprise"]
MOST_PAGES = 45  # per persona: every address shape the site shows it, with room to spare
# Links a crawl must not follow: leaving, downloads, and pages that act when opened.
SKIP = re.compile(
    r"^/(accounts/logout|admin/|api/|static/|media/)|\.(xlsx|pdf|csv|png|json|xml|pem)$|"
    r"/(export|download|print|pdf|xlsx)(/|$)"
)
DEMO_PASSWORD = "onevisit-demo"


def shape(path: str) -> str:
    """The address with its numbers and codes generalised: one page stands for its kind."""
    return re.sub(r"/[0-9A-Z-]{4,}(?=/|$)|/\d+(?=/|$)", "/N", path)


def violations(driver: webdriver.Chrome) -> list[str]:
    driver.execute_script(AXE)
    found = driver.execute_async_script(
        r"""const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(
          r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(
                 n => n.target.join(' ') + ' ' + n.html.slice(0, 120) + ' ' +
                 (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)).join(' | '))),
          e => done(['axe failed: ' + e]));"""
    )
    return list(found)


def too_wide_at_double_text(driver: webdriver.Chrome) -> str:
    """What still overflows a 390 px screen once the text is twice its size, or ''."""
    driver.execute_script("document.documentElement.style.fontSize = '200%'")
    time.sleep(0.05)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    inner = driver.execute_script("return window.innerWidth")
    driver.execute_script("document.documentElement.style.fontSize = ''")
    return f"{width} px wide at 200% text" if width > inner else ""


def log_in(driver: webdriver.Chrome, live: str, username: str | None) -> None:
    driver.delete_all_cookies()
    if username is None:
        return
    driver.get(live + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 20).until(ec.url_to_be(live + "/"))


def crawl(driver: webdriver.Chrome, live: str) -> dict[str, list[str]]:
    """Each page shape the persona is shown, with what it breaks."""
    queue, seen = deque(["/"]), {shape("/")}
    found: dict[str, list[str]] = {}
    while queue and len(found) < MOST_PAGES:
        path = queue.popleft()
        driver.get(live + path)
        WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.TAG_NAME, "main")))
        time.sleep(0.2)  # htmx partials load on page load
        problems = violations(driver)
        wide = too_wide_at_double_text(driver)
        found[path] = problems + ([wide] if wide else [])
        for href in driver.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
        ):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != live or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if shape(parts.path) not in seen:
                seen.add(shape(parts.path))
                queue.append(target)
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_of_every_persona_passes_axe_and_fits_at_double_text(
    driver: webdriver.Chrome, live: str
) -> None:
    call_command("demo", "--no-serve", "--enterprises", "120", stdout=io.StringIO())
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    broken: dict[str, list[str]] = {}
    visited = 0
    for persona in PERSONAS:
        log_in(driver, live, persona)
        pages = crawl(driver, live)
        visited += len(pages)
        for path, problems in pages.items():
            if problems:
                broken[f"{persona or 'public'} {path}"] = problems
    assert visited >= 60, f"only {visited} pages visited"
    assert not broken, "\n".join(f"{page}: {'; '.join(p)}" for page, p in broken.items())
    print(f"axe-core: {visited} pages of {len(PERSONAS)} personas, 0 serious or critical")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_main_flows_work_by_keyboard_alone_with_visible_focus(
    driver: webdriver.Chrome, live: str
) -> None:
    call_command("demo", "--no-serve", "--enterprises", "60", stdout=io.StringIO())
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    the_door_check_works_by_keyboard_alone(driver, live)
    an_inspector_logs_in_and_opens_today_by_keyboard_alone(driver, live)
    an_inspector_records_a_checklist_point_by_keyboard_alone(driver, live)
    a_member_of_the_public_sends_a_tip_by_keyboard_alone(driver, live)
    an_enterprise_sends_a_request_by_keyboard_alone(driver, live)


def press(driver: webdriver.Chrome, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: webdriver.Chrome, name: str, most: int = 40) -> None:
    """Tab until the control named `name` (or, for "submit", the next submit button) has the
    focus, checking that every stop on the way shows where the focus is."""
    for _ in range(most):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        if focused.tag_name == "body":  # the page itself, before its first stop
            continue
        outline = driver.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth]",
            focused,
        )
        assert outline[0] != "none" and outline[1] != "0px", (
            f"no visible focus on {(focused.get_attribute('outerHTML') or '')[:80]}"
        )
        if focused.get_attribute("name") == name:
            return
        if (
            name == "submit"
            and focused.tag_name == "button"
            and focused.get_attribute("type") in {"submit", None}
        ):
            return
    pytest.fail(f"{name} cannot be reached with Tab")


def the_door_check_works_by_keyboard_alone(driver: webdriver.Chrome, live: str) -> None:
    """A person at the gate types the inspector's code and hears whether to let them in."""
    from onevisit.inspections.models import Visit

    visit = Visit.objects.filter(status=Visit.Status.SCHEDULED).order_by("date", "pk").first()
    assert visit is not None
    code = visit.current_code()
    assert code is not None
    log_in(driver, live, None)
    driver.get(live + "/v/")
    tab_to(driver, "code")
    press(driver, code.short_code, Keys.ENTER)
    verdict = WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "verdict")))
    assert visit.enterprise.name in verdict.text or visit.lead_body.name in driver.page_source


def an_inspector_logs_in_and_opens_today_by_keyboard_alone(
    driver: webdriver.Chrome, live: str
) -> None:
    log_in(driver, live, None)
    driver.get(live + "/accounts/login/")
    tab_to(driver, "username")
    press(driver, "inspector", Keys.TAB, DEMO_PASSWORD, Keys.ENTER)
    WebDriverWait(driver, 20).until(ec.url_to_be(live + "/"))
    link = driver.find_element(By.CSS_SELECTOR, "main a[href$='/inspections/today/']")
    for _ in range(60):  # Tab through the workbench to today's visits, then Enter
        press(driver, Keys.TAB)
        if driver.switch_to.active_element == link:
            break
    else:
        pytest.fail("today's visits cannot be reached with Tab")
    press(driver, Keys.ENTER)
    WebDriverWait(driver, 20).until(ec.url_contains("/inspections/today/"))


def send(driver: webdriver.Chrome) -> str:
    """Press Enter on the focused submit button and wait for the answer page; its text."""
    form = driver.find_element(By.CSS_SELECTOR, "main form")
    press(driver, Keys.ENTER)
    try:
        WebDriverWait(driver, 20).until(ec.staleness_of(form))
    except TimeoutException:
        pytest.fail(f"the form was not sent: {driver.find_element(By.TAG_NAME, 'main').text}")
    return str(driver.find_element(By.TAG_NAME, "main").text)


def an_inspector_records_a_checklist_point_by_keyboard_alone(
    driver: webdriver.Chrome, live: str
) -> None:
    """On the phone at the factory: the first point of a visit on site, 合格 with a note, saved
    with Enter; the row says it was saved without leaving the page."""
    from django.utils import timezone

    from onevisit.audit.actions import Actor
    from onevisit.inspections.actions import do_check_in
    from onevisit.inspections.models import PointResult, Visit

    inspector = User.objects.get(username="inspector")
    visit = (
        Visit.objects.filter(
            status=Visit.Status.SCHEDULED, date=timezone.localdate(), inspectors__user=inspector
        )
        .order_by("pk")
        .first()
    )
    assert visit is not None, "the demo has a visit today for the inspector"
    do_check_in(actor=Actor.of(inspector), visit=visit, by=inspector, uscc=visit.enterprise.uscc)
    log_in(driver, live, "inspector")
    driver.get(f"{live}/inspections/{visit.pk}/checklist/")
    first = driver.find_element(By.CSS_SELECTOR, ".checklist form.row").get_attribute("id")
    tab_to(driver, "outcome")
    press(driver, Keys.SPACE)  # the first choice of the row: 合格
    tab_to(driver, "note")
    press(driver, "台账齐全，现场核对一致")
    tab_to(driver, "submit")
    press(driver, Keys.ENTER)
    WebDriverWait(driver, 20).until(
        lambda d: "done" in (d.find_element(By.ID, first).get_attribute("class") or "").split()
    )
    saved = PointResult.objects.get(visit=visit, note="台账齐全，现场核对一致")
    assert saved.outcome == "compliant"


def a_member_of_the_public_sends_a_tip_by_keyboard_alone(
    driver: webdriver.Chrome, live: str
) -> None:
    from onevisit.tips.models import Tip

    log_in(driver, live, None)
    driver.get(live + "/tips/new/")
    opened = time.monotonic()
    tab_to(driver, "category")
    press(driver, Keys.ARROW_DOWN)  # the first category
    tab_to(driver, "description")
    press(driver, "小区门口的加工厂夜间排放刺鼻气味，已持续一周")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # a person takes a few seconds
    tab_to(driver, "submit")
    answer = send(driver)
    assert Tip.objects.filter(description__startswith="小区门口的加工厂").exists(), answer
    assert "举报已受理" in answer


def an_enterprise_sends_a_request_by_keyboard_alone(driver: webdriver.Chrome, live: str) -> None:
    from onevisit.liaison.models import Concern

    log_in(driver, live, "enterprise")
    driver.get(live + "/requests/new/")
    tab_to(driver, "kind")
    press(driver, Keys.SPACE)  # the first kind: a question
    tab_to(driver, "subject")
    press(driver, "年度检查计划何时公布")
    tab_to(driver, "text")
    press(driver, "请问今年对我公司的检查计划何时公布，是否合并为一次联合检查？")
    tab_to(driver, "submit")
    answer = send(driver)
    assert Concern.objects.filter(subject="年度检查计划何时公布").exists(), answer
