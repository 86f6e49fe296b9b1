"""``arch serve`` in a real browser: Debian's chromium, driven by Selenium through Debian's
chromedriver, over a copy of the sample archive plus one article with a hostile title.

One server and one browser serve the whole module. The tests do what a colleague would: search
for "Kim Jong Un", open a result, follow a related article, open the name page, and check what
the page shows (text, links, the hostile title as text, no script run). They skip, saying why,
only when no browser is installed (``.ci/run`` installs it: ``apt-get install chromium
chromium-driver``).

``test_readme_screenshot`` takes the README's screenshot: with ARCH_UPDATE_SCREENSHOT=1 it
writes docs/serve-search.png, otherwise a copy in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from archive_search import Archive, Article

pytest.importorskip("flask", reason="the web extra (flask) is not installed")
webdriver = pytest.importorskip("selenium.webdriver",
                                reason="selenium is not installed (the test extra has it)")

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.expected_conditions import staleness_of  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

HOSTILE = '<script>alert("boo")</script><img src=x onerror=alert(1)> Harbour volunteers'
SCREENSHOT = REPO / "docs" / "serve-search.png"


def _browser() -> tuple[str, str]:
    """Debian's chromium and its chromedriver, or a skip saying what is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver" if os.path.exists("/usr/lib/chromium/chromedriver")
        else None)
    if not browser or not driver:
        pytest.skip("no chromium and chromedriver here: apt-get install -y chromium "
                    "chromium-driver (.ci/run does it)")
    return browser, driver


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``arch serve --port 0`` over the sample archive and the hostile article: its address."""
    root = tmp_path_factory.mktemp("served")
    shutil.copy(REPO / "archive.yaml", root / "archive.yaml")
    shutil.copytree(REPO / "corpus", root / "corpus")
    (root / "index").mkdir()
    arc = Archive.open(root)
    hostile = Article(title=HOSTILE, body="The harbour <b>wall</b> was mended by volunteers.",
                      date="2023-10-01", source="<Gazette>", url="javascript:alert(1)")
    hostile.ensure_id()
    arc.corpus.write(hostile)
    arc.update_index()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")]).rstrip(os.pathsep)}
    proc = subprocess.Popen([sys.executable, "-m", "archive_search", "-a", str(root), "serve",
                             "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline() if proc.stderr else ""
            if not line and proc.poll() is not None:
                break
            if " at http://" in line:
                url = line.split(" at ", 1)[1].split()[0]
        assert url, "arch serve did not start"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    binary, driver_path = _browser()
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900", "--lang=en"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def follow(browser: Any, action: Callable[[], None]) -> None:
    """Do ``action`` (a click, an Enter) and wait for the page it leads to."""
    old = browser.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(browser, 20).until(staleness_of(old))


def search(browser: Any, server: str, query: str) -> None:
    """Type ``query`` in the search box of the start page and press Enter, as a user does."""
    browser.get(server)
    box = browser.find_element(By.NAME, "q")
    box.clear()
    follow(browser, lambda: box.send_keys(query + "\n"))


def no_alert(browser: Any) -> bool:
    """Whether no script has opened an alert (what the hostile title would do if it ran)."""
    try:
        alert = browser.switch_to.alert
    except NoAlertPresentException:
        return True
    return alert is None


def test_search_open_a_result_follow_related_and_open_the_name(browser: Any, server: str) -> None:
    search(browser, server, "Kim Jong Un")
    assert browser.find_element(By.TAG_NAME, "h1").text == "12 articles match Kim Jong Un"
    assert browser.find_element(By.CLASS_NAME, "variants").text == (
        "Also matched other spellings: Kim Jong-un, Kim Jongun.")
    hits = browser.find_elements(By.CSS_SELECTOR, ".hit a.title")
    assert len(hits) == 10
    assert browser.find_elements(By.CSS_SELECTOR, ".snippet mark")
    assert "next ›" in browser.find_element(By.CLASS_NAME, "pages").text
    title = hits[0].text
    follow(browser, hits[0].click)
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    related = browser.find_elements(By.CSS_SELECTOR, ".related > ol > li > a")
    assert related, "the article page lists related articles"
    reasons = browser.find_element(By.CSS_SELECTOR, ".related .reasons").text
    assert reasons
    other = related[0].text
    follow(browser, related[0].click)
    assert browser.find_element(By.TAG_NAME, "h1").text == other
    search(browser, server, "Kim Jong Un")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".name-link a").click)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Kim Jong-un"
    spellings = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.spelling")]
    assert spellings == ["Kim Jong-un", "Kim Jong Un", "Kim Jongun"]
    assert "In 12 articles, first seen 2023-09-11" in browser.find_element(
        By.CLASS_NAME, "summary").text
    assert browser.find_elements(By.CSS_SELECTOR, ".timeline svg rect")


def test_a_hostile_title_shows_as_text_and_runs_nothing(browser: Any, server: str) -> None:
    search(browser, server, "volunteers")
    link = browser.find_element(By.CSS_SELECTOR, ".hit a.title")
    assert link.text == HOSTILE
    assert no_alert(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
    follow(browser, link.click)
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE
    assert "The harbour <b>wall</b> was mended" in browser.find_element(By.CLASS_NAME,
                                                                       "body").text
    # a javascript: address is shown, never a link
    assert browser.find_element(By.CLASS_NAME, "url").text == "javascript:alert(1)"
    assert not browser.find_elements(By.CSS_SELECTOR, 'a[href^="javascript"]')
    assert no_alert(browser)


def test_a_bad_query_gets_a_page_that_says_why(browser: Any, server: str) -> None:
    search(browser, server, '"unclosed')
    assert "unbalanced quote" in browser.find_element(By.CLASS_NAME, "error").text
    browser.get(server + "article/no-such-article")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"


def test_readme_screenshot(browser: Any, server: str, tmp_path: Path) -> None:
    search(browser, server, "Kim Jong Un")
    browser.find_element(By.CSS_SELECTOR, ".hit a.title")
    target = SCREENSHOT if os.environ.get("ARCH_UPDATE_SCREENSHOT") else tmp_path / "shot.png"
    assert browser.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
