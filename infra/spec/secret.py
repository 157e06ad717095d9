"""A secret value that cannot leak through repr, str, logs or JSON.

A stack file holds secrets as Pulumi ``secure:`` entries (ciphertext). Under the engine,
Pulumi hands the program the decrypted value. `Secret` carries either, and only ever
shows a fingerprint: an HMAC-SHA256 of the value and where it lives (app and variable), keyed
by the stack's secret `fingerprint_key` when it has one, so the same secret in two places does
not give the same fingerprint and, keyed, a fingerprint cannot be tested against guesses.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from pydantic import GetCoreSchemaHandler, ValidationInfo
from pydantic_core import PydanticCustomError, core_schema

FINGERPRINT_PREFIX = "hmac-sha256:"
KEYED_PREFIX = "hmac-sha256-keyed:"
_KEY_ID_MESSAGE = b"heroku-stack fingerprint key id"


def fingerprint(value: str, *, scope: str, key: Secret | None = None) -> str:
    """A short, stable, non-reversible tag for `value` as stored at `scope` (e.g. ``app/VAR``).

    Keyed by the stack's `fingerprint_key` when given: without the key, nobody holding the tag can
    test guesses of a low-entropy secret against it. Unkeyed tags (scope as the key) only guard
    against lookups in precomputed tables.
    """
    if key is None:
        digest = hmac.new(scope.encode(), value.encode(), hashlib.sha256).hexdigest()
        return FINGERPRINT_PREFIX + digest[:20]
    keyed = hmac.new(key.reveal().encode(), f"{scope}\n{value}".encode(), hashlib.sha256).hexdigest()
    return KEYED_PREFIX + keyed[:24]


def key_id(key: Secret) -> str:
    """A public name for a fingerprint key: says which key a manifest was made with, reveals nothing of it."""
    return "key-" + hmac.new(key.reveal().encode(), _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:12]


class Secret:
    """A secret from the stack's config: ciphertext from the file, or plaintext from the engine."""

    __slots__ = ("_ciphertext", "_value")

    def __init__(self, *, value: str | None = None, ciphertext: str | None = None) -> None:
        if (value is None) == (ciphertext is None):
            raise ValueError("a Secret holds exactly one of value or ciphertext")
        self._value = value
        self._ciphertext = ciphertext

    @property
    def known(self) -> bool:
        """True when the plaintext is available (the engine decrypted it)."""
        return self._value is not None

    def reveal(self) -> str:
        """The plaintext; only for handing to Pulumi as a secret input or to compare."""
        if self._value is None:
            raise LookupError("this secret is still encrypted: run under `pulumi up` to decrypt it")
        return self._value

    def fingerprint(self, *, scope: str, key: Secret | None = None) -> str | None:
        """The fingerprint of the plaintext at `scope` (keyed by `key`), or None while it is encrypted."""
        return None if self._value is None else fingerprint(self._value, scope=scope, key=key)

    def __repr__(self) -> str:
        return "Secret(****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value and self._ciphertext == other._ciphertext

    def __hash__(self) -> int:
        return hash((self._value, self._ciphertext))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(
            _validate_secret,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda s: repr(s)),
        )


def _validate_secret(raw: object, info: ValidationInfo) -> Secret:
    if isinstance(raw, Secret):
        return raw
    if isinstance(raw, dict) and set(raw) == {"secure"} and isinstance(raw["secure"], str) and raw["secure"]:
        return Secret(ciphertext=raw["secure"])
    decrypted = bool(info.context and info.context.get("secrets_decrypted"))
    if isinstance(raw, str) and decrypted:
        return Secret(value=raw)
    raise PydanticCustomError(
        "not_a_secret",
        "must be a Pulumi secret (a `secure:` entry); set it with `pulumi config set --secret --path '{path}' <value>`",
        {"path": "<this key>"},
    )
