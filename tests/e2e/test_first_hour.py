"""The first hour of every user, in a real browser on a phone-sized screen, with the demo city
and its demo accounts: each workbench and phone page fits 390 px without sideways scrolling, the
header is one row, the QR code renders and decodes to its page, and each flow of the README runs
from start to end.

Set ONEVISIT_SCREENSHOTS to a folder to keep the screenshots (docs/screenshots/ is made so)."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.test_visit_browser import gone, saved

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "onevisit-demo"
PHONE = 390
SHOTS = Path(os.environ.get("ONEVISIT_SCREENSHOTS") or tempfile.mkdtemp(prefix="onevisit-shots-"))


class Phone:
    """A person with a phone: logs in, opens pages, fills forms, and looks at what they see."""

    def __init__(self, driver: webdriver.Chrome, live: str) -> None:
        self.driver, self.live = driver, live
        self.wait = WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))
        self.size(844)

    def log_in(self, username: str | None) -> None:
        self.driver.delete_all_cookies()
        if username is None:
            return
        self.open("/accounts/login/")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
        self.submit("main form button[type=submit]")
        assert self.driver.current_url == self.live + "/", "a login lands on the workbench"

    def open(self, path: str) -> None:
        self.driver.get(self.live + path)
        self.wait.until(ec.presence_of_element_located((By.TAG_NAME, "main")))

    def find(self, selector: str) -> WebElement:
        return self.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def submit(self, selector: str) -> None:
        button = self.driver.find_element(By.CSS_SELECTOR, selector)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        self.wait.until(gone(button))
        self.find("main")

    def fill(self, name: str, value: str, within: str = "main") -> None:
        field = self.driver.find_element(By.CSS_SELECTOR, f"{within} [name={name}]")
        if field.get_attribute("type") in ("date", "datetime-local", "hidden"):
            self.driver.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.clear()
            field.send_keys(value)

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "main").text)

    def message(self) -> str:
        return " ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".messages li"))

    def fits(self, name: str) -> None:
        """No sideways scrolling, a one-row header, and a screenshot to look at."""
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        inner = self.driver.execute_script("return window.innerWidth")
        header = self.driver.execute_script(
            "return document.querySelector('header.top').getBoundingClientRect().height"
        )
        self.shoot(name)
        assert width <= inner, f"{name}: {self.driver.current_url} is {width} px wide"
        assert header <= 64, f"{name}: the header takes {header} px"

    def shoot(self, name: str) -> None:
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.size(min(int(height), 3000))
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))
        self.size(844)

    def size(self, height: int) -> None:
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": PHONE, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )


def until(predicate: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("waited in vain")
        time.sleep(0.3)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_gives_every_user_a_first_hour_that_works_on_a_phone(
    driver: webdriver.Chrome, live: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    call_command("demo", "--no-serve", "--enterprises", "200", stdout=io.StringIO())
    phone = Phone(driver, live)
    walk_the_phone_pages(phone)
    the_qr_code_renders_and_decodes(phone)
    code_at_the_door_to_closed_visit_and_pdf(phone)
    rectification_to_close_out(phone)
    plan_to_joint_visit(phone)
    draw_to_record(phone)
    alert_to_triggered_visit(phone)
    tip_to_conclusion(phone)


def walk_the_phone_pages(phone: Phone) -> None:
    from onevisit.draws.models import Draw
    from onevisit.inspections.models import Visit

    visit = Visit.objects.filter(status=Visit.Status.SCHEDULED).order_by("date", "pk").first()
    assert visit is not None
    code = visit.current_code()
    draw = Draw.objects.order_by("pk").first()
    assert code is not None and draw is not None
    pages: dict[str | None, list[tuple[str, str]]] = {
        None: [
            ("/", "public-home"),
            (f"/v/{code.short_code}", "public-code"),
            ("/tips/new/", "public-tip"),
            ("/tips/status/", "public-tip-status"),
            ("/draws/", "public-draws"),
            (f"/draws/{draw.pk}/", "public-draw"),
            ("/draws/results/", "public-draw-results"),
        ],
        "inspector": [
            ("/", "inspector-workbench"),
            ("/inspections/today/", "inspector-today"),
            ("/planning/schedule/", "inspector-schedule"),
        ],
        "enterprise": [
            ("/", "enterprise-workbench"),
            ("/inspections/mine/", "enterprise-visits"),
            ("/rectification/", "enterprise-rectifications"),
            ("/monitoring/alerts/", "enterprise-alerts"),
        ],
        "scjg_admin": [("/", "admin-workbench")],
        "supervisor": [("/", "supervisor-workbench")],
        "gxj_admin": [("/", "gxj-workbench")],
        "zjj_admin": [("/", "zjj-workbench")],
    }
    for username, visits in pages.items():
        phone.log_in(username)
        for path, name in visits:
            phone.open(path)
            phone.fits(name)
    # The menu opens with one tap and shows the role's work in groups.
    phone.log_in("scjg_admin")
    phone.driver.find_element(By.CSS_SELECTOR, "label.menu-button").click()
    menu = phone.find("nav.menu")
    phone.wait.until(lambda _d: menu.is_displayed())
    assert "计划" in menu.text and "年度计划" in menu.text
    phone.fits("admin-menu")


def _gate_visit() -> object:
    """The demo inspector's visit waiting at the gate today."""
    from onevisit.inspections.models import Visit
    from onevisit.registry.models import Inspector

    me = Inspector.objects.get(user__username="inspector")
    return Visit.objects.get(
        inspectors=me, status=Visit.Status.SCHEDULED, date=timezone.localdate()
    )


