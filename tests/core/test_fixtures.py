"""The pytest fixtures axios_python ships for its users' tests."""

from __future__ import annotations

import pytest

from axios_python.testing import LocalServer, Reply

pytest_plugins = ["pytester"]


def test_shipped_fixtures_work_in_a_users_project(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )
    pytester.makeconftest('pytest_plugins = ["axios_python.testing.fixtures"]\n')
    pytester.makepyfile(
        test_user="""
        import asyncio

        def test_sync(axios_client, local_server):
            assert axios_client.get("/json").data["hello"] == "world"
            assert local_server.count("/json") == 1

        def test_reset_between_tests(local_server):
            assert local_server.requests == []

        def test_async(axios_client, local_server):
            response = asyncio.run(axios_client.async_get("/echo/a"))
            assert response.data["path"] == "/echo/a"
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_routes_a_test_adds_do_not_outlive_it(local_server_session: LocalServer) -> None:
    import axios_python.testing.fixtures as fixtures

    routed = fixtures.local_server.__wrapped__(local_server_session)  # type: ignore[attr-defined]
    server = next(routed)
    server.route("/only-in-this-test", lambda request: Reply(json={"mine": True}))
    assert "/only-in-this-test" in server.route_paths()
    with pytest.raises(StopIteration):
        next(routed)  # the fixture's teardown
    assert "/only-in-this-test" not in local_server_session.route_paths()
