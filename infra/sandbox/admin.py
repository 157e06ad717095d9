"""The sandbox's own API, outside Heroku's paths under `/__sandbox/`: no credentials, never faulted.

* `GET /__sandbox/health` -> `{"status": "ok"}` once the sandbox serves requests.
* `GET /__sandbox/faults`, `PUT /__sandbox/faults` (a whole `Faults` object; fields left out
  take their defaults; answers the installed faults). Burst fields count down as they fire.
* `GET /__sandbox/requests` -> `[{method, path, status, request_id, target}]`, oldest first
  (status 0 = dropped; target "api" or "app"); `DELETE /__sandbox/requests` empties it.
* `POST /__sandbox/reset`: every resource, fault, bucket and log entry forgotten.
* `GET`/`PUT /__sandbox/rehearsals/{project}/{stack}`: the state `heroku-stack rehearse` keeps
  for a stack (`infra.rehearse.state`), stored with the resources it describes; opaque here.
* `GET`/`PUT /__sandbox/apps/{app}/http`: how the app answers HTTP (`router.HttpBehaviour`).
* `GET`/`PUT /__sandbox/apps/{app}/builds`: what the app's next builds produce and what their
  release phase does (`infra.sandbox.deploys.BuildBehaviour`); `GET`/`PUT /__sandbox/builds`:
  the same for every app without its own.
* `GET`/`PUT /__sandbox/profiles/{name}`: both of those for the app of that name, from its
  creation on (`infra.sandbox.profiles.AppProfile`; a project's `sandbox.yaml`).
* `GET`/`PUT /__sandbox/accounts`: `{token: email}`, the account each API token acts as (several
  people on one sandbox); any other accepted token acts as the default account.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.sandbox.bodies import parse, read_json
from infra.sandbox.context import Sandbox, sandbox_of
from infra.sandbox.deploys import BuildBehaviour, build_behaviour, default_build_behaviour, set_default_build_behaviour
from infra.sandbox.faults import Faults
from infra.sandbox.platform_rules import find_app
from infra.sandbox.profiles import AppProfile, profile_for, set_profile
from infra.sandbox.responses import bad_request, json_response
from infra.sandbox.router import HttpBehaviour


async def get_accounts(request: Request) -> Response:
    return json_response(sandbox_of(request).accounts)


async def put_accounts(request: Request) -> Response:
    raw = await read_json(request)
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and k and isinstance(v, str) and "@" in v for k, v in raw.items()
    ):
        raise bad_request("accounts must be an object of API token -> account email")
    sandbox = sandbox_of(request)
    sandbox.accounts = dict(raw)
    return json_response(sandbox.accounts)


async def health(request: Request) -> Response:
    return json_response({"status": "ok"})


async def get_faults(request: Request) -> Response:
    return json_response(sandbox_of(request).faults.faults.model_dump(mode="json"))


async def put_faults(request: Request) -> Response:
    faults = parse(Faults, await read_json(request))
    sandbox = sandbox_of(request)
    sandbox.faults.replace(faults)
    return json_response(sandbox.faults.faults.model_dump(mode="json"))


async def get_requests(request: Request) -> Response:
    return json_response([entry.as_json() for entry in sandbox_of(request).requests.snapshot()])


async def clear_requests(request: Request) -> Response:
    sandbox_of(request).requests.clear()
    return json_response([])


async def reset(request: Request) -> Response:
    sandbox_of(request).reset()
    return json_response({"status": "reset"})


async def get_http(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(HttpBehaviour.model_validate(app.get("_http", {})).model_dump(mode="json", by_alias=True))


def install_http_behaviour(sandbox: Sandbox, app_identity: str, behaviour: HttpBehaviour) -> None:
    """Make the app (id or name) answer HTTP as `behaviour` says, counting requests and time from now."""
    with sandbox.tx() as tx:
        app = find_app(tx, app_identity)
        app["_http"] = behaviour.model_dump(mode="json", by_alias=True)
        app["_http_served"] = 0
        app["_http_since"] = tx.stamp
        tx.put("app", app)


async def put_http(request: Request) -> Response:
    behaviour = parse(HttpBehaviour, await read_json(request))
    install_http_behaviour(sandbox_of(request), request.path_params["app"], behaviour)
    return json_response(behaviour.model_dump(mode="json", by_alias=True))


async def get_builds(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        return json_response(build_behaviour(tx, app).model_dump(mode="json"))


async def put_builds(request: Request) -> Response:
    behaviour = parse(BuildBehaviour, await read_json(request))
    with sandbox_of(request).tx() as tx:
        app = find_app(tx, request.path_params["app"])
        app["_build"] = behaviour.model_dump(mode="json")
        tx.put("app", app)
    return json_response(behaviour.model_dump(mode="json"))


MAX_REHEARSAL_STATE_BYTES = 16 * 1024 * 1024


def _rehearsal_key(request: Request) -> str:
    return f"rehearsal:{request.path_params['project']}/{request.path_params['stack']}"


async def get_rehearsal(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        stored = tx.get_meta(_rehearsal_key(request))
    if stored is None:
        return json_response({"id": "not_found", "message": "This stack was never rehearsed here."}, status=404)
    return Response(stored, media_type="application/json")


async def put_rehearsal(request: Request) -> Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    text = json.dumps(body)
    if len(text) > MAX_REHEARSAL_STATE_BYTES:
        raise bad_request("A rehearsal state is at most 16 MiB.")
    with sandbox_of(request).tx() as tx:
        tx.set_meta(_rehearsal_key(request), text)
    return Response(text, media_type="application/json")


async def get_profile(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        found = profile_for(tx, request.path_params["name"])
    if found is None:
        return json_response({"id": "not_found", "message": "No profile for an app of that name."}, status=404)
    return json_response(found.model_dump(mode="json", by_alias=True))


async def put_profile(request: Request) -> Response:
    profile = parse(AppProfile, await read_json(request))
    with sandbox_of(request).tx() as tx:
        set_profile(tx, request.path_params["name"], profile)
    return json_response(profile.model_dump(mode="json", by_alias=True))


async def get_default_builds(request: Request) -> Response:
    with sandbox_of(request).tx() as tx:
        return json_response(default_build_behaviour(tx).model_dump(mode="json"))


async def put_default_builds(request: Request) -> Response:
    behaviour = parse(BuildBehaviour, await read_json(request))
    with sandbox_of(request).tx() as tx:
        set_default_build_behaviour(tx, behaviour)
    return json_response(behaviour.model_dump(mode="json"))


routes = [
    Route("/__sandbox/health", health, methods=["GET"]),
    Route("/__sandbox/profiles/{name}", get_profile, methods=["GET"]),
    Route("/__sandbox/profiles/{name}", put_profile, methods=["PUT"]),
    Route("/__sandbox/faults", get_faults, methods=["GET"]),
    Route("/__sandbox/faults", put_faults, methods=["PUT"]),
    Route("/__sandbox/requests", get_requests, methods=["GET"]),
    Route("/__sandbox/requests", clear_requests, methods=["DELETE"]),
    Route("/__sandbox/reset", reset, methods=["POST"]),
    Route("/__sandbox/accounts", get_accounts, methods=["GET"]),
    Route("/__sandbox/accounts", put_accounts, methods=["PUT"]),
    Route("/__sandbox/apps/{app}/http", get_http, methods=["GET"]),
    Route("/__sandbox/apps/{app}/http", put_http, methods=["PUT"]),
    Route("/__sandbox/apps/{app}/builds", get_builds, methods=["GET"]),
    Route("/__sandbox/apps/{app}/builds", put_builds, methods=["PUT"]),
    Route("/__sandbox/rehearsals/{project}/{stack}", get_rehearsal, methods=["GET"]),
    Route("/__sandbox/rehearsals/{project}/{stack}", put_rehearsal, methods=["PUT"]),
    Route("/__sandbox/builds", get_default_builds, methods=["GET"]),
    Route("/__sandbox/builds", put_default_builds, methods=["PUT"]),
]
