"""Custom domains: create (with `sni_endpoint`, null allowed), read by id or hostname, update, delete; ACM.

Heroku lists the app's own `<app>-<hex>.herokuapp.com` as a domain of kind `heroku` next to
the custom ones; it cannot be removed. SNI endpoints are not emulated, so only `null` is
accepted for `sni_endpoint` (with ACM the provider ignores it anyway).

ACM: on an app with `acm` on, a custom domain's `acm_status` is `pending` (the schema's example
value) from when it is added, or ACM enabled, until the ACM delay (`Delays.acm`) has passed,
then `cert issued` (the value the Heroku CLI's `certs:auto --wait` waits for; it also knows
`in-progress`, `dns-verified`, `failing` and `failed`). Disabling ACM clears it to null.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox import events
from infra.sandbox.bodies import Body, Identity, read_body
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.platform_rules import app_ref, embed_app, find_app, hostname, is_uuid
from infra.sandbox.ranges import list_response
from infra.sandbox.responses import invalid, json_response, not_found
from infra.sandbox.store import Record, Tx, public

ACM_PENDING = "pending"
ACM_ISSUED = "cert issued"
HOSTNAME = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_WORDS = ("whispering", "rocky", "sheltered", "tranquil", "crystal", "shallow", "fluffy", "radiant")
_NOUNS = ("willow", "basin", "badlands", "lake", "cove", "harbor", "plains", "meadow")


class DomainCreate(Body):
    nullable = frozenset({"sni_endpoint"})

    hostname: str
    sni_endpoint: Identity | None


class DomainUpdate(Body):
    nullable = frozenset({"sni_endpoint"})

    sni_endpoint: Identity | None


def heroku_domain(app: Record) -> Record:
    """The app's herokuapp.com hostname as Heroku lists it among its domains."""
    return {
        "acm_status": None,
        "acm_status_reason": None,
        "app": app_ref(app),
        "cname": None,
        "created_at": app["created_at"],
        "hostname": hostname(app),
        "id": app["_domain_id"],
        "kind": "heroku",
        "updated_at": app["created_at"],
        "status": "succeeded",
        "sni_endpoint": None,
    }


def find_domain(tx: Tx, app: Record, identity: str) -> Record:
    own = heroku_domain(app)
    if identity in (own["id"], own["hostname"]):
        return own
    domain = tx.get("domain", identity) if is_uuid(identity) else tx.by_name("domain", identity.lower(), app["id"])
    if domain is None or domain["app"]["id"] != app["id"]:
        raise not_found("domain", identity)
    return domain


def start_acm(sandbox: Sandbox, tx: Tx, domain: Record) -> None:
    """The domain's certificate is requested: `pending`, then `cert issued` after the ACM delay."""
    domain.update(acm_status=ACM_PENDING, acm_status_reason=None, updated_at=tx.stamp)
    tx.put("domain", domain)
    events.after(sandbox, tx, sandbox.delays.acm, "acm.issued", domain["id"])


def stop_acm(tx: Tx, domain: Record) -> None:
    domain.update(acm_status=None, acm_status_reason=None, updated_at=tx.stamp)
    tx.put("domain", domain)


@events.on("acm.issued")
def _acm_issued(sandbox: Sandbox, tx: Tx, domain_id: str) -> None:
    domain = tx.get("domain", domain_id)
    app = tx.get("app", domain["app"]["id"]) if domain else None
    if domain is None or app is None or not app["acm"] or domain["acm_status"] != ACM_PENDING:
        return
    domain.update(acm_status=ACM_ISSUED, updated_at=tx.stamp)
    tx.put("domain", domain)


def _no_sni(sni_endpoint: str | None) -> None:
    if sni_endpoint is not None:
        raise not_found("sni-endpoint", sni_endpoint)


async def create(request: Request) -> Response:
    body = await read_body(request, DomainCreate)
    name = body.hostname.strip().lower()
    if not HOSTNAME.match(name) or name.endswith((".herokuapp.com", ".herokudns.com")):
        raise invalid(f"Invalid params: hostname {body.hostname!r} is not a domain you can add.")
    _no_sni(body.sni_endpoint)
    sandbox = sandbox_of(request)
    with sandbox.tx() as tx:
        app = find_app(tx, request.path_params["app"])
        if tx.by_name("domain", name) is not None:
            raise invalid(f"Domain {name} is already in use by another app or this one.")
        word = int(tx.new_hex(4), 16)
        domain: Record = {
            "acm_status": None,
            "acm_status_reason": None,
            "app": app_ref(app),
            "cname": f"{_WORDS[word % 8]}-{_NOUNS[(word // 8) % 8]}-{tx.new_hex(16)}.herokudns.com",
            "created_at": tx.stamp,
            "hostname": name,
            "id": tx.new_id(),
            "kind": "custom",
            "updated_at": tx.stamp,
            "status": "succeeded",
            "sni_endpoint": None,
        }
        tx.put("domain", domain)
        if app["acm"]:
            start_acm(sandbox, tx, domain)
        return json_response(public(tx.get("domain", domain["id"]) or domain), status=201)


async def list_domains(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        domains = [heroku_domain(app)] + [public(embed_app(tx, d)) for d in tx.children("domain", app["id"])]
    return list_response(request, domains, ("id", "hostname"))


async def info(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(public(embed_app(tx, find_domain(tx, app, request.path_params["domain"]))))


async def update(request: Request) -> Response:
    body = await read_body(request, DomainUpdate)
    _no_sni(body.sni_endpoint)
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        domain = find_domain(tx, app, request.path_params["domain"])
        return json_response(public(embed_app(tx, domain)))


async def destroy(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        domain = find_domain(tx, app, request.path_params["domain"])
        if domain["kind"] == "heroku":
            raise invalid(f"{domain['hostname']} is the app's own Heroku domain and cannot be removed.")
        tx.delete("domain", domain["id"])
        return json_response(public(embed_app(tx, domain)))


async def list_sni_endpoints(request: Request) -> Response:
    """An app's SNI endpoints (uploaded certificates): always none, the sandbox holds no certificates.

    `heroku domains:add` and `certs:auto` list them first; ACM (`acm: true`) is how the sandbox's apps
    get certificates.
    """
    with sandbox_of(request).tx() as tx:
        find_app(tx, request.path_params["app"])
    return list_response(request, [], ("id", "name"))


routes = [
    Route("/apps/{app}/sni-endpoints", list_sni_endpoints, methods=["GET"]),
    Route("/apps/{app}/domains", create, methods=["POST"]),
    Route("/apps/{app}/domains", list_domains, methods=["GET"]),
    Route("/apps/{app}/domains/{domain}", info, methods=["GET"]),
    Route("/apps/{app}/domains/{domain}", update, methods=["PATCH"]),
    Route("/apps/{app}/domains/{domain}", destroy, methods=["DELETE"]),
]
