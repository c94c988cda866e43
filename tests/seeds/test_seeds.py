"""Every code sample of the five seed posts (``/work/shared/seeds``), run as written.

The samples live, re-indented but otherwise verbatim, in ``samples/<post>_<n>.py``. Each test runs
one (after the samples of the same post it builds on) inside ``redirect(...)`` to the fake
third-party APIs of ``_fake_apis.py``, with what the sample takes from its surroundings (a token
provider, a vault, a structlog-like ``log``, an ``api`` instance, ``my_package``...) injected into
its namespace, and checks what a reader of the post would see: data, status codes, log lines and
the headers the server received.

Samples that need a first-party plugin that has not shipped yet (AuthPlugin, CachePlugin,
LoggerPlugin) are tested to fail with the ImportError that names the extra to install; those
tests run the sample for real once the plugin's distribution is installed.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib.util
import logging
import re
import shutil
import sys
import threading
import time
import types
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import axios_python
from axios_python import FixedDelay, Response
from axios_python._first_party import BY_CLASS
from axios_python._first_party import install_hint as core_install_hint
from axios_python.testing import redirect

from ..docs._runner import SampleRunner, restored_logging
from ._fake_apis import OCTOCAT, OCTOCAT_REPOS, USERS, FakeApis
from .conftest import plain_httpx_routed_to

SAMPLES = Path(__file__).resolve().parent / "samples"

#: First-party plugin classes, the module that provides each and the extra that installs it.


# -- helpers ------------------------------------------------------------------------------


def sample(name: str) -> Path:
    path = SAMPLES / f"{name}.py"
    assert path.is_file(), path
    return path


@contextlib.contextmanager
def seed(
    fake: FakeApis, name: str, inject: Mapping[str, Any] | None = None
) -> Iterator[SampleRunner]:
    """A runner for the samples of one post, its traffic routed to the fake APIs."""
    with redirect(fake.base_url), SampleRunner(f"seed_{name}", inject) as runner:
        yield runner


def first_missing_plugin(*names: str) -> str | None:
    """The first of ``names`` whose distribution is not installed, or ``None``."""
    for name in names:
        if importlib.util.find_spec(BY_CLASS[name].module) is None:
            return name
    return None


def install_hint(name: str) -> str:
    """What the core's ImportError tells the user to install (the one table of first-party
    plugins decides: the extra where the core declares one)."""
    return core_install_hint(BY_CLASS[name].name)


class Tokens:
    """``get_token()`` / ``vault.get_token``: a fresh token on every call, or (``rotate=False``)
    the same token every time, as a vault hands out one token until it expires."""

    def __init__(self, prefix: str, *, rotate: bool = True) -> None:
        self.prefix = prefix
        self.rotate = rotate
        self.calls = 0
        self._lock = threading.Lock()

    def get_token(self) -> str:
        with self._lock:
            self.calls += 1
            return f"{self.prefix}-{self.calls if self.rotate else 1}"


class StructuredLog:
    """A structlog-like logger: ``log.info("event", key=value, ...)``."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.events.append(("info", event, fields))

    def error(self, event: str, **fields: Any) -> None:
        self.events.append(("error", event, fields))


def messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


# -- 01-introducing -----------------------------------------------------------------------


def test_introducing_1_raw_httpx_loop_fetches_users(fake_apis: FakeApis) -> None:
    tokens = Tokens("tok")
    with (
        plain_httpx_routed_to(fake_apis.base_url),
        seed(fake_apis, "introducing", {"get_token": tokens.get_token}) as run,
    ):
        run.run_file(sample("introducing_1"))
        assert run["fetch_users"]() == USERS

        fake_apis.drop_next("/users")  # the hand-written loop retries after time.sleep(1)
        assert run["fetch_users"]() == USERS

    hits = fake_apis.hits_for("/users")
    assert [h.host for h in hits] == ["api.example.com"] * 3
    # the raw version asks for a token once per fetch_users(), not once per attempt
    assert [h.header("authorization") for h in hits] == [
        "Bearer tok-1",
        "Bearer tok-2",
        "Bearer tok-2",
    ]


