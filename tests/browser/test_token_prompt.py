"""The explorer's token prompt in a real headless Chromium over the real API (issue #18, item 5).

Asked for once, kept in the tab's sessionStorage (never in the URL), a 401 brings the prompt back, "Sign out"
forgets it; the page shows only what the token may see. The browser here is never signed in by the
conftest: the tests open the page themselves (`page.open(..., token=False)` or the driver directly).
The 401 answers the page receives on purpose are logged by Chromium as "Failed to load resource"
errors: those are allowed here (and the favicon of the static file each test starts on), any other console
error fails the test."""
from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from service.auth.principal import Role
from service.components import Services

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser, base_url: str) -> Iterator[object]:
    """The module's browser on a tab with nothing in sessionStorage; fails on console errors other than
    the expected 401s."""
    browser.console()
    browser.driver.get(f"{base_url}/static/explorer.css")
    browser.js("sessionStorage.clear(); localStorage.clear();")
    yield browser
    severe = [e["message"] for e in browser.console() if e.get("level") == "SEVERE"
              and "401" not in e["message"] and "favicon.ico" not in e["message"]]
    assert not severe, "JavaScript console errors:\n" + "\n".join(severe)


def token(services: Services, name: str, role: Role = Role.reader, departments=("Department of Agriculture",)) -> str:
    return services.tokens.create(name, list(departments), [], role).token


def dialog_open(page) -> bool:
    return bool(page.js("return document.getElementById('token-dialog').open"))


def wait_prompt(page) -> str:
    page.wait(lambda: dialog_open(page), message="the token dialog")
    return page.driver.find_element(By.ID, "token-message").text


def submit(page, value: str) -> None:
    box = page.driver.find_element(By.ID, "token-input")
    assert box.get_attribute("type") == "password"
    box.clear()
    box.send_keys(value)
    page.driver.find_element(By.ID, "token-submit").click()


def status_error(page) -> str:
    return page.js("const s = document.getElementById('status'); "
                   "return s.classList.contains('error') ? s.textContent : ''")


def central_names(page) -> list[str]:
    return page.js("return [...document.querySelectorAll('.central-button .name')].map(e => e.textContent)")


def signed_in(page) -> None:
    page.wait(lambda: not dialog_open(page), message="the dialog to close")
    page.wait_idle()
    page.wait(lambda: central_names(page), message="the central entities")
    assert status_error(page) == ""


def test_no_token_prompts_and_a_good_token_loads_the_page(tab, base_url: str, corpus_services: Services):
    page, driver = tab, tab.driver
    secret = token(corpus_services, "browser-public-reader")
    driver.get(f"{base_url}/explorer")
    message = wait_prompt(page)
    assert "token" in message.lower()
    assert page.js("return document.documentElement.dataset.ready") != "true"  # nothing loaded behind it
    page.screenshot("20-token-prompt")
    submit(page, secret)
    signed_in(page)
    assert page.stored_token() == secret
    assert secret not in driver.current_url and "token" not in driver.current_url.lower()
    assert secret not in (page.js("return JSON.stringify(localStorage)") or "")
    # a public-only reader: the Department of Justice's document (not public) is not shown
    names = central_names(page)
    assert "Chuck Grassley" in names and "Joni Ernst" not in names
    # search works with the token, and navigating keeps it out of the URL
    box = driver.find_element(By.ID, "search")
    box.send_keys("Grassley")
    page.wait(lambda: page.js("""const l = document.getElementById('search-list');
        return !l.hidden && [...l.querySelectorAll('[role=option] .name')]
          .some(o => o.textContent === 'Chuck Grassley')"""), message="a search result")
    box.send_keys(Keys.ENTER)
    page.wait(lambda: page.js("const e = document.getElementById('panel-title'); return e && e.textContent")
              == "Chuck Grassley", message="the entity panel")
    page.wait_idle()
    assert "entity=" in driver.current_url and secret not in driver.current_url
    assert status_error(page) == ""
    # a reload in the same tab asks nothing again
    driver.get(f"{base_url}/explorer")
    page.wait_idle()
    assert not dialog_open(page) and page.stored_token() == secret
    page.screenshot("21-token-accepted")


