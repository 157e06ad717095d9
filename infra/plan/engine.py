"""Running a Pulumi program under the SDK's mock engine and recording what it declared.

`run_program` is the seam between this product and Pulumi's runtime: no CLI, no plugin,
no account, no network. It records every resource registration with its inputs (secrets
unwrapped but remembered by path), its options (`protect`, `ignore_changes`, explicit
`depends_on`), its parent and provider, every invoke (data source), and every message the
program logged to the engine.

Pulumi keeps its runtime settings in context variables and the thread's event loop, so
each run happens on a fresh thread with an empty context and its own loop: runs never see
each other's resources, and the caller's event loop is left alone.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from infra.errors import PlanError, StackError

T = TypeVar("T")

InputPath = tuple[str, ...]


@dataclass(frozen=True)
class Registration:
    """One resource as the program registered it with the engine."""

    urn: str
    id: str
    type: str
    name: str
    parent: str
    provider: str
    providers: Mapping[str, str]
    custom: bool
    inputs: Mapping[str, Any]
    secret_paths: frozenset[InputPath]
    property_dependencies: Mapping[str, tuple[str, ...]]
    dependencies: tuple[str, ...]
    protect: bool
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool = False
    aliases: tuple[str, ...] = ()  # logical names the resource had before (same type and parent)
    read: bool = False  # read by the program (a StackReference), not created

    def is_secret(self, *path: str) -> bool:
        """Whether the input at `path` (or a map enclosing it) was registered as a Pulumi secret."""
        return any(path[: len(p)] == p for p in self.secret_paths)


@dataclass(frozen=True)
class Invocation:
    """One data-source call (invoke) the program made, with the provider reference it used."""

    token: str
    args: Mapping[str, Any]
    provider: str


@dataclass(frozen=True)
class LogMessage:
    severity: str
    message: str


@dataclass(frozen=True)
class ProgramRun(Generic[T]):
    """The program's return value and everything it declared, in arrival order (which varies: the SDK is concurrent)."""

    result: T
    registrations: tuple[Registration, ...]
    invocations: tuple[Invocation, ...]
    messages: tuple[LogMessage, ...]
    inspected: Any = None

    def by_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def named(self, type_token: str, name: str) -> Registration:
        """The registration of logical `name` with `type_token`; KeyError naming what exists otherwise."""
        for registration in self.registrations:
            if registration.type == type_token and registration.name == name:
                return registration
        known = sorted(r.name for r in self.by_type(type_token))
        raise KeyError(f"no {type_token} named {name!r} (registered: {known})")


# Per type token, the outputs the provider computes that the program passes on to other resources.
COMPUTED_OUTPUTS: Mapping[str, tuple[str, ...]] = {
    "heroku:build/build:Build": ("releaseId", "slugId"),
}


STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
# What `pulumi.get_organization()` answers on a self-managed (file, S3) backend.
DIY_ORGANIZATION = "organization"
# The outputs of this project's stacks another stack reads through a StackReference, with their fields.
REFERENCED_OUTPUTS: Mapping[str, tuple[str, ...]] = {"pipeline": ("id", "name")}


def attribute_placeholder(resource_id: str, attribute: str) -> str:
    """What the mock engine answers for a computed output: the resource's id, a dot, the attribute."""
    return f"{resource_id}.{attribute}"


