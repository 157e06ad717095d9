"""The rehearsal's own state: what a rehearsed `pulumi up` left behind, as a Pulumi stack's state would hold it.

A second `heroku-stack rehearse` of a stack is a second `pulumi up`: it compares the stack's
plan with this state and sends only what the engine and provider would (nothing for an
unchanged resource). Like a Pulumi checkpoint it records, per resource, its type, Heroku id,
the inputs the provider was given (secrets included: the sandbox holds them anyway, as Pulumi's
state holds them encrypted), the outputs others read (`releaseId`, `web_url`), its options
(`protect`, `delete_before_replace`) and what it depends on; plus the stack outputs, which a
StackReference of another stack reads, and the secret values that were set.

The state lives in the sandbox itself (`GET`/`PUT /__sandbox/rehearsals/{project}/{stack}`), in
the same SQLite file as the resources it describes: restarting the sandbox keeps both, and
`POST /__sandbox/reset` forgets both, so the two never disagree.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infra.errors import RehearsalError
from infra.sandbox.profiles import AppProfile

STATE_SCHEMA = "heroku-stack/rehearsal-state@1"
ADMIN_PREFIX = "/__sandbox/rehearsals"


class StateResource(BaseModel):
    """One resource as the last rehearsal left it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: str  # "<Kind> <logical name>", as in the plan
    type: str
    name: str  # what Heroku calls it
    app: str | None
    id: str | None  # None for what exists only in Pulumi (provider, components)
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    protect: bool = False
    delete_before_replace: bool = False
    dependencies: list[str] = Field(default_factory=list)


class RehearsalState(BaseModel):
    """A stack's rehearsed state; `resources` in the order they were created."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: str = Field(default=STATE_SCHEMA, alias="schema")
    project: str
    stack: str
    resources: list[StateResource] = Field(default_factory=list)
    outputs: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict, repr=False)

    def by_ref(self) -> dict[str, StateResource]:
        return {r.ref: r for r in self.resources}

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)


class StateBackend:
    """Reads and writes rehearsal states on the sandbox's admin API (never faulted, no token)."""

    def __init__(self, base_url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=httpx.Timeout(30.0))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def load(self, project: str, stack: str) -> RehearsalState | None:
        """The stack's state, or None when it was never rehearsed on this sandbox."""
        response = await self._call("GET", project, stack)
        if response.status_code == 404:
            return None
        try:
            return RehearsalState.model_validate_json(response.content)
        except ValidationError as err:
            raise RehearsalError(
                f"the sandbox's rehearsal state of {project}/{stack} is not one this version reads "
                f"({err.error_count()} problem(s)); reset the sandbox (POST /__sandbox/reset) to start again"
            ) from None

    async def save(self, state: RehearsalState) -> None:
        await self._call("PUT", state.project, state.stack, state.to_json())

    async def install_profile(self, app_name: str, profile: AppProfile) -> None:
        """How the app of that name behaves on the sandbox from its creation on (`sandbox.yaml`)."""
        path = f"/__sandbox/profiles/{app_name}"
        try:
            response = await self._http.put(path, content=profile.model_dump_json(by_alias=True))
        except httpx.TransportError as err:
            raise RehearsalError(f"PUT {path}: the sandbox did not answer ({type(err).__name__})") from None
        if response.status_code != 200:
            raise RehearsalError(f"PUT {path}: the sandbox answered {response.status_code}: {response.text[:200]}")

    async def _call(self, method: str, project: str, stack: str, body: str | None = None) -> httpx.Response:
        path = f"{ADMIN_PREFIX}/{project}/{stack}"
        try:
            response = await self._http.request(
                method, path, content=body, headers={"Content-Type": "application/json"} if body else None
            )
        except httpx.TransportError as err:
            raise RehearsalError(f"{method} {path}: the sandbox did not answer ({type(err).__name__})") from None
        if response.status_code not in (200, 404) or (response.status_code == 404 and method != "GET"):
            raise RehearsalError(
                f"{method} {path}: the sandbox answered {response.status_code}; is this a heroku-stack sandbox?"
            )
        return response
