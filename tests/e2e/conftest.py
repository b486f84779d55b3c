"""Browser harness: one gunicorn on a fresh SQLite database with the demo data, one headless
Debian Chromium, a watcher on every page (console errors, CSP violations, failed requests,
unexpected 4xx/5xx), screenshots of every step and the untranslated-string checker."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import support

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
SHOTS = support.ROOT / "artifacts" / "screenshots"
DEMO_PASSWORD = "bibarys-demo"

# Listening for CSP violations inside the page: the event is not a console message everywhere.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  var where = e.target && e.target.outerHTML ? ' on ' + e.target.outerHTML.slice(0, 160) : '';
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' +
                              (e.sourceFile || '') + ':' + (e.lineNumber || 0) + where +
                              (e.sample ? ' sample: ' + e.sample : ''));
});
"""


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory):
    """The shop as a shopper meets it: gunicorn (DEBUG on so whitenoise serves static files from
    the source tree and Django serves media), its own SQLite file, migrate + seed_demo."""
    reuse = os.environ.get("E2E_SERVER_URL")
    if reuse:
        # Writing the flows: point at a server you already run (seeded once) to skip the seed.
        server = type("Reused", (), {"url": reuse.rstrip("/"),
                                     "db_path": Path(os.environ["E2E_DB_PATH"])})()
        yield server
        return
    directory = tmp_path_factory.mktemp("e2e")
    env = support.clean_env(
        DEBUG="1", DATABASE_URL=support.sqlite_database(directory),
        MEDIA_ROOT=str(directory / "media"), ALLOWED_HOSTS="127.0.0.1,localhost",
        # One visitor (127.0.0.1) signs in many times here; the limits have their own tests.
        RATELIMIT_LOGIN="10000/m", RATELIMIT_SIGNUP="10000/h", RATELIMIT_CHECKOUT="10000/m",
        RATELIMIT_REVIEW="10000/m", RATELIMIT_TOPUP="10000/m",
    )
    support.manage("migrate", "--no-input", "-v", "0", env=env)
    support.manage("seed_demo", "--products", "60", env=env)
    server = support.Server(env, workers=1, threads=8, name="e2e", log_dir=directory)
    server.start()
    server.db_path = directory / "db.sqlite3"
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        support.missing_service(f"Chromium is not installed at {CHROMIUM} (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _screenshot_dir():
    """The folder holds this run's steps only (a stale shot from an older run misleads)."""
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


class Problems(AssertionError):
    pass


class UI:
    """One visitor in one browser context: a page, its watcher and helpers for the flows."""

    def __init__(self, browser, server, flow: str, viewport: str, *, locale: str = "en-US",
                 storage_state: str | None = None):
        self.server = server
        self.base = server.url
        self.flow = flow
        self.viewport = viewport
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale,
                                           accept_downloads=True, storage_state=storage_state)
        self.context.set_default_timeout(10_000)
        self.context.add_init_script(CSP_LISTENER)
        # The English rendering is the flows' baseline (a stored session may carry another).
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": self.base}])
        self.page = self.context.new_page()
        # `data-confirm` buttons ask with window.confirm(): the person says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.problems: list[str] = []
        self.expected: list[tuple[int, str]] = []  # (status, url substring) allowed to be ≥ 400
        self.visited: list[str] = []
        self.step = 0
        self._watch(self.page)

    # -- the watcher ---------------------------------------------------------------------------
    def _watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource"):
            # Already judged by _on_response, except browser-initiated fetches (favicon).
            match = re.search(r"status of (\d+)", message.text)
            status = int(match.group(1)) if match else 0
            if any(status == s and fragment in source for s, fragment in self.expected):
                return
        self.problems.append(f"console error on {self.page.url}: {message.text} {source}")

    def _on_request_failed(self, req):
        failure = req.failure or ""
        # A navigation that replaces the page (or a download) aborts what was still loading.
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {req.method} {req.url} {failure}")

    def _on_response(self, response):
        if response.status < 400:
            return
        for status, fragment in self.expected:
            if response.status == status and fragment in response.url:
                return
        self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def expect_status(self, status: int, url_fragment: str):
        self.expected.append((status, url_fragment))

    def check(self):
        """No console error, no CSP violation, no failed or unexpected ≥400 request so far."""
        try:
            violations = self.page.evaluate("window.__cspViolations || []")
        except Exception:  # the page may be mid-navigation; the console still has them
            violations = []
        problems = self.problems + [f"CSP violation on {self.page.url}: {v}" for v in violations]
        self.problems = []
        if problems:
            raise Problems("\n".join(problems))

    # -- navigation and steps --------------------------------------------------------------------
    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def go(self, path: str, label: str | None = None, status: int = 200):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == status, (
            f"GET {path}: {response.status if response else None}, expected {status}")
        self.settled(label or path.strip("/").replace("/", "-") or "home")
        return response

    def settled(self, label: str):
        """After a navigation or click: remember the page for the language check, screenshot it,
        and assert the watcher saw nothing wrong."""
        self.page.wait_for_load_state("load")
        path = urlsplit(self.page.url)
        here = path.path + (f"?{path.query}" if path.query else "")
        if here not in self.visited:
            self.visited.append(here)
        self.shot(label)
        self.check_width()
        self.check()

    def check_width(self):
        """The page fits the screen: nothing pushes it wider than the viewport (a wide table
        scrolls inside its .table-wrap instead); and its aria and label references resolve."""
        wider = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wider > 0:
            self.problems.append(f"page {wider}px wider than the screen: {self.page.url}")
        # A screen reader follows these ids: each must name an element of the page.
        dangling = self.page.evaluate("""() => {
            const out = [];
            for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
                for (const el of document.querySelectorAll(`[${attr}]`)) {
                    for (const id of el.getAttribute(attr).split(/\\s+/)) {
                        if (id && !document.getElementById(id)) out.push(`${attr}="${id}"`);
                    }
                }
            }
            return out;
        }""")
        if dangling:
            self.problems.append(f"references to missing ids on {self.page.url}: {dangling}")

    def shot(self, label: str):
        # caret="initial": hiding the caret leaves style="" on every input, and htmx's settle
        # step copies that attribute onto swapped-in elements, which the strict CSP reports.
        self.step += 1
        safe = re.sub(r"[^a-zA-Z0-9_-]+", "-", label).strip("-")[:60]
        self.page.screenshot(path=str(SHOTS / f"{self.flow}-{self.viewport}-{self.step:02d}-{safe}.png"),
                             full_page=False, caret="initial")

    def submit(self, label: str, button=None):
        """Click a submit button (default: the first primary button of the main content) and wait
        for the next page."""
        button = button or self.page.locator("main button[type=submit].btn-primary").first
        with self.page.expect_navigation():
            button.click()
        self.settled(label)

    def login(self, username: str, password: str = DEMO_PASSWORD):
        self.go("/accounts/login/", "login")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit("logged-in")
        assert "/accounts/login/" not in self.page.url, "login failed"

    def logout(self):
        self.page.locator("details.menu summary").first.click()
        with self.page.expect_navigation():
            self.page.locator("form[action$='/accounts/logout/'] button").first.click()
        self.settled("logged-out")

    def text(self) -> str:
        return self.page.inner_text("main")

    def switch_language(self, language: str):
        """Use the header's language switcher (a POST to set_language that comes back here)."""
        with self.page.expect_navigation():
            self.page.locator(f"form.lang-switch button[value='{language}']").click()
        self.settled(f"lang-{language}")
        assert self.page.get_attribute("html", "lang") == language

    def htmx_settled(self):
        """Wait until htmx has no request in flight (the body loses its htmx-request class)."""
        # (No wait_for_function: the strict CSP forbids the eval it is built on.)
        from playwright.sync_api import expect

        expect(self.page.locator(".htmx-request")).to_have_count(0)

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def auth_state(browser, e2e_server, tmp_path_factory):
    """Log a demo user in once per session and keep the cookies (storage_state) for every
    later context of that user."""
    directory = tmp_path_factory.mktemp("auth")
    states: dict[str, str] = {}

    def state(username: str, password: str = DEMO_PASSWORD) -> str:
        if username not in states:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            try:
                page = context.new_page()
                page.goto(e2e_server.url + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                with page.expect_navigation():
                    page.locator("main button[type=submit].btn-primary").first.click()
                assert "/accounts/login/" not in page.url, f"{username} could not log in"
                path = directory / f"{username}.json"
                context.storage_state(path=str(path))
            finally:
                context.close()
            states[username] = str(path)
        return states[username]

    return state


@pytest.fixture
def make_ui(browser, e2e_server, auth_state):
    made = []

    def factory(flow: str, viewport: str = "desktop", *, user: str | None = None, **kwargs) -> UI:
        if user:
            kwargs["storage_state"] = auth_state(user)
        ui = UI(browser, e2e_server, flow, viewport, **kwargs)
        made.append(ui)
        return ui

    yield factory
    for ui in made:
        ui.close()


# ---------------------------------------------------------------------------------------------
# Untranslated strings: an English msgid of our catalogs shown verbatim on a kk/ru page.

_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfi]|%[sdfi]|\{[^}]*\}")


