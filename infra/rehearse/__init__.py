"""Rehearse `pulumi up` against a local Heroku API, without the Pulumi CLI or the provider plugin.

`rehearse(heroku, spec, clock)` replays the stack's offline plan (the real program's registered
resources) in dependency order, with the requests terraform-provider-heroku v5.2.10 sends per
resource type, and returns a `Rehearsal` with the stack outputs `pulumi up` would export
(`manifest` included). `heroku-stack rehearse STACK` is the command line around it. Only a
loopback API is ever accepted.
"""

from infra.rehearse.graph import creation_order, dependencies, references
from infra.rehearse.inputs import Known, resolve_inputs, secret_source
from infra.rehearse.provider import ProviderOptions, script_for
from infra.rehearse.run import Rehearsal, RehearsedResource, rehearse, require_loopback
from infra.rehearse.secret_inputs import SecretValues, declared_secrets, parse_secret_args, secret_values

__all__ = [
    "Known",
    "ProviderOptions",
    "Rehearsal",
    "RehearsedResource",
    "SecretValues",
    "creation_order",
    "declared_secrets",
    "dependencies",
    "parse_secret_args",
    "references",
    "rehearse",
    "require_loopback",
    "resolve_inputs",
    "script_for",
    "secret_source",
    "secret_values",
]
