"""Fixtures for publishing to the real local CKAN (../shared/tools/local-ckan), through
a real proxy that counts writes and injects faults."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, ckan_env, cli_runner
from tests.publish import proxy as proxy_mod

BASE = "https://data.example.gov.cn/fiscal/"
PACKAGES = sorted(p.parent for p in (ROOT / "datapackages").glob("*/datapackage.json"))


@pytest.fixture(scope="session")
def ckan() -> tuple[str, str]:
    return ckan_env()


@pytest.fixture(scope="session")
def admin(ckan: tuple[str, str]) -> Any:
    import ckanapi

    return ckanapi.RemoteCKAN(ckan[0], apikey=ckan[1])


def purge(admin: Any, *names: str) -> None:
    import ckanapi

    for name in names:
        with contextlib.suppress(ckanapi.NotFound):
            admin.action.dataset_purge(id=name)


@pytest.fixture
def proxy(ckan: tuple[str, str]) -> Iterator[proxy_mod.Proxy]:
    server, state, url = proxy_mod.start(ckan[0])
    state.url = url  # type: ignore[attr-defined]
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


Publish = Callable[..., Any]


@pytest.fixture
def publish(ckan: tuple[str, str], proxy: proxy_mod.Proxy) -> Publish:
    """Run `fiscalpub publish` through the proxy; returns the click Result."""

    def run(*args: str | Path, token: str | None = None, env: dict[str, str] | None = None) -> Any:
        from fiscalpub.cli import main

        return cli_runner().invoke(
            main,
            ["publish", *[str(a) for a in args], "--ckan-url", proxy.url, "--quiet"],  # type: ignore[attr-defined]
            env={
                "CKAN_API_TOKEN": token or ckan[1],
                "FISCALPUB_BASE_IRI": BASE,
                "CKAN_URL": "",
                **(env or {}),
            },
        )

    return run