def _fragments(msgid: str) -> list[str]:
    parts = [p.strip(" .,:;!?()\n") for p in _PLACEHOLDER.split(msgid)]
    return [p for p in parts if len(p) >= 4 and re.search(r"[A-Za-z]{3}", p)]


def english_msgids(language: str) -> list[str]:
    """English texts of our catalog whose translation differs from the English (brand names and
    abbreviations that stay the same in every language are left out)."""
    import polib

    po = polib.pofile(str(support.ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    texts = set()
    for entry in po:
        if entry.obsolete:
            continue
        translations = ([entry.msgstr] if not entry.msgid_plural
                        else list(entry.msgstr_plural.values()))
        if any(t == entry.msgid for t in translations if t):
            continue
        for source in filter(None, [entry.msgid, entry.msgid_plural]):
            # Multi-line help texts and e-mail bodies are not shown as a whole on a page.
            for line in source.splitlines():
                texts.update(_fragments(line))
    return sorted(texts, key=len, reverse=True)


_MSGID_CACHE: dict[str, list[tuple[str, re.Pattern]]] = {}


def untranslated_on(text: str, language: str) -> list[str]:
    if language not in _MSGID_CACHE:
        _MSGID_CACHE[language] = [
            # Not inside an identifier: "shopper3" or "buyer_phone" are data, not UI text.
            (m, re.compile(r"(?<![A-Za-z0-9_])" + re.escape(m) + r"(?![A-Za-z0-9_])"))
            for m in english_msgids(language)
        ]
    return [m for m, pattern in _MSGID_CACHE[language] if pattern.search(text)]


# Untranslated texts the flows meet that belong to other apps' owners and are written down with
# who must fix them: (path regex, fragment, why). A page that shows only these makes the test
# xfail with the list (the flow itself has passed by then); any other leftover fails it. Remove
# an entry as soon as its owner fixes it (the xfail is not strict, so a fix shows as a pass).
KNOWN_UNTRANSLATED: list[tuple[str, str, str]] = []


def _known(path: str, fragment: str) -> str | None:
    bare = path.split("?")[0]
    for pattern, known, why in KNOWN_UNTRANSLATED:
        if known == fragment and re.search(pattern, bare):
            return why
    return None


def check_languages(ui: UI, paths: list[str] | None = None, languages=("kk", "ru")):
    """Open every page this visitor saw, in Kazakh and in Russian (same session), and assert that
    no English text of our catalogs is left on it; screenshots of each."""
    found = {}
    for language in languages:
        # The language cookie is what the switcher sets; it wins over Accept-Language.
        ui.context.add_cookies([{"name": "django_language", "value": language, "url": ui.base}])
        page = ui.context.new_page()
        ui._watch(page)
        try:
            seen = set()
            for path in paths or ui.visited:
                if "/logout" in path or "/login" in path and ui.flow != "anon":
                    continue
                # One rendering per view is enough: /catalog/?q=… and ?category=… share a template.
                if path.split("?")[0] in seen:
                    continue
                seen.add(path.split("?")[0])
                response = page.goto(ui.url(path))
                if response is None or response.status != 200:
                    continue
                html_lang = page.get_attribute("html", "lang")
                assert html_lang == language, f"{path} rendered as {html_lang}, not {language}"
                leftovers = untranslated_on(page.inner_text("body"), language)
                wider = page.evaluate("document.documentElement.scrollWidth"
                                      " - document.documentElement.clientWidth")
                if wider > 0:  # Kazakh words run longer than English ones
                    ui.problems.append(f"{language}: page {wider}px wider than the screen: {path}")
                if leftovers:
                    found[f"{language} {path}"] = leftovers
            ui.step += 1
            safe = re.sub(r"[^a-zA-Z0-9_-]+", "-", (paths or ui.visited)[-1])[:40]
            page.screenshot(path=str(SHOTS / f"{ui.flow}-{ui.viewport}-{ui.step:02d}-{language}{safe}.png"),
                            caret="initial")
        finally:
            page.close()
    ui.context.add_cookies([{"name": "django_language", "value": "en", "url": ui.base}])
    # The checker has teeth: the English rendering of the same page is flagged for kk.
    english = ui.context.new_page()
    try:
        english.goto(ui.url((paths or ui.visited)[-1]))
        assert untranslated_on(english.inner_text("body"), "kk"), "checker found nothing in English"
    finally:
        english.close()
    ui.check()
    unknown, known = {}, {}
    for key, fragments in found.items():
        path = key.split(" ", 1)[1]
        for fragment in fragments:
            why = _known(path, fragment)
            if why:
                known.setdefault(f"{key}: {fragment!r}", why)
            else:
                unknown.setdefault(key, []).append(fragment)
    assert not unknown, "untranslated strings:\n" + "\n".join(f"{k}: {v}" for k, v in unknown.items())
    if known:
        pytest.xfail("known untranslated strings of other owners:\n" +
                     "\n".join(f"{k} — {why}" for k, why in known.items()))


def db_query(server, sql: str, params=()):
    """Read the e2e server's SQLite database directly (read-only) to confirm what the UI says."""
    import sqlite3

    conn = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def url_exists(name: str, *args) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, args=args)
        return True
    except NoReverseMatch:
        return False