def test_an_admin_token_shows_what_the_public_reader_does_not(tab, base_url: str,
                                                            corpus_services: Services):
    page = tab
    page.driver.get(f"{base_url}/explorer")
    wait_prompt(page)
    submit(page, token(corpus_services, "browser-admin", Role.admin, ()))
    signed_in(page)
    assert "Joni Ernst" in central_names(page)


def test_a_wrong_token_brings_the_prompt_back(tab, base_url: str, corpus_services: Services):
    page, driver = tab, tab.driver
    driver.get(f"{base_url}/explorer")
    wait_prompt(page)
    submit(page, "gkg_000000000000_not-a-real-token")
    page.wait(lambda: dialog_open(page) and "refused" in driver.find_element(By.ID, "token-message").text.lower(),
              message="the prompt again, saying why")
    assert driver.find_element(By.ID, "token-message").text.strip()
    assert page.stored_token() is None  # removed (sessionStorage.removeItem), not blanked
    page.screenshot("22-token-refused")
    # then the right one
    good = token(corpus_services, "browser-after-wrong")
    submit(page, good)
    signed_in(page)
    assert page.stored_token() == good
    # a token revoked while the page is open: the next request brings the prompt back
    corpus_services.tokens.revoke("browser-after-wrong")
    driver.find_element(By.ID, "search").send_keys("Iowa")
    message = wait_prompt(page)
    assert message.strip() and "revoked" in message.lower()
    assert page.stored_token() is None  # removed (sessionStorage.removeItem), not blanked
    submit(page, token(corpus_services, "browser-after-revoke"))
    page.wait(lambda: not dialog_open(page), message="the dialog to close")
    page.wait_idle()
    assert status_error(page) == ""


def test_a_stored_token_that_no_longer_works_prompts(tab, base_url: str, corpus_services: Services):
    page, driver = tab, tab.driver
    page.store_token("gkg_0123456789ab_stale")
    driver.get(f"{base_url}/explorer")
    message = wait_prompt(page)
    assert "refused" in message.lower()


def test_sign_out_forgets_the_token(tab, base_url: str, corpus_services: Services):
    page, driver = tab, tab.driver
    secret = token(corpus_services, "browser-sign-out")
    driver.get(f"{base_url}/explorer")
    wait_prompt(page)
    submit(page, secret)
    signed_in(page)
    sign_out = driver.find_element(By.ID, "sign-out")
    assert sign_out.is_displayed()
    sign_out.click()
    message = wait_prompt(page)
    assert page.stored_token() is None  # removed (sessionStorage.removeItem), not blanked
    assert secret not in driver.current_url
    assert "token" in message.lower()
    # the API itself still answers without a token with 401 (the page holds none)
    assert httpx.get(f"{base_url}/stats", headers={"Authorization": ""}).status_code == 401


def test_escape_does_not_leave_the_page_without_a_prompt(tab, base_url: str, corpus_services: Services):
    """The dialog is modal: Escape (the dialog's `cancel`) must not close it while the page waits for a token,
    or every request would wait forever behind a prompt nobody can see."""
    page, driver = tab, tab.driver
    driver.get(f"{base_url}/explorer")
    wait_prompt(page)
    for _ in range(2):  # Chromium closes a modal dialog on a second Escape whatever the page says
        driver.find_element(By.ID, "token-input").send_keys(Keys.ESCAPE)
        time.sleep(0.3)
        assert dialog_open(page), "Escape closed the token prompt: the page waits for a token it cannot ask for"
    submit(page, token(corpus_services, "browser-escape"))
    signed_in(page)