def the_qr_code_renders_and_decodes(phone: Phone) -> None:
    import zxingcpp

    visit = _gate_visit()
    phone.log_in("inspector")
    phone.open(f"/inspections/{visit.pk}/")  # type: ignore[attr-defined]
    image = phone.find(".qr img")
    phone.driver.execute_script("arguments[0].scrollIntoView()", image)
    until(lambda: bool(phone.driver.execute_script("return arguments[0].naturalWidth", image)))
    picture = Image.open(io.BytesIO(image.screenshot_as_png)).convert("L")
    decoded = [result.text for result in zxingcpp.read_barcodes(picture)]
    link = phone.driver.find_element(By.ID, "code-link").get_attribute("href")
    assert decoded and link and decoded[0].split("/v/")[1] == link.split("/v/")[1]
    phone.fits("inspector-visit-qr")


def code_at_the_door_to_closed_visit_and_pdf(phone: Phone) -> None:
    from onevisit.inspections.models import Visit

    visit = _gate_visit()
    assert isinstance(visit, Visit)
    code = visit.current_code()
    assert code is not None
    # At the gate the enterprise scans the code: valid today, who comes and what they check.
    phone.log_in(None)
    phone.open(f"/v/{code.token}")
    assert phone.find("#verdict").get_attribute("data-state") == "valid"
    assert visit.inspectors.first().certificate_number in phone.text()  # type: ignore[union-attr]
    phone.fits("door-valid-code")
    # The inspector checks in with the credit code on the licence and fills the checklist.
    phone.log_in("inspector")
    phone.open("/inspections/today/")
    phone.fill("uscc", visit.enterprise.uscc, within=f"#visit-{visit.pk}")
    phone.submit(f"#visit-{visit.pk} button[type=submit]")
    phone.find(".checklist")
    for n in range(len(phone.driver.find_elements(By.CSS_SELECTOR, ".checklist form.row"))):
        row = phone.driver.find_elements(By.CSS_SELECTOR, ".checklist form.row")[n]
        row_id = str(row.get_attribute("id"))
        phone.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
        if n == 0:
            row.find_element(By.CSS_SELECTOR, "input[value=noncompliant]").click()
            row.find_element(By.TAG_NAME, "summary").click()
            row.find_element(By.CSS_SELECTOR, "select[name=severity] option[value=general]").click()
            row.find_element(By.NAME, "description").send_keys("配电箱未上锁，警示标识缺失")
        else:
            row.find_element(By.CSS_SELECTOR, "input[value=compliant]").click()
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        phone.wait.until(saved(row_id))
    phone.fits("inspector-checklist")
    phone.fill("name", "车间主任 王强")
    phone.submit("form[action$='/sign/enterprise/'] button")
    for member in visit.inspectors.all():  # each confirms with their own certificate number
        phone.fill(f"cert-{member.pk}", member.certificate_number)
    phone.submit("form[action$='/sign/team/'] button")
    phone.submit("#close-visit")
    record = phone.find("#record-pdf").get_attribute("href")
    content_type = phone.driver.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.headers.get('content-type')))", record
    )
    assert content_type == "application/pdf"
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CLOSED and visit.record_sha256
    phone.fits("inspector-closed-visit")


def rectification_to_close_out(phone: Phone) -> None:
    """The finding of the visit just closed, to its close-out (销号) by the body."""
    from onevisit.rectification.models import Rectification

    rect = Rectification.objects.get(problem__contains="配电箱未上锁")
    phone.log_in("scjg_admin")
    phone.open(f"/rectification/{rect.pk}/")
    phone.fill(
        "note", "企业递交整改报告：两台叉车已办理使用登记，附登记证复印件", within="#evidence"
    )
    phone.submit("#evidence button[type=submit]")
    assert "整改材料已提交" in phone.message()
    phone.driver.find_element(By.CSS_SELECTOR, "input[name=method][value=documents]").click()
    phone.driver.find_element(By.CSS_SELECTOR, "input[name=passed][value=yes]").click()
    phone.fill("note", "照片与报告相符，已整改到位")
    phone.submit("form[action$='/verify/'] button[type=submit]")
    phone.submit("form[action$='/close/'] button[type=submit]")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.CLOSED and rect.closed_on == timezone.localdate()
    phone.fits("admin-rectification-closed")


