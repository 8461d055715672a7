"""The Snakemake report of the tiny run (phased + forecast), opened in a real headless Chromium:
what a reader sees is checked in the DOM the browser rendered, with the report's JavaScript run."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import snakemake, tiny_config
from debian import Unavailable, apt_install

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

selenium = pytest.importorskip("selenium", reason="selenium is a test dependency: pip install -e '.[test]'")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CATEGORIES = {
    "Claims": ["claims (table)", "claims per seed (table)", "pi coverage (table)", "stability (table)",
               "claims forest (figure)", "claims distributions (figure)", "claims by seeds (figure)"],
    "Table 1": ["table1 (table)", "stress vs density (figure)", "noise curves (figure)", "ambiguity curves (figure)"],
    "Table 2": ["table2 (table)", "branch differences (figure)"],
    "Pruning methods": ["methods (table)", "methods comparison (figure)"],
    "Run and provenance": ["provenance (table)"],
    "Forecasting": ["summary (table)", "by length (table)", "tests (table)", "claims (table)",
                    "mae by method (figure)", "mae by length (figure)"],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The tiny run, phased and forecast, and its report."""
    workdir = tmp_path_factory.mktemp("report")
    snakemake(workdir, "--cores", "2", "all", "forecast", config=tiny_config())
    snakemake(workdir, "--report", "results/tiny/report.html", "all", "forecast")
    return workdir


@pytest.fixture(scope="module")
def browser():
    try:
        apt_install(["chromium", "chromium-driver"], ["chromium", "chromedriver"])
    except Unavailable as reason:
        pytest.skip(f"no headless Chromium on this machine: {reason}")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1600,1200"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def wait_for_text(driver, text: str, timeout: float = 30):
    """The element the browser shows with exactly ``text``, once React has drawn it."""
    locator = (By.XPATH, f"//*[normalize-space(text())={xpath_literal(text)}]")
    return WebDriverWait(driver, timeout).until(expected_conditions.element_to_be_clickable(locator))


def xpath_literal(text: str) -> str:
    return f'"{text}"' if '"' not in text else f"'{text}'"


def show_category(driver, report_file, category: str) -> dict[str, list]:
    """Open the report afresh, pick ``category`` in the menu, and return its entries' rows by name."""
    driver.get(report_file.as_uri())
    wait_for_text(driver, category).click()
    wait_for_text(driver, CATEGORIES[category][0])
    rows = driver.find_elements(By.XPATH, "//tbody/tr")
    return {row.find_element(By.TAG_NAME, "td").text: row.find_elements(By.TAG_NAME, "a") for row in rows}


def shown_page_text(driver, entry_buttons) -> str:
    """Click an entry's view button; the text of the HTML page the report then shows in its frame."""
    entry_buttons[0].click()
    frame = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "iframe"))
    driver.switch_to.frame(frame)
    text = driver.find_element(By.TAG_NAME, "body").text
    driver.switch_to.default_content()
    return text


def caption_text(driver, entry_buttons) -> str:
    """Click an entry's info button; the caption the report shows under "Description"."""
    entry_buttons[1].click()
    heading = wait_for_text(driver, "Description")
    return heading.find_element(By.XPATH, "./ancestor::ul[1]").text


def test_the_first_view_explains_the_run_with_its_config(report, browser):
    browser.get((report / "results" / "tiny" / "report.html").as_uri())
    wait_for_text(browser, "Workflow")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "over 2 seeds (0, 1), trained in blocks of 2" in text  # tiny.yaml, rendered by Jinja
    assert "(4 → 32 → 32 → 16 → 4)" in text and "early density (0.3, 1.0)" in text
    assert "How to read a claim" in text and 'The margin for "no meaningful effect" is 2.0 percentage points' in text
    for category in CATEGORIES:  # the menu lists every category
        wait_for_text(browser, category)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_table_and_figure_has_an_entry_that_shows_it(report, browser, category):
    report_file = report / "results" / "tiny" / "report.html"
    entries = show_category(browser, report_file, category)
    assert sorted(entries) == sorted(CATEGORIES[category])
    for name in CATEGORIES[category]:
        entries = show_category(browser, report_file, category)
        if name.endswith("(figure)"):
            entries[name][0].click()
            image = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "img[src^='data:image/png']"))
            expected = name.removesuffix(" (figure)").replace(" ", "_") + ".png"
            assert f"filename={expected}" in image.get_attribute("src")
            assert browser.execute_script("return arguments[0].naturalWidth", image) > 300  # decoded and drawn
        else:
            assert shown_page_text(browser, entries[name]).strip(), f"{category}: {name} shows an empty page"


def test_the_claims_table_shows_every_claim_and_verdict(report, browser):
    entries = show_category(browser, report / "results" / "tiny" / "report.html", "Claims")
    text = shown_page_text(browser, entries["claims (table)"])
    claims = pd.read_parquet(report / "results" / "tiny" / "tables" / "claims.parquet")
    lines = text.splitlines()
    for row in claims.itertuples():
        line = next(line for line in lines if line.startswith(f"{row.claim_id} "))
        assert row.verdict in line and row.direction in line, line


def test_captions_name_the_config_values(report, browser):
    report_file = report / "results" / "tiny" / "report.html"
    claims = caption_text(browser, show_category(browser, report_file, "Claims")["claims (table)"])
    assert "over 2 seeds" in claims and "margin is 2.0 percentage points" in claims
    assert "early density ≥ 0.8" in claims and "≤ 0.3" in claims and "α = 0.05" in claims
    table1 = caption_text(browser, show_category(browser, report_file, "Table 1")["table1 (table)"])
    assert "(0.3, 1.0)" in table1 and "σ = 3.0" in table1
    forecast = caption_text(browser, show_category(browser, report_file, "Forecasting")["summary (table)"])
    assert "(goog, stocks)" in forecast and "(lstm, patchtst)" in forecast and "2 trials" in forecast
    provenance = show_category(browser, report_file, "Run and provenance")["provenance (table)"]
    page = shown_page_text(browser, provenance)
    assert "results_hash" in page and "torch_version" in page and "seed 0,1" in page
