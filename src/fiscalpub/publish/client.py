"""A CKAN action-API client for publishing: ckanapi underneath, with timeouts, bounded
retries of 5xx answers and connection errors (tenacity), creates that are never
repeated blindly, and errors turned into one readable line without the token.

Every call goes through :meth:`Client.call`, which also counts read and write calls
(the summary reports them; tests count them independently at a proxy)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import ckanapi
import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from fiscalpub import __version__
from fiscalpub.errors import FiscalpubError

READ_ACTIONS = {
    "package_show",
    "organization_show",
    "status_show",
    "site_read",
    "user_show",
    "organization_list_for_user",
}
# what each write needs, for a 403 that says which permission is missing
PERMISSIONS = {
    "organization_create": "create organisations (CKAN lets only sysadmins do that unless "
    "ckan.auth.user_create_organizations is on): ask a sysadmin to create it, or publish "
    "into an existing organisation with --org",
    "package_create": "create datasets in organisation {org} (the token's user must be an "
    "editor or admin of it)",
    "package_patch": "edit dataset {name} (the token's user must be an editor or admin of "
    "its organisation {org})",
    "resource_create": "add resources to dataset {name} (editor or admin of {org})",
    "resource_update": "update resources of dataset {name} (editor or admin of {org})",
    "resource_patch": "update resources of dataset {name} (editor or admin of {org})",
    "resource_delete": "delete resources of dataset {name} (editor or admin of {org})",
    "package_resource_reorder": "reorder resources of dataset {name} (editor or admin of {org})",
}
CREATES = {"organization_create", "package_create", "resource_create"}


class PublishError(FiscalpubError):
    """Publishing stopped: the portal refused or could not be reached."""


class PortalRefused(PublishError):
    """The portal refused the token or its rights: the same token will be refused for the
    next datasets too, so publishing stops (unlike a dataset the portal rejects)."""


class TokenNotAccepted(PortalRefused):
    """The API token was not accepted (401, or CKAN treated the call as anonymous)."""


class NotAllowed(PortalRefused):
    """The token's user may not do this (403): a missing permission, named."""


class Transient(Exception):
    """A 5xx answer or a connection problem: worth retrying."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _RemoteCKAN(ckanapi.RemoteCKAN):  # type: ignore[misc]
    """RemoteCKAN that reports 5xx answers as Transient instead of parsing them."""

    def _request_fn(self, url: str, data: Any, headers: Any, files: Any, kwargs: Any) -> Any:
        try:
            status, body = super()._request_fn(url, data, headers, files, kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Transient(type(exc).__name__) from None
        except requests.RequestException as exc:  # e.g. ChunkedEncodingError
            raise Transient(type(exc).__name__) from None
        if status >= 500:
            raise Transient(f"HTTP {status}", status)
        return status, body


def _scrub(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def validation_lines(error: dict[str, Any]) -> list[str]:
    """CKAN's ValidationError dict, one line per field."""
    lines = []
    for key, value in sorted(error.items()):
        if key == "__type":
            continue
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    lines += [f"{key}.{line}" for line in validation_lines(item) if line]
                elif item:
                    lines.append(f"{key}: {item}")
        elif isinstance(value, dict):
            lines += [f"{key}.{line}" for line in validation_lines(value)]
        else:
            lines.append(f"{key}: {value}")
    return lines


class Client:
    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: tuple[float, float] = (10.0, 120.0),
        attempts: int = 5,
        wait: Callable[[RetryCallState], float] | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.attempts = attempts
        self.wait = wait or wait_exponential(multiplier=0.5, min=0.5, max=8)
        self._ckan = _RemoteCKAN(
            self.url, apikey=token, user_agent=f"fiscalpub/{__version__} (+ckanapi)"
        )
        self.calls: Counter[str] = Counter()
        self.retries = 0

    # ---------------------------------------------------------------- raw calls

    def _once(self, action: str, data: dict[str, Any], upload: tuple[str, bytes] | None) -> Any:
        files = None
        if upload is not None:
            handle = io.BytesIO(upload[1])
            handle.name = upload[0]
            files = {"upload": (upload[0], handle)}
        self.calls["write" if action not in READ_ACTIONS else "read"] += 1
        return self._ckan.call_action(
            action, data, files=files, requests_kwargs={"timeout": self.timeout}
        )

    def call(
        self,
        action: str,
        data: dict[str, Any],
        *,
        upload: tuple[str, bytes] | None = None,
        exists: Callable[[], Any] | None = None,
        what: dict[str, str] | None = None,
    ) -> Any:
        """Call `action`; retry transient failures.  For creates, `exists` re-reads the
        object before a retry: a create whose answer was lost is not repeated."""

        def before_retry(state: RetryCallState) -> None:
            self.retries += 1

        retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            stop=stop_after_attempt(self.attempts),
            wait=self.wait,
            before_sleep=before_retry,
            reraise=True,
        )
        first = True
        try:
            for attempt in retrying:
                with attempt:
                    if not first and action in CREATES and exists is not None:
                        found = exists()
                        if found is not None:
                            return found
                    first = False
                    return self._once(action, data, upload)
        except Transient as exc:
            raise PublishError(
                f"{self.url}: {action} failed after {self.attempts} tries ({exc}); "
                "nothing is half-published: run publish again to converge"
            ) from None
        except ckanapi.NotFound:
            raise
        except ckanapi.NotAuthorized as exc:
            text = str(exc.args[0] if exc.args else "")
            if "User  not authorized" in text or "User not authorized" in text:
                # CKAN names no user: the request counted as anonymous
                raise TokenNotAccepted(
                    f"{self.url}: the API token was not accepted (CKAN treated the call as "
                    "anonymous): check CKAN_API_TOKEN, ckan_api_token or --api-token-file"
                ) from None
            need = PERMISSIONS.get(action, f"call {action}").format(**(what or {}))
            raise NotAllowed(
                f"{self.url}: not allowed to {need} — {action} refused (403)"
                + (
                    ": " + _scrub(str(exc.args[0] if exc.args else ""), self._token)[:200]
                    if exc.args and exc.args[0]
                    else ""
                )
            ) from None
        except ckanapi.ValidationError as exc:
            detail = (
                exc.error_dict if hasattr(exc, "error_dict") else (exc.args[0] if exc.args else {})
            )
            lines = validation_lines(detail) if isinstance(detail, dict) else [str(detail)]
            about = ", ".join(f"{k}={v}" for k, v in (what or {}).items())
            raise PublishError(
                f"{self.url}: CKAN refused {action} ({about}):\n  "
                + "\n  ".join(_scrub(line, self._token) for line in lines)
            ) from None
        except ckanapi.CKANAPIError as exc:
            text = _scrub(str(exc), self._token)
            if "401" in text or "Unauthorized" in text:
                raise TokenNotAccepted(
                    f"{self.url}: the API token was not accepted (401): check CKAN_API_TOKEN "
                    "or --api-token-file"
                ) from None
            raise PublishError(f"{self.url}: {action} failed: {text[:300]}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ---------------------------------------------------------------- reads

    def package(self, name: str) -> dict[str, Any] | None:
        return self._show_or_none("package_show", name)

    def organization(self, name: str) -> dict[str, Any] | None:
        return self._show_or_none("organization_show", name)

    def _show_or_none(self, action: str, name: str) -> dict[str, Any] | None:
        try:
            return self.call(action, {"id": name})  # type: ignore[no-any-return]
        except ckanapi.NotFound:
            return None