def plan_to_joint_visit(phone: Phone) -> None:
    from onevisit.inspections.models import Visit

    phone.log_in("supervisor")
    phone.open("/planning/")
    phone.submit("form[action$='/planning/runs/'] button[type=submit]")
    until(lambda: "联合" in phone.text())
    phone.fits("supervisor-planning")
    phone.log_in("scjg_admin")
    phone.open("/inspections/planned/")
    before = Visit.objects.count()
    phone.submit("main table form button[type=submit]")
    short = phone.find("#short-code").text
    assert len(short) == 9 and Visit.objects.count() == before + 1
    phone.fits("admin-registered-visit")


def draw_to_record(phone: Phone) -> None:
    from onevisit.draws.models import Draw

    phone.log_in("scjg_admin")
    phone.open("/draws/new/")
    seed_time = timezone.localtime() + dt.timedelta(seconds=4)
    next_year = timezone.localdate().year + 1
    phone.fill("title", f"{next_year}年第二季度市场监管双随机抽查（浏览器测试）")
    phone.fill("percent", "5")
    phone.fill("seed_source", f"中国福利彩票双色球第{next_year}040期开奖号码")
    # a seed known in four seconds (a person picks minutes; the test cannot wait that long)
    phone.driver.execute_script("document.querySelector('[name=seed_known_after]').step = 1")
    phone.fill("seed_known_after", seed_time.strftime("%Y-%m-%dT%H:%M:%S"))
    phone.fill("window_start", f"{next_year}-04-01")
    phone.fill("window_end", f"{next_year}-06-30")
    phone.driver.execute_script(
        "document.querySelector('select[name=items] option').selected = true"
    )
    phone.submit("main form button[type=submit]")
    assert "冻结" in phone.message(), phone.text()[:400]
    draw = Draw.objects.order_by("-pk").first()
    assert draw is not None and draw.status == Draw.Status.PLANNED
    until(lambda: timezone.now() > draw.seed_known_after)
    phone.open(f"/draws/{draw.pk}/")
    phone.fill("values", "3 8 9 14 22 27 31")
    phone.submit("form[action$='/run/'] button[type=submit]")
    draw.refresh_from_db()
    assert draw.status == Draw.Status.DRAWN and draw.record
    phone.log_in(None)
    phone.open(f"/draws/{draw.pk}/")
    phone.submit("form[action$='/verify/'] button[type=submit]")
    assert "验证通过" in phone.message(), phone.message()
    phone.fits("public-draw-record")


def alert_to_triggered_visit(phone: Phone) -> None:
    from onevisit.monitoring.models import Alert
    from onevisit.planning.models import Task

    alert = Alert.objects.filter(device__body__code="LC-GXJ", status=Alert.Status.OPEN).first()
    assert alert is not None, "the demo has an open alert for 工信局"
    phone.log_in("gxj_admin")
    phone.open("/monitoring/alerts/")
    phone.open(f"/monitoring/alerts/{alert.pk}/")
    if not phone.driver.find_elements(By.CSS_SELECTOR, "#escalate input[name=items]:checked"):
        phone.driver.find_element(By.CSS_SELECTOR, "#escalate input[name=items]").click()
    phone.submit("#escalate button[type=submit]")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ESCALATED and alert.task is not None
    assert Task.objects.get(pk=alert.task.pk).kind == "triggered"
    phone.fits("gxj-alert-escalated")


def tip_to_conclusion(phone: Phone) -> None:
    from onevisit.tips.models import Category, Tip

    category = Category.objects.filter(body__code="LC-SCJG", active=True).first()
    assert category is not None
    phone.log_in(None)
    phone.open("/tips/new/")
    phone.driver.execute_script(
        "document.querySelector('select[name=category]').value = arguments[0]", str(category.pk)
    )
    phone.fill("description", "东昌府区某超市出售过期食品，货架上有多批次过期酸奶")
    phone.fill("enterprise_name", "东昌府区某超市")
    phone.fill("address", "东昌府区柳园南路")
    time.sleep(3.2)  # a person takes a few seconds to write; the form refuses a robot's speed
    phone.submit("main form button[type=submit]")
    receipt = phone.find("#receipt").text
    secret = phone.find("#secret").text
    phone.fits("public-tip-receipt")
    tip = Tip.objects.get(receipt=receipt)
    phone.log_in("scjg_admin")
    phone.open(f"/tips/{tip.pk}/")
    phone.submit("form[action$='/acknowledge/'] button[type=submit]")
    phone.driver.find_element(By.CSS_SELECTOR, "input[name=verified][value=yes]").click()
    phone.fill("note", "现场核查属实，已责令下架并立案调查", within="form[action$='/conclude/']")
    phone.submit("form[action$='/conclude/'] button[type=submit]")
    tip.refresh_from_db()
    assert tip.status == Tip.Status.VERIFIED
    phone.log_in(None)
    phone.open("/tips/status/")
    phone.fill("receipt", receipt)
    phone.fill("secret", secret)
    phone.submit("main form button[type=submit]")
    assert "已责令下架" in phone.text()
    phone.fits("public-tip-concluded")
