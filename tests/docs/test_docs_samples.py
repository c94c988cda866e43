"""Every ```python block of the documentation site runs, as a reader would run it.

One test per page (``docs/**/*.md``, and the root ``README.md`` when there is one): the page's
blocks run in order in one shared namespace, top-level ``await`` included, with the traffic to the
hosts the page names (``https://api.example.com`` ...) routed to the session's
``axios_python.testing.LocalServer`` by ``axios_python.testing.redirect``. No block is skipped;
the samples assert what they show, and every instance a page creates is closed afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import axios_python
from axios_python import ConfigError
from axios_python.testing import LocalServer, redirect

from ._runner import SampleRunner, python_blocks, restored_logging

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHANGELOGS = DOCS / "changelogs"
PAGES = (
    sorted(DOCS.rglob("*.md"))
    + [p for p in [ROOT / "README.md"] if p.is_file()]
    + sorted(ROOT.glob("packages/*/README.md"))
)

_URL_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "0.0.0.0"})


def hosts_named_in(text: str) -> frozenset[str]:
    """The hosts of the http(s) URLs a page names; loopback stays loopback, so a sample that
    starts its own LocalServer talks to it."""
    return frozenset(_URL_HOST.findall(text)) - _LOOPBACK


def _page_id(page: Path) -> str:
    if page.is_relative_to(DOCS):
        return page.relative_to(DOCS).as_posix()
    if page.parent.parent.name == "packages":
        return f"{page.parent.name}-{page.name}"
    return f"root-{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=[_page_id(p) for p in PAGES])
def test_page_samples_run(page: Path, srv: LocalServer) -> None:
    text = page.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    if page.is_relative_to(DOCS) and page.parent != CHANGELOGS:  # changelogs: included files
        assert blocks, f"{page.name} has no ```python sample"
    fences = len(re.findall(r"^\s*```(?:python|py)\s*$", text, flags=re.MULTILINE))
    assert len(blocks) == fences, "a ```python fence was not picked up"

    with (
        redirect(srv.base_url, hosts=hosts_named_in(text)),
        SampleRunner("docs_" + re.sub(r"\W", "_", _page_id(page)[:-3])) as runner,
        restored_logging(),
    ):
        for block in blocks:
            runner.run(block.source, filename=str(page), first_line=block.line)

    assert runner.samples_run == len(blocks)
    if blocks and "LocalServer()" not in text:  # pages that start no server of their own
        # the samples talked to the server, under the host names they use
        assert srv.requests
    assert {r.header("host") for r in srv.requests} <= hosts_named_in(text)
    assert all(api.is_closed for api in runner.instances)


def test_docs_exist_for_every_feature() -> None:
    expected = {
        "index.md",
        "configuration.md",
        "requests-and-responses.md",
        "sync-and-async.md",
        "interceptors.md",
        "middleware.md",
        "retries.md",
        "cancellation.md",
        "errors.md",
        "streaming.md",
        "transforms.md",
        "plugins.md",
        "testing.md",
        "integrations.md",
        "production.md",
        "performance.md",
        "fast-transport.md",
        "migrating/from-requests.md",
        "migrating/from-httpx.md",
        "migrating/from-axios.md",
    }
    assert expected <= {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}


def test_every_distribution_has_its_changelog_on_the_site() -> None:
    for changelog in sorted(ROOT.glob("packages/*/CHANGELOG.md")):
        page = CHANGELOGS / f"{changelog.parent.name}.md"
        assert page.read_text(encoding="utf-8").strip() == (
            f'--8<-- "packages/{changelog.parent.name}/CHANGELOG.md"'
        )


def test_configuration_page_lists_every_key() -> None:
    """The key table of configuration.md covers the schema, as the core reports it."""
    with pytest.raises(ConfigError) as caught:
        axios_python.create({"no_such_key": 1})
    accepted = str(caught.value).split("Accepted keys: ", 1)[1].rstrip(".").split(", ")
    assert "base_url" in accepted
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert [key for key in accepted if f"| `{key}` |" not in page] == []


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r":\s*([\w/-]+\.md)\s*$", nav, flags=re.MULTILINE))
    assert listed == {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert re.search(r"^strict:\s*true\s*$", nav, flags=re.MULTILINE)


def test_python_blocks_are_found_with_their_line_numbers() -> None:
    page = "intro\n\n```python\nx = 1\n```\n\n```bash\nls\n```\n\n~~~py\ny = 2\n~~~\n"
    blocks = python_blocks(page)
    assert [(b.source, b.line) for b in blocks] == [("x = 1\n", 4), ("y = 2\n", 12)]


def test_top_level_await_samples_share_the_namespace() -> None:
    with SampleRunner("docs_runner_self_test") as runner:
        runner.run("import asyncio\nvalue = await asyncio.sleep(0, result=41)\n")
        runner.run("value += 1\n")
        runner.run(
            "async def one_more():\n    yield value\n\nvalue = [v async for v in one_more()][0]\n"
        )
    assert runner["value"] == 42
    assert runner.samples_run == 3
