"""How a spec `Secret` becomes a Pulumi input: always an `Output` marked secret.

Under `pulumi up` the engine hands the program decrypted values (`engine_secret`), which
Pulumi then encrypts again in the state. The offline plan never has, and never asks for, a
secret's value: `plan_secret` gives a placeholder that is still marked secret, so the
program runs unchanged and every display of it shows ``[secret]``.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from infra.spec.secret import Secret

SecretInput = Callable[[Secret], pulumi.Output[str]]

PLAN_PLACEHOLDER = "(secret: decrypted by the engine at `pulumi up`)"


def engine_secret(secret: Secret) -> pulumi.Output[str]:
    """The decrypted value, as a Pulumi secret; LookupError if the spec was read from the file."""
    return pulumi.Output.secret(secret.reveal())


def plan_secret(secret: Secret) -> pulumi.Output[str]:
    """A stand-in marked secret: the offline plan shows where secrets go, never what they are."""
    del secret  # deliberately unused: the plan must not depend on the value being known
    return pulumi.Output.secret(PLAN_PLACEHOLDER)
