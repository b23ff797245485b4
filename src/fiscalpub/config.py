"""Run-time configuration: the data base IRI (and, later, the portal).

Precedence: a command-line option, then the environment (``FISCALPUB_BASE_IRI``), then
a YAML file (``--config FILE``, else ``fiscalpub.yaml`` in the working directory), then
the documented placeholder.  The placeholder is fine for trying things out; ``publish``
and ``push`` refuse it, because IRIs put on a portal or a triple store must be ones the
publisher controls and keeps.

The *vocabulary* namespace (https://w3id.org/fiscalpub/...) is not configurable: it is
the same for every publisher, so queries work across publishers.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from fiscalpub.errors import FiscalpubError

PLACEHOLDER_BASE = "https://data.example.org/fiscalpub/"
ENV_BASE = "FISCALPUB_BASE_IRI"
DEFAULT_FILE = "fiscalpub.yaml"


class ConfigError(FiscalpubError):
    """The configuration is unreadable or a value is invalid."""


@dataclass(frozen=True)
class Config:
    base_iri: str = PLACEHOLDER_BASE
    source: str = "default"  # where base_iri came from: option, env, file path, default
    # the portal (publish): from the file; options and the environment win in the CLI
    ckan_url: str | None = None
    ckan_api_token: str | None = field(default=None, repr=False)  # never printed

    @property
    def is_placeholder(self) -> bool:
        return self.base_iri == PLACEHOLDER_BASE

    def require_real_base(self, action: str) -> None:
        """Refuse to `action` (publish, push) with the placeholder base IRI."""
        if self.is_placeholder:
            raise ConfigError(
                f"refusing to {action} with the placeholder base IRI {PLACEHOLDER_BASE}: "
                f"set your own with --base-iri, ${ENV_BASE} or `base_iri:` in {DEFAULT_FILE}"
            )

    def digest(self) -> str:
        """A hash of what changes generated output (for incremental runs)."""
        return hashlib.sha256(self.base_iri.encode("utf-8")).hexdigest()[:16]


def check_base(iri: str) -> str:
    if not iri.startswith(("http://", "https://")) or any(c in iri for c in ' <>"{}|\\^`'):
        raise ConfigError(f"base IRI must be an http(s) IRI without spaces, got {iri!r}")
    return iri if iri.endswith(("/", "#")) else iri + "/"


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must be a YAML mapping")
    return data


def load(config_file: Path | None = None, *, base_iri: str | None = None) -> Config:
    path = config_file or (Path(DEFAULT_FILE) if Path(DEFAULT_FILE).is_file() else None)
    data: dict[str, Any] = {}
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        data = _read_file(path)
    portal = Config(
        ckan_url=str(data["ckan_url"]) if data.get("ckan_url") else None,
        ckan_api_token=str(data["ckan_api_token"]) if data.get("ckan_api_token") else None,
    )
    if base_iri:
        return replace(portal, base_iri=check_base(base_iri), source="option")
    if os.environ.get(ENV_BASE):
        return replace(portal, base_iri=check_base(os.environ[ENV_BASE]), source=f"${ENV_BASE}")
    if data.get("base_iri"):
        return replace(portal, base_iri=check_base(str(data["base_iri"])), source=str(path))
    return portal
