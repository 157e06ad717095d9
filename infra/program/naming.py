"""Pulumi logical names (URN names) of everything the program creates.

A logical name is the resource's identity in the Pulumi state: changing one makes Pulumi
delete the old resource and create a new one. So names are built from what is stable in
the spec: the app key (`web`, `api`: the same in every stack), the process type, the
feature, the hostname, an add-on's key (its service unless the spec names one). Never a
Heroku name: renaming an add-on on Heroku is an update (the provider PATCHes `name`), and
must not delete a database and create an empty one. The Heroku-side `name` input is always
set explicitly as well; the provider would otherwise auto-name it ``<logical>-<hex>``.
"""

from __future__ import annotations

PIPELINE = "pipeline"


def component(app_key: str) -> str:
    return app_key


def app(app_key: str) -> str:
    # Same string as the component, but a different type token, so the URNs differ.
    return app_key


def addon(app_key: str, addon_key: str) -> str:
    return f"{app_key}-addon-{addon_key}"


def addon_before_stable_keys(addon_name: str) -> str:
    # Until stable keys, an add-on's logical name was its Heroku name: the alias that keeps those stacks' add-ons.
    return addon_name


def attachment(app_key: str, attachment_name: str) -> str:
    return f"{app_key}-attachment-{attachment_name}"


def domain(app_key: str, hostname: str) -> str:
    return f"{app_key}-domain-{hostname}"


def formation(app_key: str, process_type: str) -> str:
    return f"{app_key}-formation-{process_type}"


def drain(app_key: str, index: int) -> str:
    # A drain has no stable name of its own (its URL may be secret): its position in the list.
    return f"{app_key}-drain-{index}"


def feature(app_key: str, feature_name: str) -> str:
    return f"{app_key}-feature-{feature_name}"


def build(app_key: str) -> str:
    return f"{app_key}-build"


def release_phase(app_key: str) -> str:
    return f"{app_key}-release-phase"


def coupling(app_key: str) -> str:
    return f"{app_key}-coupling"


def collaborator(app_key: str, email: str) -> str:
    # Emails are case-insensitive on Heroku: one logical name however the stack spells it.
    return f"{app_key}-collaborator-{email.lower()}"


def team_member(email: str) -> str:
    return f"team-member-{email.lower()}"