class PlanMocks(pulumi.runtime.Mocks):
    """Answers the engine's questions the way Heroku would, with made-up but well-formed values."""

    def __init__(self, lookups: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] | None = None) -> None:
        self._lock = threading.Lock()
        self.invocations: list[Invocation] = []
        self._lookups = dict(lookups or {})

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        resource_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{args.typ}::{args.name}"))
        state = dict(args.inputs)
        # Outputs only the real provider computes: "<id>.<attribute>", so the plan can tell which
        # attribute of which resource another resource's input takes (`Plan`'s `<Build web-build>.releaseId`).
        for attribute in COMPUTED_OUTPUTS.get(args.typ, ()):
            state[attribute] = attribute_placeholder(resource_id, attribute)
        if args.typ == STACK_REFERENCE_TYPE:
            # Another stack's outputs, known only at `pulumi up`: each leaf names its path.
            outputs = {
                name: {leaf: attribute_placeholder(resource_id, f"outputs.{name}.{leaf}") for leaf in leaves}
                for name, leaves in REFERENCED_OUTPUTS.items()
            }
            state.update(outputs=outputs, secretOutputNames=[])
        if args.typ == "heroku:app/app:App":
            name = _plain(args.inputs.get("name")) or args.name
            state.update(
                uuid=resource_id,
                webUrl=f"https://{name}.herokuapp.com/",
                gitUrl=f"https://git.heroku.com/{name}.git",
                herokuHostname=f"{name}.herokuapp.com",
            )
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        with self._lock:
            self.invocations.append(Invocation(token=args.token, args=dict(args.args), provider=args.provider))
        answer = self._lookups.get(args.token)
        # The mock monitor iterates the failure list whenever a tuple comes back: no failures is [].
        return (answer(args.args) if answer else {}), []


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, also recording each registration's options (not visible to `Mocks`)."""

    def __init__(self, mocks: PlanMocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method's name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        raw = rpc.deserialize_properties(request.object)
        secrets: set[InputPath] = set()
        inputs = _unwrap(raw, (), secrets)
        registration = Registration(
            urn=response.urn,
            id=response.id,
            type=request.type,
            name=request.name,
            parent=request.parent,
            provider=request.provider,
            providers=dict(request.providers),
            custom=bool(request.custom),
            inputs=inputs,
            secret_paths=frozenset(secrets),
            property_dependencies={k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            dependencies=tuple(request.dependencies),
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            aliases=tuple(a.spec.name for a in request.aliases if a.HasField("spec") and a.spec.name),
        )
        with self._lock:
            self.registrations.append(registration)
        return response

    def ReadResource(self, request: Any) -> Any:  # the gRPC method's name: `get`s and StackReferences
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        secrets: set[InputPath] = set()
        registration = Registration(
            urn=response.urn,
            id=self.resources[response.urn].id,  # what the mocks answered, as for a registration
            type=request.type,
            name=request.name,
            parent=request.parent,
            provider=request.provider,
            providers={},
            custom=True,
            inputs=_unwrap(rpc.deserialize_properties(request.properties), (), secrets),
            secret_paths=frozenset(secrets),
            property_dependencies={},
            dependencies=tuple(request.dependencies),
            protect=False,
            ignore_changes=(),
            read=True,
        )
        with self._lock:
            self.registrations.append(registration)
        return response


def run_program(
    program: Callable[[], T],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_keys: tuple[str, ...] = (),
    lookups: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] | None = None,
    inspect: Callable[[T], Awaitable[Any]] | None = None,
) -> ProgramRun[T]:
    """Run `program` as stack `project/stack` under the mock engine, with `config` (``ns:key`` -> string).

    `lookups` answers invokes by token. `inspect`, if given, is awaited with the program's
    result once every registration is done (e.g. to check `Output.is_secret()`); its value is
    `ProgramRun.inspected`. A failure of the program raises PlanError (or its own StackError).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pulumi-mock-engine") as pool:
        future = pool.submit(
            contextvars.Context().run,
            _run,
            program,
            project,
            stack,
            dict(config or {}),
            secret_keys,
            lookups,
            inspect,
        )
        return future.result()


def _run(
    program: Callable[[], T],
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: tuple[str, ...],
    lookups: Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]] | None,
    inspect: Callable[[T], Awaitable[Any]] | None,
) -> ProgramRun[T]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The SDK runs monitor calls on the loop's executor, and gives each of its threads an event
    # loop it never closes: provide the threads (and their loops) here, and close them after.
    worker_loops: list[asyncio.AbstractEventLoop] = []
    workers = ThreadPoolExecutor(thread_name_prefix="pulumi-mock-rpc", initializer=_give_loop, initargs=(worker_loops,))
    loop.set_default_executor(workers)
    mocks = PlanMocks(lookups)
    monitor = RecordingMonitor(mocks)
    collector = _Collector()
    logger = logging.Logger("heroku-stack.mock-engine", level=logging.INFO)
    logger.addHandler(collector)
    box: list[T] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def declare() -> None:
        box.append(program())

    try:
        pulumi.runtime.set_all_config(config, list(secret_keys))
        pulumi.runtime.set_mocks(
            mocks,
            project=project,
            stack=stack,
            preview=False,
            monitor=monitor,
            logger=logger,
            organization=DIY_ORGANIZATION,
        )
        try:
            declare()
        except StackError:
            raise
        except Exception as err:  # the one seam where the program's own failures are translated
            raise PlanError(f"the Pulumi program failed under the mock engine: {type(err).__name__}: {err}") from None
        result = box[0]
        inspected = loop.run_until_complete(inspect(result)) if inspect is not None else None
    finally:
        workers.shutdown(wait=True)
        for worker_loop in worker_loops:
            worker_loop.close()
        loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(
        result=result,
        registrations=tuple(monitor.registrations),
        invocations=tuple(mocks.invocations),
        messages=tuple(collector.messages),
        inspected=inspected,
    )


def _give_loop(loops: list[asyncio.AbstractEventLoop]) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loops.append(loop)


class _Collector(logging.Handler):
    """Keeps the messages the program logged to the (mock) engine, e.g. `pulumi.log.warn`."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)  # the SDK's own debug chatter is not the program's
        self.messages: list[LogMessage] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(LogMessage(severity=record.levelname.lower(), message=record.getMessage()))


def _unwrap(value: Any, path: InputPath, secrets: set[InputPath]) -> Any:
    """`value` with Pulumi's secret envelopes removed; the path of each envelope goes into `secrets`."""
    if rpc.is_rpc_secret(value):
        secrets.add(path)
        return _unwrap(rpc.unwrap_rpc_secret(value), path, secrets)
    if isinstance(value, dict):
        return {str(k): _unwrap(v, (*path, str(k)), secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, (*path, str(i)), secrets) for i, v in enumerate(value)]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine sends every number as a float
    return value


def _plain(value: Any) -> str | None:
    if rpc.is_rpc_secret(value):
        return None
    return value if isinstance(value, str) else None


def decode_json_input(value: Any) -> Any:
    """Provider inputs such as `delays` arrive JSON-encoded; decode them for display."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
