"""Decrypting a stack file's `secure:` values the way Pulumi's passphrase secrets provider does.

A stack that uses the passphrase provider (the default for self-managed backends) carries
``encryptionsalt: v1:<salt>:v1:<nonce>:<ciphertext of "pulumi">`` and each secret as
``secure: v1:<nonce>:<ciphertext>``: AES-256-GCM under a key derived from the passphrase with
PBKDF2-HMAC-SHA256 (1,000,000 iterations, the salt above). Pulumi reads the passphrase from
``PULUMI_CONFIG_PASSPHRASE`` or the file named by ``PULUMI_CONFIG_PASSPHRASE_FILE``; so does this.

With it, the tools that read Heroku after `pulumi up` (verify, drift, promote) and the rehearsal
use the stack's real secrets: the `fingerprint_key` that keys the manifest, and the values the
rehearsal sets. Other secrets providers (Pulumi Cloud, KMS) are only readable by the Pulumi CLI.
The passphrase and every decrypted value are held as `Secret`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.errors import SpecError, SpecIssue
from infra.spec.secret import Secret

PBKDF2_ITERATIONS = 1_000_000
_CHECK_PLAINTEXT = b"pulumi"


def passphrase_from_env(env: Mapping[str, str] | None = None) -> Secret | None:
    """`PULUMI_CONFIG_PASSPHRASE`, else the contents of `PULUMI_CONFIG_PASSPHRASE_FILE`, else None."""
    environ = os.environ if env is None else env
    if environ.get("PULUMI_CONFIG_PASSPHRASE"):
        return Secret(value=environ["PULUMI_CONFIG_PASSPHRASE"])
    path = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if path:
        try:
            return Secret(value=Path(path).read_text(encoding="utf-8").rstrip("\n"))
        except OSError as err:
            issue = SpecIssue("", f"cannot be read ({err.strerror})")
            raise SpecError(f"PULUMI_CONFIG_PASSPHRASE_FILE {path}", None, [issue]) from None
    return None


class Crypter:
    """Decrypts one stack's secrets; built from its `encryptionsalt` and the passphrase, which it checks."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def for_stack(cls, encryption_salt: str, passphrase: Secret, *, source: str, stack: str) -> Crypter:
        """The stack's crypter; SpecError (naming the file) for a malformed salt or a wrong passphrase."""
        parts = encryption_salt.split(":")
        if len(parts) != 5 or parts[0] != "v1":
            raise SpecError(source, stack, [SpecIssue("encryptionsalt", "is not a Pulumi passphrase salt (v1:...)")])
        salt = _b64(parts[1], source, stack, "encryptionsalt")
        crypter = cls(_derive(passphrase.reveal(), salt))
        if crypter._open(":".join(parts[2:])) != _CHECK_PLAINTEXT:
            raise SpecError(
                source,
                stack,
                [SpecIssue("", "PULUMI_CONFIG_PASSPHRASE does not decrypt this stack's secrets (wrong passphrase)")],
            )
        return crypter

    def decrypt(self, ciphertext: str, *, source: str, stack: str, path: str) -> Secret:
        """One `secure:` value, as a `Secret`; SpecError naming its config path when it cannot be read."""
        plaintext = self._open(ciphertext)
        if plaintext is None:
            raise SpecError(source, stack, [SpecIssue(path, "is a secure: value this passphrase cannot decrypt")])
        try:
            return Secret(value=plaintext.decode("utf-8"))
        except UnicodeDecodeError:
            raise SpecError(source, stack, [SpecIssue(path, "decrypts to something that is not UTF-8 text")]) from None

    def _open(self, ciphertext: str) -> bytes | None:
        parts = ciphertext.split(":")
        if len(parts) != 3 or parts[0] != "v1":
            return None
        try:
            nonce, sealed = base64.b64decode(parts[1], validate=True), base64.b64decode(parts[2], validate=True)
            return self._aead.decrypt(nonce, sealed, None)
        except (binascii.Error, ValueError, InvalidTag):
            return None


@lru_cache(maxsize=16)
def _derive(passphrase: str, salt: bytes) -> bytes:
    # A million rounds take about half a second: each stack's key is derived once per process.
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), salt, PBKDF2_ITERATIONS, dklen=32)


def _b64(text: str, source: str, stack: str, path: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SpecError(source, stack, [SpecIssue(path, "is not valid base64")]) from None
