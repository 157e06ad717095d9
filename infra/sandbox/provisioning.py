"""Add-on lifecycle: provisioning, attachments and the config vars they inject, plan changes, teardown.

Heroku facts relied on (research §4 "Add-ons and attachments"): an add-on starts
`provisioning` and becomes `provisioned`; its config vars (`<ATTACHMENT>_<SUFFIX>`, e.g.
`DATABASE_URL`) appear on every attached app only once it is provisioned, each attach or
detach that changes an app's config creates a release ("Attach DATABASE (@ref:...)"), and
the create response already lists the var names (the provider polls config vars until they
exist). Papertrail also gets a log drain owned by the add-on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.sandbox import events, offerings
from infra.sandbox.platform_rules import app_ref, change_config, embed_app, new_release
from infra.sandbox.responses import invalid
from infra.sandbox.store import Record, Tx, public

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox

_COLORS = ("AMBER", "BLUE", "COBALT", "CRIMSON", "GOLD", "GREEN", "IVORY", "OLIVE", "ONYX", "PINK", "PURPLE")
_WORDS = ("curved", "shaped", "tapered", "rigid", "clear", "solid", "round", "flat", "angular", "dimensional")


def service_of(addon: Record) -> offerings.AddonService:
    return offerings.SERVICES[addon["addon_service"]["name"]]


def var_prefix(attachment_name: str) -> str:
    """The config-var prefix an attachment name gives (`database-follower` -> `DATABASE_FOLLOWER`)."""
    return attachment_name.upper().replace("-", "_")


def var_names(service: offerings.AddonService, attachment_name: str) -> list[str]:
    return [f"{var_prefix(attachment_name)}_{suffix}" for suffix in service.suffixes]


def _var_values(addon: Record, attachment_name: str) -> dict[str, str | None]:
    service = service_of(addon)
    return {
        f"{var_prefix(attachment_name)}_{suffix}": offerings.config_value(service, suffix, addon["_token"])
        for suffix in service.suffixes
    }


def render_addon(tx: Tx, addon: Record) -> Record:
    out = public(embed_app(tx, addon))
    out["billing_entity"] = {**addon["billing_entity"], "name": out["app"]["name"]}
    return out


def render_attachment(tx: Tx, attachment: Record) -> Record:
    out = public(embed_app(tx, attachment))
    addon = tx.get("addon", attachment["addon"]["id"])
    if addon is not None:
        owner = tx.get("app", addon["app"]["id"])
        out["addon"] = {"id": addon["id"], "name": addon["name"], "app": app_ref(owner) if owner else addon["app"]}
    return out


def default_attachment_name(tx: Tx, service: offerings.AddonService, app_id: str) -> str:
    """The service's attachment name, or a coloured alias when the app already uses it (HEROKU_POSTGRESQL_AMBER)."""
    if tx.by_name("attachment", service.attachment, app_id) is None:
        return service.attachment
    base = service.name.upper().replace("-", "_")
    for color in _COLORS:
        if tx.by_name("attachment", f"{base}_{color}", app_id) is None:
            return f"{base}_{color}"
    raise invalid(f"App already has {len(_COLORS) + 1} {service.name} attachments.")


def _generated_addon_name(tx: Tx, service: offerings.AddonService) -> str:
    short = service.name.removeprefix("heroku-")
    while True:
        number = int(tx.new_hex(8), 16) % 100000
        name = f"{short}-{_WORDS[number % 10]}-{number:05d}"
        if tx.by_name("addon", name) is None:
            return name


def check_addon_name(tx: Tx, name: str, addon_id: str | None = None) -> None:
    taken = tx.by_name("addon", name)
    if taken is not None and taken["id"] != addon_id:
        raise invalid("Name is already taken")


def create_addon(
    sandbox: Sandbox,
    tx: Tx,
    app: Record,
    plan: tuple[offerings.AddonService, str],
    *,
    name: str | None,
    attachment_name: str | None,
    config: dict[str, str],
) -> Record:
    """Provision `plan` for `app`: the add-on, its first attachment, and (after the add-on delay) its vars."""
    service, plan_name = plan
    if name is not None:
        check_addon_name(tx, name)
    attach_as = attachment_name or default_attachment_name(tx, service, app["id"])
    if tx.by_name("attachment", attach_as, app["id"]) is not None:
        raise invalid(f"Name {attach_as} is already used by another add-on attachment on {app['name']}.")
    full_plan = f"{service.name}:{plan_name}"
    addon_id = tx.new_id()
    addon: Record = {
        "actions": [],
        "addon_service": offerings.named("add-on-service", service.name),
        "billing_entity": {"id": app["id"], "name": app["name"], "type": "app"},
        "app": app_ref(app),
        "billed_price": {"cents": 0, "contract": False, "unit": "month"},
        "config_vars": var_names(service, attach_as),
        "created_at": tx.stamp,
        "id": addon_id,
        "name": name or _generated_addon_name(tx, service),
        "plan": offerings.named("plan", full_plan),
        "provider_id": f"resource{int(tx.new_hex(8), 16)}@{service.name}",
        "state": "provisioning",
        "updated_at": tx.stamp,
        "web_url": f"https://addons-sso.heroku.com/apps/{app['id']}/addons/{addon_id}",
        "_token": tx.new_hex(32),
        "_config": dict(config),
    }
    tx.put("addon", addon)
    _put_attachment(tx, addon, app, attach_as, None)
    events.after(sandbox, tx, sandbox.delays.addon, "addon.provisioned", addon_id)
    return tx.get("addon", addon_id) or addon