def test_introducing_2_interceptors_inject_a_token_and_unwrap_the_envelope(
    fake_apis: FakeApis,
) -> None:
    tokens = Tokens("tok")
    with seed(fake_apis, "introducing", {"get_token": tokens.get_token}) as run:
        run.run_file(sample("introducing_2"))
        assert run["fetch_users"]() == USERS
        assert run["fetch_users"]() == USERS
        api = run["api"]
        assert api.config["timeout"] == 5.0
        assert api.config["max_retries"] == 3

    hits = fake_apis.hits_for("/users")
    assert [h.host for h in hits] == ["api.example.com", "api.example.com"]
    assert [h.header("authorization") for h in hits] == ["Bearer tok-1", "Bearer tok-2"]
    assert api.is_closed


def test_introducing_3_blocking_calls(fake_apis: FakeApis) -> None:
    tokens = Tokens("tok")
    with seed(fake_apis, "introducing", {"get_token": tokens.get_token}) as run:
        run.run_file(sample("introducing_2"))
        run.run_file(sample("introducing_3"))
        response, user = run["response"], run["user"]

    assert response.status_code == 200
    assert response.data == USERS  # unwrapped by the post's response interceptor
    assert user.status_code == 201
    assert user.data == {"id": 3, "name": "Ada"}
    (post,) = fake_apis.hits_for("/users", "POST")
    assert post.json() == {"name": "Ada"}
    assert post.header("authorization") == "Bearer tok-2"


def test_introducing_4_non_blocking_calls_share_the_instance(fake_apis: FakeApis) -> None:
    tokens = Tokens("tok")
    with seed(fake_apis, "introducing", {"get_token": tokens.get_token}) as run:
        run.run_file(sample("introducing_2"))
        run.run_file(sample("introducing_3"))
        run.run_file(sample("introducing_4"))  # top-level await
        response, user = run["response"], run["user"]

    assert response.status_code == 200
    assert response.data == USERS
    assert user.status_code == 201
    assert user.data == {"id": 4, "name": "Ada"}
    # same instance, same interceptors: a fresh token on each of the four calls
    assert [h.header("authorization") for h in fake_apis.hits] == [
        f"Bearer tok-{n}" for n in (1, 2, 3, 4)
    ]


def test_introducing_5_middleware_traces_and_times_every_call(fake_apis: FakeApis) -> None:
    tokens, log = Tokens("tok"), StructuredLog()
    with seed(fake_apis, "introducing", {"get_token": tokens.get_token, "log": log}) as run:
        run.run_file(sample("introducing_2"))
        run.run_file(sample("introducing_5"))
        api: axios_python.AxiosPython = run["api"]

        assert api.get("/users").data == USERS
        created = run.run_async(api.async_post("/users", json={"name": "Ada"}))
        assert created.data == {"id": 3, "name": "Ada"}

        # "inclusive of retries": dropped connections, then a retry 0.2 s later (the first
        # drop hits a reused keep-alive connection, which the core resends on a fresh one at
        # once, as for a server's idle timeout; the second drop is on that fresh connection)
        fake_apis.drop_next("/users", times=2)
        assert api.get("/users", retry_strategy=FixedDelay(0.2)).data == USERS

    assert [(level, event) for level, event, _ in log.events] == [("info", "request completed")] * 3
    fields = [f for _, _, f in log.events]
    # ctx["url"] is the URL as the call wrote it (DESIGN.md; axios joins baseURL at dispatch)
    assert [f["url"] for f in fields] == ["/users"] * 3
    assert [f["status"] for f in fields] == [200, 201, 200]
    assert all(isinstance(f["ms"], float) for f in fields)
    assert fields[2]["ms"] >= 200  # the back-off wait is inside the measured time

    trace_ids = [h.header("x-trace-id") for h in fake_apis.hits]
    assert all(t is not None and uuid.UUID(t) for t in trace_ids)
    # one trace id per call: the first two calls differ, the retried call's sends share one
    assert len(trace_ids) == 5
    assert trace_ids[0] != trace_ids[1]
    assert trace_ids[2] == trace_ids[3] == trace_ids[4]


