"""Deleting an app takes everything that belongs to it: add-ons it owns, attachments, releases, slugs, the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.sandbox.provisioning import destroy_addon
from infra.sandbox.store import Record, Tx

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox

_OWNED = ("release", "slug", "build", "domain", "formation", "drain", "coupling", "collaborator")


def delete_app(sandbox: Sandbox, tx: Tx, app: Record) -> None:
    """Remove `app` and every record that belongs to it; add-ons it bills are deprovisioned everywhere."""
    for addon in tx.children("addon", app["id"]):
        destroy_addon(sandbox, tx, addon)
    for attachment in tx.children("attachment", app["id"]):
        tx.delete("attachment", attachment["id"])
    for kind in _OWNED:
        for record in tx.children(kind, app["id"]):
            tx.cancel(record["id"])
            tx.delete(kind, record["id"])
    tx.delete("app", app["id"])
