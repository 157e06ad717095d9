"""What Heroku itself created: config vars and drains that belong to add-ons, not to a person.

Heroku sets an add-on's config vars on every app it is attached to, named
``<ATTACHMENT>_<SUFFIX>`` (``REDIS`` -> ``REDIS_URL``, ``DATABASE`` -> ``DATABASE_URL``), and
lists the owning app's names in the add-on's ``config_vars`` (research heroku-api.md §4 "Add-ons
and attachments"). Some add-ons (Papertrail) also add a log drain whose ``addon`` field names
them. Such objects are annotated `platform_managed`, never reported as unmanaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from infra.verify.live import LiveAddon, LiveAttachment


@dataclass(frozen=True)
class AddonProvenance:
    """Which add-on set a config var on one app."""

    by_name: dict[str, str]  # exact names from the add-ons' `config_vars`
    by_prefix: tuple[tuple[str, str], ...]  # ("REDIS_", label) per attachment on the app

    def owner(self, var: str) -> str | None:
        """ "add-on X (attachment Y)" when an add-on set `var`, else None."""
        if var in self.by_name:
            return self.by_name[var]
        return next((label for prefix, label in self.by_prefix if var.startswith(prefix)), None)


def addon_provenance(
    app_name: str, addons: Iterable[LiveAddon], attachments: Iterable[LiveAttachment]
) -> AddonProvenance:
    by_name: dict[str, str] = {}
    for addon in addons:
        if addon.owner_app in (None, app_name):
            for var in addon.config_vars:
                by_name.setdefault(var, f"add-on {addon.name}")
    prefixes = tuple(
        (f"{a.name}_", f"add-on {a.addon_name} (attachment {a.name})")
        for a in sorted(attachments, key=lambda a: -len(a.name))  # longest prefix wins
    )
    return AddonProvenance(by_name, prefixes)


def is_owned_attachment(app_name: str, attachment: LiveAttachment) -> bool:
    """An attachment of one of this app's own add-ons (Heroku's default one, or a declared one)."""
    return attachment.addon_app in (None, app_name)