def test_introducing_6_plugins_raise_import_error_naming_the_extra_until_they_ship(
    fake_apis: FakeApis, caplog: pytest.LogCaptureFixture
) -> None:
    # one token while it is valid: the cache keeps entries per credential, so a token that
    # changed on every call would make every call another user's (a miss, by design)
    vault = Tokens("vault", rotate=False)
    with seed(fake_apis, "introducing", {"vault": vault, "logging": logging}) as run:
        api = axios_python.create({"base_url": "https://api.example.com"})
        run.namespace["api"] = api
        missing = first_missing_plugin("AuthPlugin", "CachePlugin", "LoggerPlugin")
        if missing is not None:
            with pytest.raises(ImportError) as caught:
                run.run_file(sample("introducing_6"))
            assert install_hint(missing) in str(caught.value)
            assert missing in str(caught.value)
            assert api.plugins == ()
            # the instance still works without them
            assert api.get("/users").data == {"data": USERS, "meta": {"page": 1, "total": 2}}
            return

        caplog.set_level(logging.INFO)
        run.run_file(sample("introducing_6"))
        assert len(api.plugins) == 3
        first, second = api.get("/users"), api.get("/users")
        assert first.data == second.data
    hits = fake_apis.hits_for("/users")
    assert len(hits) == 1  # the second GET came from CachePlugin
    assert hits[0].header("authorization") == "Bearer vault-1"
    assert any("/users" in r.getMessage() for r in caplog.records)


# -- 02-async-vs-sync ---------------------------------------------------------------------


def test_async_vs_sync_1_two_raw_httpx_clients(fake_apis: FakeApis) -> None:
    with (
        plain_httpx_routed_to(fake_apis.base_url),
        seed(fake_apis, "async_vs_sync") as run,
    ):
        run.run_file(sample("async_vs_sync_1"))
        sync_client, async_client = run["GitHubClient"](), run["AsyncGitHubClient"]()
        assert sync_client.get_user("octocat") == OCTOCAT
        assert sync_client.list_repos("octocat")["items"] == OCTOCAT_REPOS
        assert run.run_async(async_client.get_user("octocat")) == OCTOCAT
        assert run.run_async(async_client.list_repos("octocat"))["items"] == OCTOCAT_REPOS

    assert [(h.host, h.path) for h in fake_apis.hits] == [
        ("api.github.com", "/users/octocat"),
        ("api.github.com", "/users/octocat/repos"),
    ] * 2


@pytest.mark.parametrize(
    "name", ["async_vs_sync_2", "async_vs_sync_3"], ids=["blocking", "non_blocking"]
)
def test_async_vs_sync_2_and_3_one_instance_either_call_site(
    fake_apis: FakeApis, name: str
) -> None:
    with seed(fake_apis, "async_vs_sync") as run:
        run.run_file(sample(name))
        user, repos = run["user"], run["repos"]
        assert len(run.instances) == 1

    assert user["login"] == "octocat"
    assert user["name"] == "The Octocat"
    assert [r["full_name"] for r in repos["items"]] == [r["full_name"] for r in OCTOCAT_REPOS]
    assert [(h.host, h.path, h.header("authorization")) for h in fake_apis.hits] == [
        ("api.github.com", "/users/octocat", "Bearer token"),
        ("api.github.com", "/users/octocat/repos", "Bearer token"),
    ]


