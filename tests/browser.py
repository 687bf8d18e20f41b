"""A real browser for the pages the course makes: headless Chromium (Debian's `chromium` package,
which .ci/run installs where it is missing). `look(page)` opens a page, takes a screenshot and
reports what the browser laid out, measured by a small script run in a copy of the page.

Where no Chromium is installed, the browser tests are skipped, except in CI ($CI set), where that
is an error.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None
)
WIDTH, HEIGHT = 1000, 1400

# Measures the page once everything (its inline images too) has loaded, and appends the report.
PROBE = """<script>
window.addEventListener("load", () => {
  const inOutputs = [...document.querySelectorAll("div.output_area pre")];
  const report = {
    viewport: window.innerWidth,
    page_width: document.documentElement.scrollWidth,
    overflowing: inOutputs.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 80)),
    errors: [...document.querySelectorAll("div.output_error pre")].map(e => e.innerText),
    toc: [...document.querySelectorAll("#toc li")].map(e => e.innerText),
    summary: (document.querySelector("#summary") || {innerText: ""}).innerText,
    images: [...document.querySelectorAll("div.output_area img")].map(e => ({
      width: e.getBoundingClientRect().width, natural: e.naturalWidth, container: e.parentElement.clientWidth})),
    math: [...document.querySelectorAll("math")].map(e => e.getBoundingClientRect().width),
    fetches: [...document.querySelectorAll("[src], link[href]")].map(e => e.getAttribute("src") || e.getAttribute("href"))
      .filter(url => !url.startsWith("data:")),
    scripts: document.querySelectorAll("script").length,
    text: document.body.innerText,
  };
  const out = document.createElement("pre");
  out.id = "layout-report";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
</script>"""


def require_chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    message = "no headless Chromium here (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _chromium(*args: str) -> subprocess.CompletedProcess:
    # --no-sandbox: Chromium's own sandbox refuses to start as root (CI); the page is the course's own
    command = [
        require_chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def look(page: Path, scratch: Path) -> dict:
    """Open `page` in headless Chromium: a screenshot (scratch/<name>.png, its path under the key
    "screenshot") and the layout report of PROBE."""
    scratch.mkdir(parents=True, exist_ok=True)
    probed = page.with_name(f".probed-{page.name}")  # beside the page: what it links to resolves as for the page
    text = page.read_text()
    head, body_end, tail = text.rpartition("</body>")
    probed.write_text(head + PROBE + body_end + tail if body_end else text + PROBE)
    try:
        dumped = _chromium("--virtual-time-budget=20000", "--dump-dom", probed.as_uri())
    finally:
        probed.unlink()
    found = re.search(r'<pre id="layout-report">(.*?)</pre>', dumped.stdout, re.S)
    assert found, f"Chromium reported nothing for {page}:\n{dumped.stderr[-2000:]}"
    report = json.loads(html.unescape(found.group(1)))
    shot = scratch / f"{page.stem}.png"
    done = _chromium(f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG"), done.stderr[-2000:]
    report["screenshot"] = shot
    return report
