"""How long ``arch serve``'s pages take, measured from a real browser.

    python bench/serve_pages.py ARCHIVE [--turns 3]

ARCHIVE is an archive (for the README's figures, Reuters-21578: ``arch init /tmp/reu18 &&
arch -a /tmp/reu18 import ../shared/corpora/reuters21578``). The script starts ``arch serve
--port 0`` over it with this checkout's code, opens Debian's chromium (headless, through
Selenium and chromedriver, as tests/test_serve_browser.py does) and loads each page of the table
``--turns`` times, the pages taking turns after one warm-up round: the search pages, the
article page of the first result of a search, and the name page of a name. For each page: the
median and the slowest time from asking for the page to the browser having loaded it, and the
median time the server spent making it (the "page made in … ms" of its footer).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

REPO = Path(__file__).resolve().parents[1]

SEARCHES = ["oil", "Volcker", "crude oil prices date:1987-03", '"interest rates" OR tags:money-fx']
ARTICLE_OF = "Volcker"
NAME = "Paul Volcker"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "archive_search", "-a", args.archive,
                             "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = ""
        while " at http://" not in url:
            url = proc.stderr.readline() if proc.stderr else ""
            if not url and proc.poll() is not None:
                sys.exit("arch serve did not start")
        base = url.split(" at ", 1)[1].split()[0]
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--window-size=1200,900"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(f"{base}?q={quote_plus(ARTICLE_OF)}")
            first = driver.find_element(By.CSS_SELECTOR, ".hit a.title").get_attribute("href")
            pages = [(f"search {q}", f"{base}?q={quote_plus(q)}") for q in SEARCHES]
            pages += [(f"article (first hit of {ARTICLE_OF})", first),
                      (f"name {NAME}", f"{base}name?q={quote_plus(NAME)}"), ("home", base)]
            times: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in pages}
            for turn in range(args.turns + 1):
                for label, page in pages:
                    started = time.perf_counter()
                    driver.get(page)
                    took = time.perf_counter() - started
                    footer = driver.find_element(By.TAG_NAME, "footer").text
                    made = re.search(r"page made in (\d+) ms", footer)
                    if turn:  # the first round warms the caches up
                        times[label].append((took, float(made[1]) if made else float("nan")))
        finally:
            driver.quit()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{'page':<48} {'median s':>9} {'max s':>7} {'server ms':>10}")
    for label, runs in times.items():
        loads = [t for t, _ in runs]
        print(f"{label:<48} {statistics.median(loads):>9.2f} {max(loads):>7.2f} "
              f"{statistics.median(m for _, m in runs):>10.0f}")


if __name__ == "__main__":
    main()