def test_async_vs_sync_4_the_sdk_collapses_to_one_class(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "async_vs_sync") as run:
        run.run_file(sample("async_vs_sync_4"))
        github = run["GitHubClient"]("gh-secret")
        assert github.get_user("octocat") == OCTOCAT
        assert github.list_repos("octocat")["items"] == OCTOCAT_REPOS
        assert run.run_async(github.async_get_user("octocat")) == OCTOCAT
        assert run.run_async(github.async_list_repos("octocat"))["items"] == OCTOCAT_REPOS

        # retries come with the one constructor: a dropped connection is retried after 1 s
        fake_apis.drop_next("/users/octocat")
        assert github.get_user("octocat") == OCTOCAT
        assert len(run.instances) == 1  # one instance (one config) behind both call styles

    hits = fake_apis.hits
    assert len(hits) == 6
    assert {h.header("authorization") for h in hits} == {"Bearer gh-secret"}
    assert {h.header("accept") for h in hits} == {"application/vnd.github+json"}


# -- 03-best-practices --------------------------------------------------------------------


def test_best_practices_1_module_level_helpers(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "best_practices", {"axios_python": axios_python}) as run:
        run.run_file(sample("best_practices_1"))
        default = axios_python.default_instance()
        assert run.instances == [default]  # both calls went through the one default instance

    assert default.is_closed
    github, stripe = fake_apis.hits
    assert (github.method, github.host, github.path) == ("GET", "api.github.com", "/users")
    assert github.header("authorization") == "Bearer gh_token"
    assert (stripe.method, stripe.host, stripe.path) == ("POST", "api.stripe.com", "/charges")
    assert stripe.header("authorization") == "Bearer sk_token"


def test_best_practices_2_one_instance_per_service(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "best_practices", {"axios_python": axios_python}) as run:
        run.run_file(sample("best_practices_2"))
        github, stripe = run["github"], run["stripe"]
        assert github is not stripe
        charge = stripe.post("/charges", json={"amount": 500, "currency": "eur"})
        assert charge.data["object"] == "charge"
        assert (charge.data["amount"], charge.data["currency"]) == (500, "eur")

    gh, st, _ = fake_apis.hits
    assert (gh.host, gh.path) == ("api.github.com", "/users/octocat")
    assert gh.header("authorization") == "Bearer gh_token"
    assert gh.header("accept") == "application/vnd.github.v3+json"
    assert (st.host, st.path) == ("api.stripe.com", "/v1/charges")  # base_url path kept
    assert st.header("authorization") == "Bearer sk_token"
    assert st.header("accept") != "application/vnd.github.v3+json"  # nothing leaks across
    assert st.json() == {"amount": 2000, "currency": "usd"}


def test_best_practices_3_and_4_timeouts(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "best_practices", {"axios_python": axios_python}) as run:
        run.run_file(sample("best_practices_3"))
        run.run_file(sample("best_practices_4"))
        assert [api.config["timeout"] for api in run.instances] == [30.0, 3.0]

        api = run["api"]
        fake_apis.delay = 0.5
        assert api.get("/reports/large-export.csv").status_code == 200  # within 3 s
        with pytest.raises(axios_python.TimeoutError):  # per-request override
            api.get("/reports/large-export.csv", timeout=0.1)

    assert {h.host for h in fake_apis.hits} == {"service.local"}


def test_best_practices_5_retries_only_idempotent_requests(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "best_practices", {"axios_python": axios_python}) as run:
        run.run_file(sample("best_practices_5"))
        api = run["api"]

        fake_apis.drop_next("/inventory")
        started = time.monotonic()
        response = api.get("/inventory")
        waited = time.monotonic() - started
        assert response.status_code == 200
        assert response.data["items"][0]["sku"] == "A-1"
        assert waited >= 2.0  # ExponentialBackoff(base=1.0, multiplier=2.0): 1 × 2¹ s

        fake_apis.drop_next("/inventory")
        with pytest.raises(axios_python.NetworkError):
            api.post("/inventory", json={"sku": "C-3"})  # a POST is never retried by default

    assert [h.method for h in fake_apis.hits_for("/inventory")] == ["GET", "GET", "POST"]
    assert {h.host for h in fake_apis.hits} == {"api.thirdparty.com"}


