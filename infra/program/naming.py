"""Pulumi logical names (URN names) of everything the program creates.

A logical name is the resource's identity in the Pulumi state: changing one makes Pulumi
delete the old resource and create a new one. So names are built from what is stable in
the spec: the app key (`web`, `api`: the same in every stack), the process type, the
feature, the hostname, the add-on's Heroku name. The Heroku-side `name` input is always
set explicitly as well; the provider would otherwise auto-name it ``<logical>-<hex>``.
"""

from __future__ import annotations

PIPELINE = "pipeline"


def component(app_key: str) -> str:
    return app_key


def app(app_key: str) -> str:
    # Same string as the component, but a different type token, so the URNs differ.
    return app_key


def addon(addon_name: str) -> str:
    # Heroku add-on names are globally unique, and the spec checks them across the stack.
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


def coupling(app_key: str) -> str:
    return f"{app_key}-coupling"
