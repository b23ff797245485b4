"""Plan and apply: make a CKAN dataset equal to a package, with as few writes as
possible and none at all when nothing changed.

- Resources are matched by name (their path in the package) and compared by sha256:
  unchanged ones are not uploaded, changed ones are updated in place (same id),
  vanished ones deleted; metadata is patched only when a field differs.
- A new dataset is created private, filled, then made public; a dataset left private
  by an interrupted run is filled and made public by the next one.
- Creates are never repeated blindly (see :class:`fiscalpub.publish.client.Client`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fiscalpub.publish.client import Client, PublishError
from fiscalpub.publish.desired import Desired, Resource

MANAGED_EXTRAS = ("issued", "modified")  # set by publish, not part of the comparison
RESOURCE_COMPARED = (
    "description",
    "format",
    "mimetype",
    "size",
    "hash",
    "hash_algorithm",
    "schema",
)


@dataclass
class Action:
    verb: str  # create | update | patch | delete | skip | reorder | publish
    target: str  # organization | dataset | resource
    name: str
    detail: str = ""
    bytes: int = 0
    resource: Resource | None = None
    current_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.verb, "target": self.target, "name": self.name}
        if self.detail:
            out["detail"] = self.detail
        if self.bytes:
            out["bytes"] = self.bytes
        return out


@dataclass
class Plan:
    desired: Desired
    current: dict[str, Any] | None
    actions: list[Action] = field(default_factory=list)

    @property
    def writes(self) -> list[Action]:
        return [a for a in self.actions if a.verb != "skip"]

    @property
    def dataset_verb(self) -> str:
        if self.current is None:
            return "create"
        return "update" if self.writes else "unchanged"


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _extras(current: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: _str(e["value"]) for e in current.get("extras") or []}


def metadata_changes(desired: Desired, current: dict[str, Any]) -> list[str]:
    want = desired.fields
    changed = []
    for key in ("title", "notes", "license_id"):
        if _str(current.get(key)) != _str(want[key]):
            changed.append(key)
    if (current.get("organization") or {}).get("name") != want["owner_org"]:
        changed.append("owner_org")
    if sorted(t["name"] for t in current.get("tags") or []) != sorted(want["tags"]):
        changed.append("tags")
    have = {k: v for k, v in _extras(current).items() if k not in MANAGED_EXTRAS}
    if have != want["extras"]:
        changed.append("extras")
    return changed


def plan(client: Client, desired: Desired, *, create_orgs: bool) -> Plan:
    """What to do, from reads only."""
    actions: list[Action] = []
    if client.organization(desired.org) is None:
        if not create_orgs:
            raise PublishError(
                f"organisation {desired.org} ({desired.org_title}) does not exist on "
                f"{client.url}: create it, publish with --org, or allow --create-orgs"
            )
        actions.append(Action("create", "organization", desired.org, desired.org_title))
    current = client.package(desired.name)
    if current is not None and current.get("state") == "deleted":
        current = None  # a deleted dataset's name is taken back by package_create
    result = Plan(desired, current)
    if current is None:
        actions.append(Action("create", "dataset", desired.name, "private until filled"))
        for r in desired.resources:
            actions.append(Action("create", "resource", r.name, bytes=len(r.data), resource=r))
        actions.append(Action("publish", "dataset", desired.name, "private → public"))
        result.actions = actions
        return result
    changes = metadata_changes(desired, current)
    if changes:
        actions.append(Action("patch", "dataset", desired.name, ", ".join(changes)))
    have: dict[str, dict[str, Any]] = {}
    duplicates: list[dict[str, Any]] = []
    for res in current.get("resources") or []:
        if res.get("name") in have:
            duplicates.append(res)
        else:
            have[str(res.get("name"))] = res
    for r in desired.resources:
        now = have.get(r.name)
        if now is None:
            actions.append(Action("create", "resource", r.name, bytes=len(r.data), resource=r))
        elif _str(now.get("hash")) != r.sha256:
            actions.append(
                Action("update", "resource", r.name, "bytes changed", len(r.data), r, now["id"])
            )
        else:
            differ = [k for k in RESOURCE_COMPARED if _str(now.get(k)) != _str(r.fields.get(k))]
            if differ:
                actions.append(
                    Action("patch", "resource", r.name, ", ".join(differ), 0, r, now["id"])
                )
            else:
                actions.append(Action("skip", "resource", r.name, resource=r, current_id=now["id"]))
    wanted = {r.name for r in desired.resources}
    for res in [*duplicates, *(v for k, v in have.items() if k not in wanted)]:
        actions.append(
            Action("delete", "resource", str(res.get("name")), current_id=str(res["id"]))
        )
    kept = [
        str(res.get("name")) for res in current.get("resources") or [] if res.get("name") in wanted
    ]
    expected = [r.name for r in desired.resources if r.name in set(kept)]
    if kept != expected and len(set(kept)) == len(kept):
        actions.append(Action("reorder", "resource", desired.name, "order of resources"))
    if current.get("private"):
        actions.append(Action("publish", "dataset", desired.name, "private → public"))
    result.actions = actions
    return result


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def _package_fields(desired: Desired, extras: dict[str, str]) -> dict[str, Any]:
    f = desired.fields
    return {
        "title": f["title"],
        "notes": f["notes"],
        "license_id": f["license_id"],
        "owner_org": f["owner_org"],
        "tags": [{"name": t} for t in f["tags"]],
        "extras": [{"key": k, "value": v} for k, v in sorted(extras.items())],
    }


def apply(
    client: Client, p: Plan, progress: Callable[[Action], None] | None = None
) -> Counter[str]:
    """Carry out the plan; returns counts ("resource:create", …, "bytes")."""
    run = _Applying(client, p)
    for action in p.actions:
        if progress:
            progress(action)
        run.counts[f"{action.target}:{action.verb}"] += 1
        if action.verb != "skip":
            run.carry_out(action)
    run.mark_modified()
    return run.counts


class _Applying:
    """One plan being carried out: the portal client, what the dataset is to be, its id
    (known once created) and the dates it carries (issued stays, modified is today)."""

    def __init__(self, client: Client, p: Plan) -> None:
        self.client = client
        self.plan = p
        self.d = p.desired
        self.what = {"name": self.d.name, "org": self.d.org}
        self.dataset_id = p.current["id"] if p.current else None
        self.today = _today()
        self.issued = _extras(p.current).get("issued", self.today) if p.current else self.today
        self.counts: Counter[str] = Counter()

    def carry_out(self, action: Action) -> None:
        """One action on the portal, by its target and verb."""
        client, d, what = self.client, self.d, self.what
        target, verb = action.target, action.verb
        if target == "organization":
            client.call(
                "organization_create",
                {"name": d.org, "title": d.org_title},
                exists=lambda: client.organization(d.org),
                what=what,
            )
        elif target == "dataset" and verb in ("create", "patch", "publish"):
            self._dataset(verb)
        elif target == "resource" and action.resource is not None and verb in ("create", "update"):
            self._upload(action, action.resource)
        elif target == "resource" and verb == "patch" and action.resource:
            client.call(
                "resource_patch", {"id": action.current_id, **action.resource.fields}, what=what
            )
        elif target == "resource" and verb == "delete":
            client.call("resource_delete", {"id": action.current_id}, what=what)
        elif verb == "reorder":
            pkg = client.package(d.name) or {}
            ids = {res["name"]: res["id"] for res in pkg.get("resources") or []}
            order = [ids[r.name] for r in d.resources if r.name in ids]
            client.call(
                "package_resource_reorder", {"id": self.dataset_id, "order": order}, what=what
            )

    def _dataset(self, verb: str) -> None:
        """Create the dataset (private until filled), patch its fields, or publish it."""
        client, d, what = self.client, self.d, self.what
        if verb == "publish":
            client.call("package_patch", {"id": self.dataset_id, "private": False}, what=what)
            return
        extras = {**d.fields["extras"], "issued": self.issued, "modified": self.today}
        fields = _package_fields(d, extras)
        if verb == "create":
            created = client.call(
                "package_create",
                {"name": d.name, "private": True, **fields},
                exists=lambda: client.package(d.name),
                what=what,
            )
            self.dataset_id = created["id"]
        else:
            client.call("package_patch", {"id": self.dataset_id, **fields}, what=what)

    def _upload(self, action: Action, r: Resource) -> None:
        """A resource's bytes: a new resource (found again by name and hash if a retry
        finds it made) or new bytes for an existing one."""
        data = {k: v for k, v in r.fields.items()}
        upload = (r.name.rsplit("/", 1)[-1], r.data)
        if action.verb == "create":
            self.client.call(
                "resource_create",
                {"package_id": self.dataset_id, **data},
                upload=upload,
                exists=lambda: self._find_resource(r.name, r.sha256),
                what=self.what,
            )
        else:
            self.client.call(
                "resource_patch", {"id": action.current_id, **data}, upload=upload, what=self.what
            )
        self.counts["bytes"] += len(r.data)

    def _find_resource(self, name: str, sha256: str) -> dict[str, Any] | None:
        pkg = self.client.package(self.d.name)
        for res in (pkg or {}).get("resources") or []:
            if res.get("name") == name and res.get("hash") == sha256:
                return dict(res)
        return None

    def mark_modified(self) -> None:
        """The data changed but no patch of the dataset said so: set `modified`
        (dcat:modified) to today."""
        p, d = self.plan, self.d
        if (
            p.current is not None
            and p.writes
            and not any(a.target == "dataset" and a.verb == "patch" for a in p.actions)
        ):
            extras = {**d.fields["extras"], "issued": self.issued, "modified": self.today}
            if _extras(p.current).get("modified") != self.today:
                self.client.call(
                    "package_patch",
                    {
                        "id": self.dataset_id,
                        "extras": [{"key": k, "value": v} for k, v in sorted(extras.items())],
                    },
                    what=self.what,
                )