def test_best_practices_6_export_completes_when_nobody_aborts(
    fake_apis: FakeApis, capsys: pytest.CaptureFixture[str]
) -> None:
    injected = {"axios_python": axios_python}
    with seed(fake_apis, "best_practices", injected) as run:
        run.namespace["api"] = axios_python.create({"base_url": "https://api.example.com"})
        run.run_file(sample("best_practices_6"))
        response, token = run["response"], run["token"]

    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == "id,amount,currency"
    assert len(lines) == 21
    assert not token.cancelled
    assert capsys.readouterr().out == ""


def test_best_practices_6_user_abort_cancels_the_export(
    fake_apis: FakeApis, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_apis.export_delay = 0.5  # 20 rows: a 10-second download
    injected = {"axios_python": axios_python}
    with seed(fake_apis, "best_practices", injected) as run:
        run.namespace["api"] = axios_python.create({"base_url": "https://api.example.com"})

        def user_navigates_away() -> None:
            assert fake_apis.wait_for("/reports/large-export.csv")
            time.sleep(0.2)  # the body is being read
            run["handle_user_abort"]()

        aborter = threading.Thread(target=user_navigates_away)
        aborter.start()
        started = time.monotonic()
        run.run_file(sample("best_practices_6"))
        elapsed = time.monotonic() - started
        aborter.join(5)
        token = run["token"]
        assert "response" not in run.namespace

    assert capsys.readouterr().out == "Cleanly aborted request\n"
    assert elapsed < 3
    assert token.cancelled
    assert token.reason == "User navigated away"


# -- 04-plugin-authoring ------------------------------------------------------------------


def test_plugin_authoring_1_any_object_with_attach_is_a_plugin(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "plugin_authoring") as run:
        run.run_file(sample("plugin_authoring_1"))
        plugin = run["MyPlugin"]()
        api = axios_python.create({"base_url": "https://api.github.com"})
        assert isinstance(plugin, axios_python.Plugin)  # structural: no base class
        assert api.plugin(plugin) is plugin
        assert api.plugins == (plugin,)
        assert api.get("/users/octocat").data == OCTOCAT
        assert api.remove_plugin(plugin) is plugin
        assert not api.plugins


@pytest.fixture
def my_package(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The ``my_package`` module the post imports its TimingPlugin from."""
    module = types.ModuleType("my_package")
    monkeypatch.setitem(sys.modules, "my_package", module)
    return module


def test_plugin_authoring_2_and_3_timing_plugin_logs_every_request(
    fake_apis: FakeApis, caplog: pytest.LogCaptureFixture, my_package: types.ModuleType
) -> None:
    caplog.set_level(logging.INFO, logger="axios_python.timing")
    with seed(fake_apis, "plugin_authoring") as run, restored_logging():
        run.run_file(sample("plugin_authoring_2"))
        my_package.TimingPlugin = run["TimingPlugin"]  # type: ignore[attr-defined]
        run.run_file(sample("plugin_authoring_3"))
        api = run["api"]
        response = run.run_async(api.async_get("/users/octocat/repos"))
        assert response.status_code == 200

    lines = messages(caplog, "axios_python.timing")
    assert len(lines) == 2
    # the seed's sample logs ctx["url"]: the URL as the call wrote it (DESIGN.md), where the
    # seed's comment shows the joined URL; axios_python.wire_url(ctx) gives that one
    pattern = r"\[GET\] {} — \d+\.\dms \(HTTP 200\)"
    assert re.fullmatch(pattern.format("/users/octocat"), lines[0]), lines[0]
    assert re.fullmatch(pattern.format("/users/octocat/repos"), lines[1]), lines[1]
    assert [h.path for h in fake_apis.hits] == ["/users/octocat", "/users/octocat/repos"]


def test_plugin_authoring_4_and_5_request_source_header(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "plugin_authoring") as run:
        run.run_file(sample("plugin_authoring_4"))
        api = axios_python.create({"base_url": "https://api.github.com"})
        run.namespace["api"] = api
        run.run_file(sample("plugin_authoring_5"))

        assert api.get("/users/octocat").status_code == 200
        assert run.run_async(api.async_get("/users/octocat")).status_code == 200
        (plugin,) = api.plugins
        api.remove_plugin(plugin)  # what attach() registered goes with it
        assert api.get("/users/octocat").status_code == 200

    assert [h.header("x-request-source") for h in fake_apis.hits] == [
        "checkout-service/2.1",
        "checkout-service/2.1",
        None,
    ]


def test_plugin_authoring_6_dedupe_collapses_concurrent_gets(fake_apis: FakeApis) -> None:
    with seed(fake_apis, "plugin_authoring") as run:
        run.run_file(sample("plugin_authoring_6"))
        api = axios_python.create({"base_url": "https://api.github.com"})
        plugin = api.plugin(run["DedupePlugin"]())
        fake_apis.delay = 0.3  # long enough for the five calls to overlap

        async def burst() -> list[Response]:
            return await axios_python.all([api.async_get("/users/octocat") for _ in range(5)])

        responses = run.run_async(burst())
        assert [r.data["login"] for r in responses] == ["octocat"] * 5
        assert len(fake_apis.hits_for("/users/octocat")) == 1
        assert len({id(r) for r in responses}) == 1  # every caller got the one response

        async def posts() -> list[Response]:
            return await axios_python.all(
                [api.async_post("/users", json={"name": n}) for n in ("a", "b")]
            )

        assert [r.status_code for r in run.run_async(posts())] == [201, 201]
        assert len(fake_apis.hits_for("/users", "POST")) == 2  # only GETs are collapsed

        fake_apis.delay = 0.0
        assert api.get("/users/octocat").status_code == 200  # sync calls pass through too
        assert len(fake_apis.hits_for("/users/octocat")) == 2

        api.remove_plugin(plugin)
        assert len(api.middleware) == 0


def test_plugin_authoring_7_composition_raises_import_error_naming_the_extra_until_plugins_ship(
    fake_apis: FakeApis, caplog: pytest.LogCaptureFixture
) -> None:
    vault = Tokens("vault")
    with seed(fake_apis, "plugin_authoring", {"vault": vault, "logging": logging}) as run:
        run.run_file(sample("plugin_authoring_2"))  # TimingPlugin
        run.run_file(sample("plugin_authoring_6"))  # DedupePlugin
        api = axios_python.create({"base_url": "https://api.github.com"})
        run.namespace["api"] = api
        # LoggerPlugin and AuthPlugin come from the core, as in the introduction post
        surroundings = "from axios_python import LoggerPlugin, AuthPlugin\n"
        missing = first_missing_plugin("LoggerPlugin", "AuthPlugin")
        if missing is not None:
            with pytest.raises(ImportError) as caught:
                run.run(surroundings, filename="<surroundings of plugin_authoring_7>")
            assert install_hint(missing) in str(caught.value)
            assert api.plugins == ()
            return

        caplog.set_level(logging.INFO)
        run.run(surroundings, filename="<surroundings of plugin_authoring_7>")
        run.run_file(sample("plugin_authoring_7"))
        assert len(api.plugins) == 4
        assert api.get("/users/octocat").data == OCTOCAT
    assert fake_apis.hits[0].header("authorization") == "Bearer vault-1"
    assert len(messages(caplog, "axios_python.timing")) == 1


# -- 05-production-guide ------------------------------------------------------------------

#: Where each sample of the production guide lives in the project layout it describes.
LAYOUT = {
    "src/core/config.py": "production_guide_1",
    "src/clients/github.py": "production_guide_2",
    "src/core/middleware.py": "production_guide_3",
    "src/services/user_sync.py": "production_guide_4",
}


@pytest.fixture
def production_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_apis: FakeApis
) -> Iterator[Path]:
    """The guide's project, built from its samples in a temporary directory and importable as
    ``src``; the settings it needs come from the environment, as pydantic-settings reads them."""
    for relative, name in LAYOUT.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample(name), target)
    (tmp_path / "src/clients/__init__.py").write_text("")  # listed in the guide's tree
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_from_env")
    monkeypatch.setenv("STRIPE_KEY", "sk_from_env")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in [m for m in sys.modules if m == "src" or m.startswith("src.")]:
        del sys.modules[module]


@pytest.fixture
def logger_plugin_or_stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Until axios-python-plugin-logger ships, a minimal stand-in for it, so the rest of the
    production guide (client, interceptor, retries, service) runs now; with the real
    distribution installed this fixture does nothing and the real plugin is used."""
    module_name = BY_CLASS["LoggerPlugin"].module
    if importlib.util.find_spec(module_name) is not None:
        yield
        return

    class LoggerPlugin:
        def __init__(self, level: int = logging.INFO, logger: logging.Logger | None = None):
            self.level = level
            self.logger = logger or logging.getLogger("axios_python")

        def attach(self, client: axios_python.AxiosPython) -> None:
            client.interceptors.response.use(self._log)

        def _log(self, response: Response) -> Response:
            request = response.config
            self.logger.log(
                self.level, "%s %s -> %s", request["method"], request["url"], response.status_code
            )
            return response

    module = types.ModuleType(module_name)
    module.LoggerPlugin = LoggerPlugin  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module_name, module)
    try:
        yield
    finally:
        # axios_python caches the class it resolved: forget the stand-in
        if vars(axios_python).get("LoggerPlugin") is LoggerPlugin:
            delattr(axios_python, "LoggerPlugin")


def test_production_guide_1_settings_come_from_the_environment(
    production_app: Path, fake_apis: FakeApis, monkeypatch: pytest.MonkeyPatch
) -> None:
    with seed(fake_apis, "production_guide") as run:
        run.run("from src.core.config import Settings, settings\n")
        settings = run["settings"]
        assert settings.github_token == "ghp_from_env"
        assert settings.stripe_key == "sk_from_env"
        assert settings.github_api_url == "https://api.github.com"
        assert settings.stripe_api_url == "https://api.stripe.com/v1"

        monkeypatch.setenv("GITHUB_API_URL", "https://github.example.com/api/v3")
        assert run["Settings"]().github_api_url == "https://github.example.com/api/v3"

        monkeypatch.delenv("STRIPE_KEY")
        with pytest.raises(ValueError, match="stripe_key"):  # a missing secret fails at start
            run["Settings"]()


def test_production_guide_2_raises_import_error_naming_the_logger_extra_until_it_ships(
    production_app: Path, fake_apis: FakeApis
) -> None:
    with seed(fake_apis, "production_guide") as run:
        if first_missing_plugin("LoggerPlugin") is not None:
            with pytest.raises(ImportError) as caught:
                run.run("from src.clients.github import fetch_user_repos\n")
            assert install_hint("LoggerPlugin") in str(caught.value)
            assert run.instances == []  # nothing was half-built
            return

        run.run("from src.clients.github import fetch_user_repos\n")
        repos = run.run_async(run["fetch_user_repos"]("octocat"))
    assert repos == OCTOCAT_REPOS
    assert fake_apis.hits[0].header("authorization") == "Bearer ghp_from_env"


def _production_hit_checks(fake: FakeApis) -> None:
    for hit in fake.hits:
        assert hit.host == "api.github.com"
        assert hit.header("authorization") == "Bearer ghp_from_env"
        assert hit.header("accept") == "application/vnd.github.v3+json"
        assert hit.header("user-agent") == "MyProductionApp/1.0"


def test_production_guide_app_runs_end_to_end(
    production_app: Path,
    fake_apis: FakeApis,
    logger_plugin_or_stand_in: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The guide's app as its sections assemble it: settings from the environment, the GitHub
    client with retries, its LoggerPlugin (a stand-in until the real one is installed), the
    envelope interceptor, the tracing middleware and the sync service."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="github_client")
    with seed(fake_apis, "production_guide") as run:
        run.run(
            "from src.services.user_sync import sync_repositories\n"
            "from src.clients.github import github_client, fetch_user_repos\n"
            "from src.core.middleware import tracing_middleware, correlation_id_ctx\n"
            # "You can then attach this to any client instance" (section 4)
            "github_client.use(tracing_middleware)\n"
        )
        run.run("await sync_repositories('octocat')\n")
        default_id = run["correlation_id_ctx"].get()

        # a web framework sets the correlation id per incoming request
        run.run("correlation_id_ctx.set('req-42')\nrepos = await fetch_user_repos('octocat')\n")
        repos = run["repos"]
        github_client = run["github_client"]

    assert repos == OCTOCAT_REPOS  # the interceptor unwrapped {"total_count", "items"}
    assert messages(caplog, "src.services.user_sync") == [
        "Successfully synced 2 repositories for octocat"
    ]
    # LoggerPlugin(logger=logger) logs each call on the guide's "github_client" logger
    logged = messages(caplog, "github_client")
    assert sum("/users/octocat/repos" in line and "200" in line for line in logged) >= 2
    _production_hit_checks(fake_apis)
    assert [h.header("x-correlation-id") for h in fake_apis.hits] == [default_id, "req-42"]
    assert github_client.is_closed


def test_production_guide_4_error_path_fails_with_name_error_as_written(
    production_app: Path,
    fake_apis: FakeApis,
    logger_plugin_or_stand_in: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The service module uses ``axios_python.TimeoutError`` and ``axios_python.HTTPStatusError``
    in its ``except`` clauses but never imports ``axios_python``: the happy path works, and the
    first error (here GitHub's 404 for an unknown user) surfaces as a NameError instead of the
    intended log line. This pins the defect of the post's sample as written."""
    caplog.set_level(logging.INFO)
    with seed(fake_apis, "production_guide") as run:
        run.run("from src.services.user_sync import sync_repositories\n")
        with pytest.raises(NameError, match="name 'axios_python' is not defined") as caught:
            run.run("await sync_repositories('ghost')\n")
    assert isinstance(caught.value.__context__, axios_python.HTTPStatusError)
    assert caught.value.__context__.status_code == 404
    assert messages(caplog, "src.services.user_sync") == []
    assert [(h.path, h.method) for h in fake_apis.hits] == [("/users/ghost/repos", "GET")]


def test_production_guide_3_tracing_middleware_sends_the_correlation_id(
    fake_apis: FakeApis,
) -> None:
    with seed(fake_apis, "production_guide") as run:
        run.run_file(sample("production_guide_3"))
        correlation_id_ctx = run["correlation_id_ctx"]
        api = axios_python.create({"base_url": "https://api.github.com"})
        api.use(run["tracing_middleware"])

        default_id = correlation_id_ctx.get()
        assert api.get("/users/octocat").status_code == 200

        def in_request(correlation_id: str) -> int:
            correlation_id_ctx.set(correlation_id)
            return api.get("/users/octocat").status_code

        assert contextvars.copy_context().run(in_request, "req-sync") == 200

        async def handler() -> int:
            correlation_id_ctx.set("req-async")
            return (await api.async_get("/users/octocat")).status_code

        assert run.run_async(handler()) == 200

    assert uuid.UUID(default_id)
    assert [h.header("x-correlation-id") for h in fake_apis.hits] == [
        default_id,
        "req-sync",
        "req-async",
    ]


# -- the harness itself -------------------------------------------------------------------


def test_every_sample_file_is_exercised() -> None:
    """Each file under samples/ is named in this module, so none is forgotten."""
    source = Path(__file__).read_text(encoding="utf-8")
    names = sorted(p.stem for p in SAMPLES.glob("*.py"))
    assert len(names) == 27
    tested = set(re.findall(r'"([a-z_]+_\d)"', source))
    assert [n for n in names if n not in tested] == []


def test_sample_files_carry_only_a_header_above_the_post_code() -> None:
    for path in SAMPLES.glob("*.py"):
        head = path.read_text(encoding="utf-8").splitlines()[:4]
        assert head[0].startswith("# Seed post "), path
        assert head[1:] == ["# mypy: ignore-errors", "# ruff: noqa", "# fmt: off"], path
