"""Open a written view in headless Chromium, offline, and report what the page did.

Used by the browser tests and `scripts/bench_views.py`. Needs Debian's `chromium` and
`chromium-driver` packages and the `selenium` Python package (test extra). The browser runs
with network access cut three ways (DevTools offline emulation, a dead proxy, a resolver that
resolves nothing) and every request the page attempts is read from the DevTools Network log.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KGError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--window-size=1400,900",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

_PAGE_STATE = """
const v = window.kgView || null;
return {
  state: document.body ? document.body.dataset.state : null,
  error: document.body ? (document.body.dataset.error || null) : null,
  nodes: v ? v.nodes.length : null,
  edges: v ? v.edges.length : null,
  renderMs: v ? v.meta.renderMs : null,
  timings: v ? v.meta.timings : null,
  pwned: window.__kgPwned === undefined ? null : String(window.__kgPwned),
  images: document.images.length,
  title: document.title,
  heading: (document.querySelector('h1') || {}).textContent || null,
  resources: performance.getEntriesByType('resource').map(e => e.name),
};
"""


class BrowserUnavailable(KGError):
    """Chromium, chromedriver or selenium is not installed."""


@dataclass
class PageReport:
    """What a view did in the browser."""

    path: Path
    state: str | None
    nodes: int | None
    edges: int | None
    render_ms: float | None
    wall_seconds: float
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    error: str | None = None
    pwned: str | None = None
    images: int = 0
    title: str = ""
    heading: str | None = None
    resources: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def remote_requests(self) -> list[str]:
        """Requests for anything but the page itself and inline data."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


def find_executable(candidates: tuple[str, ...], name: str) -> str | None:
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def browser_missing() -> str | None:
    """Why the browser check cannot run here (None when it can)."""
    if find_executable(CHROMIUM_CANDIDATES, "chromium") is None:
        return "chromium is not installed (apt-get install -y chromium chromium-driver)"
    if find_executable(CHROMEDRIVER_CANDIDATES, "chromedriver") is None:
        return "chromedriver is not installed (apt-get install -y chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


class HeadlessChromium:
    """One offline headless Chromium session (use as a context manager)."""

    def __init__(self) -> None:
        reason = browser_missing()
        if reason:
            raise BrowserUnavailable(reason)
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not download anything
        self._profile = tempfile.mkdtemp(prefix="kg-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = find_executable(CHROMIUM_CANDIDATES, "chromium")
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        service = Service(executable_path=find_executable(CHROMEDRIVER_CANDIDATES, "chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def __enter__(self) -> HeadlessChromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def open(self, path: Path, timeout: float = 30.0) -> PageReport:
        """Load a view and wait until it has drawn its stabilised layout (or failed)."""
        self.driver.get_log("performance")  # drop events from earlier pages
        self.driver.get_log("browser")
        started = time.perf_counter()
        self.driver.get(Path(path).resolve().as_uri())
        deadline = started + timeout
        state: dict[str, Any] = {}
        while time.perf_counter() < deadline:
            state = self.driver.execute_script(_PAGE_STATE)
            if state["state"] == "ready" or state["error"]:
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        requests = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
        console = [f"{e['level']}: {e['message']}" for e in self.driver.get_log("browser")]
        return PageReport(
            path=Path(path),
            state=state.get("state"),
            nodes=state.get("nodes"),
            edges=state.get("edges"),
            render_ms=state.get("renderMs"),
            wall_seconds=wall,
            requests=requests,
            console=console,
            error=state.get("error"),
            pwned=state.get("pwned"),
            images=state.get("images", 0),
            title=state.get("title", ""),
            heading=state.get("heading"),
            resources=state.get("resources", []),
            timings=state.get("timings") or {},
        )

    def run(self, script: str) -> Any:
        return self.driver.execute_script(script)

    def screenshot(self, target: Path) -> Path:
        self.driver.save_screenshot(str(target))
        return target

    def node_point(self, node_id: str) -> tuple[float, float]:
        """Viewport coordinates of a drawn node's centre."""
        x, y = self.driver.execute_script(
            "const v = window.kgView, p = v.network.getPositions([arguments[0]])[arguments[0]];"
            "const d = v.network.canvasToDOM(p);"
            "const r = document.getElementById('graph').getBoundingClientRect();"
            "return [d.x + r.left, d.y + r.top];",
            node_id,
        )
        return float(x), float(y)

    def pointer(self, x: float, y: float, click: bool = False) -> None:
        """Move the mouse to viewport coordinates (and click there)."""
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        actions = ActionBuilder(self.driver)
        actions.pointer_action.move_to_location(int(x), int(y))
        if click:
            actions.pointer_action.click()
        actions.perform()
