"""How a sandbox is set up: where state lives, who may call it, how fast things settle, which faults apply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from infra.clock import Clock, SystemClock
from infra.sandbox.faults import Faults


@dataclass(frozen=True)
class Delays:
    """Seconds before an asynchronous Heroku state change happens; 0 means it happens inside the request.

    Real Heroku takes seconds to minutes; the provider polls each of these (research §2), so a
    non-zero delay exercises its polling while 0 keeps tests fast.
    """

    release: float = 0.0  # release `pending` -> `succeeded`
    addon: float = 0.0  # add-on `provisioning` -> `provisioned`, then its config vars appear
    build: float = 0.0  # build `pending` -> `succeeded` (slug and release created then)
    promotion: float = 0.0  # promotion `pending` -> `completed`, targets released
    acm: float = 0.0  # a custom domain's ACM certificate `pending` -> `cert issued`


@dataclass(frozen=True)
class RateLimit:
    """Token bucket per API token: Heroku allows 4 500 requests an hour, refilled continuously."""

    capacity: int = 4500
    refill_per_second: float = 4500 / 3600


@dataclass(frozen=True)
class SandboxConfig:
    """Everything `create_app` needs; the defaults suit tests (in-memory state, any token, no delays).

    `tokens`: the API tokens accepted; None accepts any non-empty token. `seed` makes generated
    ids, names and hostnames deterministic (and stays deterministic across restarts on a state
    file). `faults` is the initial fault set, changeable later through `PUT /__sandbox/faults`.
    """

    state_path: str = ":memory:"
    tokens: frozenset[str] | None = None
    seed: int | None = None
    clock: Clock = field(default_factory=SystemClock)
    delays: Delays = field(default_factory=Delays)
    rate_limit: RateLimit = field(default_factory=RateLimit)
    faults: Faults = field(default_factory=Faults)
    account_email: str = "sandbox@example.com"
    accounts: Mapping[str, str] = field(default_factory=dict)  # token -> account email (several people)
    # Heroku Teams that exist from the start (team name -> its admin's email), as made in the Dashboard.
    teams: Mapping[str, str] = field(default_factory=dict)
