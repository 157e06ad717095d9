"""How to resolve a drift finding: the exact commands, with real Pulumi type tokens and ids.

`pulumi up` restores what the stack declares. It does not remove what it does not know:
the provider leaves undeclared config vars and buildpacks alone (research heroku-api.md §3,
heroku_app Update), and objects created by hand are not in the state at all. Those are
either adopted (declare them in the stack file, then `pulumi import` them under the app's
component with the program's logical name, so the next `up` sees no change), deleted with
the Heroku CLI, or waived for a while.

Logical names come from `infra.program.naming`; the component type and provider name must
equal the program's (a test holds them together).
"""

from __future__ import annotations

from infra.program import naming

COMPONENT_TYPE = "heroku-stack:index:HerokuApp"
PROVIDER_NAME = "heroku"

TOKENS = {
    "addon": "heroku:addon/addon:Addon",
    "attachment": "heroku:addon/attachment:Attachment",
    "domain": "heroku:domain/domain:Domain",
    "formation": "heroku:formation/formation:Formation",
    "drain": "heroku:drain/drain:Drain",
    "feature": "heroku:app/feature:Feature",
    "app": "heroku:app/app:App",
}


def restore(stack: str) -> str:
    return f"run `pulumi up --stack {stack}` to restore what the stack declares"


def maintenance(app_name: str, expected_on: bool) -> tuple[str, ...]:
    """The provider cannot set maintenance mode, so `pulumi up` would not restore it: the CLI does."""
    verb = "on" if expected_on else "off"
    return (f"`heroku maintenance:{verb} -a {app_name}` (the stack declares it {verb}; `pulumi up` does not set it)",)


def waive(check: str, *, alternative: bool = True) -> str:
    """Waiving the drift: "or ..." after another remedy, a sentence of its own when it is the only one."""
    how = f"waive `{check}` in the waivers file, with a reason, an owner and an expiry date"
    return f"or {how}" if alternative else how[0].upper() + how[1:]


def _import(project: str, stack: str, app_key: str, kind: str, logical: str, import_id: str) -> str:
    parent = f"urn:pulumi:{stack}::{project}::{COMPONENT_TYPE}::{naming.component(app_key)}"
    provider = f"urn:pulumi:{stack}::{project}::pulumi:providers:heroku::{PROVIDER_NAME}"
    return (
        f"pulumi import --stack {stack} '{TOKENS[kind]}' {logical} {import_id} "
        f"--parent 'parent={parent}' --provider '{PROVIDER_NAME}={provider}'"
    )


def unmanaged_config(stack: str, app_key: str, app_name: str, var: str) -> tuple[str, ...]:
    return (
        f"`pulumi up` leaves undeclared config vars in place: declare {var} under apps.{app_key}.config "
        f"(or .secrets) in Pulumi.{stack}.yaml and catalog.yaml to keep it",
        f"or remove it: `heroku config:unset {var} -a {app_name}`",
    )


def unmanaged_addon(
    project: str, stack: str, app_key: str, app_name: str, name: str, service: str, addon_id: str
) -> tuple[str, ...]:
    # Declared without a `key`, the add-on's logical name comes from its service.
    return (
        f"to keep it, declare it under apps.{app_key}.addons in Pulumi.{stack}.yaml, then adopt it: "
        + _import(project, stack, app_key, "addon", naming.addon(app_key, service), addon_id),
        f"or delete it: `heroku addons:destroy {name} -a {app_name}`",
    )


def unmanaged_attachment(
    project: str, stack: str, app_key: str, app_name: str, name: str, attachment_id: str
) -> tuple[str, ...]:
    return (
        f"to keep it, declare the add-on's `attachment: {name}` in Pulumi.{stack}.yaml, then adopt it: "
        + _import(project, stack, app_key, "attachment", naming.attachment(app_key, name), attachment_id),
        f"or detach it: `heroku addons:detach {name} -a {app_name}`",
    )


def unmanaged_domain(project: str, stack: str, app_key: str, app_name: str, hostname: str) -> tuple[str, ...]:
    return (
        f"to keep it, declare it under apps.{app_key}.domains in Pulumi.{stack}.yaml, then adopt it: "
        + _import(project, stack, app_key, "domain", naming.domain(app_key, hostname), f"{app_name}:{hostname}"),
        f"or remove it: `heroku domains:remove {hostname} -a {app_name}`",
    )


def unmanaged_process(project: str, stack: str, app_key: str, app_name: str, ptype: str) -> tuple[str, ...]:
    return (
        f"to keep it, declare it under apps.{app_key}.formation in Pulumi.{stack}.yaml, then adopt it: "
        + _import(project, stack, app_key, "formation", naming.formation(app_key, ptype), f"{app_name}:{ptype}"),
        f"or scale it to zero: `heroku ps:scale {ptype}=0 -a {app_name}`",
    )


def unmanaged_drain(
    project: str, stack: str, app_key: str, app_name: str, drain_id: str, index: int, token_hint: str
) -> tuple[str, ...]:
    return (
        f"to keep it, declare it under apps.{app_key}.drains in Pulumi.{stack}.yaml (as `secret_url` if the URL "
        "carries a token), then adopt it: "
        + _import(project, stack, app_key, "drain", naming.drain(app_key, index), f"{app_name}:{drain_id}"),
        f"or remove it: `heroku drains:remove {token_hint} -a {app_name}`",
    )


def unmanaged_feature(
    project: str, stack: str, app_key: str, app_name: str, app_id: str, feature: str
) -> tuple[str, ...]:
    return (
        f"to keep it, declare `{feature}: true` under apps.{app_key}.features in Pulumi.{stack}.yaml, then adopt it: "
        + _import(project, stack, app_key, "feature", naming.feature(app_key, feature), f"{app_id}:{feature}"),
        f"or switch it off: `heroku features:disable {feature} -a {app_name}`",
    )


def replace_app(stack: str, what: str) -> str:
    return (
        f"an app's {what} cannot change in place: `pulumi up --stack {stack}` replaces the app "
        "(a new app with a new id); check whether the change on Heroku was intended first"
    )


def unmanaged_access(app_key: str, app_name: str, email: str, *, team: bool) -> tuple[str, ...]:
    """Someone with access nobody declared: take it away, or grant it in the stack and adopt it."""
    kind = "heroku:team/collaborator:Collaborator" if team else "heroku:collaborator/collaborator:Collaborator"
    return (
        f"if nobody meant to grant it, revoke it now: `heroku access:remove {email} -a {app_name}`",
        f"if it is right, grant it in apps.{app_key}.access and adopt it: `pulumi import {kind} "
        f"{naming.collaborator(app_key, email)} {app_name}:{email}` (with --parent and --provider as for any import)",
    )
