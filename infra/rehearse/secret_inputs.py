"""The secret values a rehearsal sets: given, decrypted, or generated at random; never shown.

The offline plan masks every secret input (the stack file holds only ciphertext, which only
Pulumi can decrypt). A secret is named by its Pulumi config path, the one `pulumi config set
--secret --path` takes: ``apps.web.secrets.SECRET_KEY`` for a config var,
``apps.web.drains[0].secret_url`` for a log drain's URL, ``fingerprint_key`` for the key of the
manifest's fingerprints. Each value comes from, in order: the caller (`--secret PATH=VALUE`), the
spec when it was loaded with secrets decrypted (PULUMI_CONFIG_PASSPHRASE, the engine, a test),
the previous rehearsal of the stack, else a random value (never for `fingerprint_key`: a manifest
keyed by a made-up key could not be checked; it is then left unkeyed). Generated values are never
printed; the manifest's fingerprints are computed from whatever value was actually set.
"""

from __future__ import annotations

import secrets as random_source
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from infra.errors import RehearsalError
from infra.spec.models import StackSpec
from infra.spec.secret import Secret

GIVEN = "given"
DECRYPTED = "decrypted"
KEPT = "kept"  # the value the previous rehearsal of the stack set
GENERATED = "generated"


def config_var_path(app_key: str, var: str) -> str:
    return f"apps.{app_key}.secrets.{var}"


def drain_path(app_key: str, index: int) -> str:
    return f"apps.{app_key}.drains[{index}].secret_url"


FINGERPRINT_KEY = "fingerprint_key"  # keys the manifest: never made up, or no one could check the manifest


def declared_secrets(spec: StackSpec) -> dict[str, Secret]:
    """Every secret the stack declares, by config path, in the stack's order."""
    found: dict[str, Secret] = {}
    if spec.fingerprint_key is not None:
        found[FINGERPRINT_KEY] = spec.fingerprint_key
    for key, app in spec.apps.items():
        for name, secret in app.secrets.items():
            found[config_var_path(key, name)] = secret
        for index, drain in enumerate(app.drains):
            if drain.secret_url is not None:
                found[drain_path(key, index)] = drain.secret_url
    return found


def parse_secret_args(args: Sequence[str]) -> dict[str, str]:
    """`PATH=VALUE` items (the CLI's `--secret`) as a mapping; errors never repeat an argument (it may be a value)."""
    given: dict[str, str] = {}
    for position, item in enumerate(args, start=1):
        path, sep, value = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise RehearsalError(
                f"--secret #{position} must be PATH=VALUE, e.g. apps.web.secrets.SECRET_KEY=... (value not shown)"
            )
        if path in given:
            raise RehearsalError(f"--secret {path} is given twice")
        given[path] = value
    return given


def check_secret_paths(spec: StackSpec, given: Mapping[str, str]) -> None:
    """RehearsalError naming the first given path that is not a secret `spec` declares, and the ones it does."""
    declared = declared_secrets(spec)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "none"
        raise RehearsalError(f"--secret {unknown[0]}: not a secret of stack {spec.stack!r} (its secrets: {allowed})")


def default_generator(path: str) -> str:
    """A random value shaped for where it goes: an https URL for a drain, an opaque token for a config var."""
    token = random_source.token_hex(16)
    return f"https://logs.rehearsal.invalid/{token}" if path.endswith(".secret_url") else f"rehearsal-{token}"


@dataclass(frozen=True)
class SecretValues:
    """The value of every declared secret, and where each came from (`given`, `decrypted`, `generated`)."""

    values: Mapping[str, str]
    sources: Mapping[str, str]

    def __repr__(self) -> str:
        return f"SecretValues({dict(self.sources)!r})"

    def by_source(self, source: str) -> tuple[str, ...]:
        return tuple(path for path, origin in self.sources.items() if origin == source)


def secret_values(
    spec: StackSpec,
    given: Mapping[str, str] | None = None,
    *,
    previous: Mapping[str, str] | None = None,
    generate: Callable[[str], str] = default_generator,
) -> SecretValues:
    """A value for every secret `spec` declares: given, decrypted, kept from the `previous` rehearsal, or random.

    Keeping the previous value is what makes a second rehearsal of an unchanged stack change nothing.
    RehearsalError for a given path the stack does not declare.
    """
    declared = declared_secrets(spec)
    supplied = dict(given or {})
    kept = dict(previous or {})
    check_secret_paths(spec, supplied)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for path, secret in declared.items():
        if path in supplied:
            values[path], sources[path] = supplied[path], GIVEN
        elif secret.known:
            values[path], sources[path] = secret.reveal(), DECRYPTED
        elif path in kept:
            values[path], sources[path] = kept[path], KEPT
        elif path != FINGERPRINT_KEY:
            values[path], sources[path] = generate(path), GENERATED
    return SecretValues(values=values, sources=sources)


def with_values(spec: StackSpec, values: Mapping[str, str]) -> StackSpec:
    """`spec` with every secret holding the value that was set: what the engine would have seen."""
    apps = {}
    for key, app in spec.apps.items():
        secrets = {name: Secret(value=values[config_var_path(key, name)]) for name in app.secrets}
        drains = tuple(
            d
            if d.secret_url is None
            else d.model_copy(update={"secret_url": Secret(value=values[drain_path(key, index)])})
            for index, d in enumerate(app.drains)
        )
        apps[key] = app.model_copy(update={"secrets": secrets, "drains": drains})
    update: dict[str, object] = {"apps": apps}
    if FINGERPRINT_KEY in values:
        update[FINGERPRINT_KEY] = Secret(value=values[FINGERPRINT_KEY])
    return spec.model_copy(update=update)