def _put_attachment(tx: Tx, addon: Record, app: Record, name: str, namespace: str | None) -> Record:
    attachment: Record = {
        "addon": {"id": addon["id"], "name": addon["name"], "app": dict(addon["app"])},
        "app": app_ref(app),
        "created_at": tx.stamp,
        "id": tx.new_id(),
        "name": name,
        "namespace": namespace,
        "updated_at": tx.stamp,
        "web_url": addon["web_url"],
        "log_input_url": None,
    }
    return tx.put("attachment", attachment)


@events.on("addon.provisioned")
def _provisioned(sandbox: Sandbox, tx: Tx, addon_id: str) -> None:
    addon = tx.get("addon", addon_id)
    if addon is None or addon["state"] != "provisioning":
        return
    addon["state"] = "provisioned"
    addon["updated_at"] = tx.stamp
    tx.put("addon", addon)
    for attachment in tx.all("attachment"):
        if attachment["addon"]["id"] == addon_id:
            _inject(sandbox, tx, addon, attachment, "Attach")
    service = service_of(addon)
    if service.drain_host is not None:
        port = 10000 + int(addon["_token"][:4], 16) % 50000
        tx.put(
            "drain",
            {
                "addon": {"id": addon["id"], "name": addon["name"], "app": dict(addon["app"])},
                "app": dict(addon["app"]),
                "created_at": tx.stamp,
                "id": tx.new_id(),
                "token": f"d.{tx.new_id()}",
                "updated_at": tx.stamp,
                "url": f"syslog+tls://{service.drain_host}:{port}",
                "_app_id": addon["app"]["id"],
            },
        )


def _inject(sandbox: Sandbox, tx: Tx, addon: Record, attachment: Record, verb: str) -> None:
    app = tx.get("app", attachment["app"]["id"])
    if app is None:
        return
    values = _var_values(addon, attachment["name"])
    if verb == "Detach":
        values = dict.fromkeys(values)
    change_config(sandbox, tx, app, values, f"{verb} {var_prefix(attachment['name'])} (@ref:{addon['name']})")


def attach(sandbox: Sandbox, tx: Tx, addon: Record, app: Record, name: str | None, namespace: str | None) -> Record:
    """Attach `addon` to `app` (vars injected now if it is provisioned)."""
    attach_as = name or default_attachment_name(tx, service_of(addon), app["id"])
    if tx.by_name("attachment", attach_as, app["id"]) is not None:
        raise invalid(f"Name {attach_as} is already used by another add-on attachment on {app['name']}.")
    attachment = _put_attachment(tx, addon, app, attach_as, namespace)
    if addon["state"] == "provisioned":
        _inject(sandbox, tx, addon, attachment, "Attach")
    return attachment


def detach(sandbox: Sandbox, tx: Tx, attachment: Record) -> None:
    """Remove an attachment and the vars it put on its app (a release when that changes the app)."""
    tx.delete("attachment", attachment["id"])
    addon = tx.get("addon", attachment["addon"]["id"])
    if addon is not None and addon["state"] == "provisioned":
        _inject(sandbox, tx, addon, attachment, "Detach")


def change_plan(sandbox: Sandbox, tx: Tx, addon: Record, plan: tuple[offerings.AddonService, str]) -> None:
    service, plan_name = plan
    if service.name != addon["addon_service"]["name"]:
        raise invalid(f"Plan {service.name}:{plan_name} belongs to another add-on service than {addon['name']}.")
    full_plan = f"{service.name}:{plan_name}"
    if addon["plan"]["name"] == full_plan:
        return
    addon["plan"] = offerings.named("plan", full_plan)
    addon["updated_at"] = tx.stamp
    tx.put("addon", addon)
    for attachment in tx.all("attachment"):
        if attachment["addon"]["id"] == addon["id"]:
            app = tx.get("app", attachment["app"]["id"])
            if app is not None:
                description = f"Update {var_prefix(attachment['name'])} (@ref:{addon['name']}) to {full_plan}"
                new_release(sandbox, tx, app, description)


def destroy_addon(sandbox: Sandbox, tx: Tx, addon: Record) -> Record:
    """Deprovision: detach everywhere, drop its drains; returns the add-on as `deprovisioned`."""
    for attachment in tx.all("attachment"):
        if attachment["addon"]["id"] == addon["id"]:
            detach(sandbox, tx, attachment)
    for drain in tx.all("drain"):
        if drain["addon"] and drain["addon"]["id"] == addon["id"]:
            tx.delete("drain", drain["id"])
    tx.cancel(addon["id"])
    tx.delete("addon", addon["id"])
    rendered = render_addon(tx, addon)
    rendered["state"] = "deprovisioned"
    rendered["updated_at"] = tx.stamp
    return rendered
