"""The hostile HTML report in a real headless Chromium: no payload runs, with or without the CSP's help.

Every payload in the hostile fixture would, if it ran, change `document.title` or add a `data-pwned` attribute
to <body>. We load the DOM after scripts would have run (`--dump-dom`) and look for either. The CSP is tested
separately: the report is checked once with its CSP removed (escaping alone must hold), and a script injected on
purpose is shown to run without the CSP (so the harness can see execution) and to be blocked with it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fixtures.writers import runs

from checker.writers import WRITERS

TITLE = "cfn-iso27001 ISO/IEC 27001:2022 evidence report"
PROBE = "<script>document.title='PWNED';document.body.setAttribute('data-pwned','1')</script>"
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make test installs it with scripts/ensure-chromium.sh)")
        pytest.skip("chromium is not installed: run scripts/ensure-chromium.sh as root")
    return path


def _run(chromium: str, tmp_path: Path, html: str, *extra: str) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    profile = tmp_path / "profile"
    argv = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            f"--user-data-dir={profile}", "--virtual-time-budget=2000", *extra, page.as_uri()]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _dom(chromium: str, tmp_path: Path, html: str) -> str:
    dom = _run(chromium, tmp_path, html, "--dump-dom")
    assert "</html>" in dom, "chromium printed no DOM"
    return dom


def _executed(dom: str) -> bool:
    title = re.search(r"<title>(.*?)</title>", dom, re.DOTALL)
    return "data-pwned" in dom.split("<body", 1)[1].split(">", 1)[0] or title is None or title.group(1) != TITLE


def _hostile() -> str:
    return WRITERS["html"].render(runs.hostile_run())


def test_hostile_report_runs_nothing(chromium: str, tmp_path: Path) -> None:
    dom = _dom(chromium, tmp_path, _hostile())
    assert not _executed(dom)
    assert "<script" not in dom and "<img" not in dom
    assert "document.title='PWNED'" in dom.replace("&#39;", "'")  # the payload is there, as text


def test_escaping_alone_holds_without_the_csp(chromium: str, tmp_path: Path) -> None:
    html, removed = CSP_META.subn("", _hostile())
    assert removed == 1
    dom = _dom(chromium, tmp_path, html)
    assert not _executed(dom)
    assert "<script" not in dom and "<img" not in dom


def test_harness_sees_execution_and_the_csp_blocks_it(chromium: str, tmp_path: Path) -> None:
    injected = _hostile().replace("</body>", PROBE + "</body>")
    assert _executed(_dom(chromium, tmp_path / "no-csp", CSP_META.sub("", injected)))
    assert not _executed(_dom(chromium, tmp_path / "csp", injected))


def test_screenshot(chromium: str, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    _run(chromium, tmp_path, WRITERS["html"].render(runs.failing_run()), f"--screenshot={png}",
         "--window-size=1280,2000", "--hide-scrollbars")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
