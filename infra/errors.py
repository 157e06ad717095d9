"""Every error the product raises, and the exit code each one maps to.

The tree::

    StackError                      base; exit_code = ERROR (2)
    ├── SpecError                   a stack file or catalog is invalid (file, stack, key path, allowed, got)
    ├── WaiverFileError             the waivers file is malformed (checked before any API call)
    ├── ManifestError               the --manifest file is not the `manifest` output of this stack
    ├── ScopeError                  --app / --check name an unknown app or a malformed check glob
    ├── HerokuError                 the Platform API could not give a usable answer
    │   ├── HerokuAPIError          it answered with an error body; chosen by Heroku's error `id`
    │   │   ├── BadRequest              bad_request (400)
    │   │   ├── Unauthorized            unauthorized (401)
    │   │   ├── Forbidden               forbidden, suspended, delinquent (402/403)
    │   │   ├── NotFound                not_found (404)
    │   │   ├── NotAcceptable           not_acceptable (406)
    │   │   ├── Conflict                conflict (409)
    │   │   ├── Gone                    gone (410)
    │   │   ├── RangeNotSatisfiable     requested_range_not_satisfiable (416)
    │   │   ├── InvalidParams           invalid_params, verification_needed (422)
    │   │   ├── RateLimited             rate_limit (429), after the bounded back-off ran out
    │   │   └── ServerError             5xx, after retries ran out
    │   ├── TransportError          no HTTP answer at all (connection refused/dropped, timeout)
    │   ├── UnexpectedResponse      a success answer the client cannot use (not JSON, a list that never ends)
    │   └── ReadOnlyViolation       a write was attempted through a read-only client
    ├── MissingCredentials          no Heroku API token in argument, HEROKU_API_KEY or netrc
    ├── InvalidApiUrl               the Heroku API URL (argument or HEROKU_API_URL) is not an http(s) URL
    ├── PlanError                   the Pulumi program failed under the mock engine
    ├── SandboxError                the local Heroku sandbox cannot start (state file, port)
    ├── RehearsalError              `heroku-stack rehearse` refused its target (not loopback) or stopped midway
    ├── ReleasePhaseFailed          `pulumi up`: a build's release failed or timed out in its release phase
    └── PromotionError              promotion could not be completed as asked
        ├── PromotionBlocked        the pre-flight gate refused; nothing was changed (exit 4)
        ├── PromotionDeclined       no --yes, or "no" at the prompt; nothing was changed (exit 7)
        ├── PromotionRolledBack     post-flight failed; production was rolled back and is healthy (exit 5)
        ├── ProductionNeedsAttention promotion or rollback failed; a person must act (exit 6)
        └── PromotionLocked         another promotion of the pipeline is running; nothing was changed (exit 9)

Library code raises; only the CLI turns an error into an exit code, through `exit_code`.
Foreign exceptions (pydantic, yaml, httpx) are translated once, at the seam that meets them.
No message may carry a secret value: secrets are fingerprints or `Secret` objects by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """The command line's exit codes; `--help` and the README render this table."""

    OK = 0
    DRIFT = 1
    ERROR = 2
    PENDING = 3
    BLOCKED = 4
    ROLLED_BACK = 5
    NEEDS_ATTENTION = 6
    DECLINED = 7
    ROLLED_BACK_AS_ASKED = 8
    LOCKED = 9
    POLICY_VIOLATION = 10

    @property
    def meaning(self) -> str:
        return _EXIT_MEANINGS[self]


_EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "clean: every check passed (waived findings allowed)",
    ExitCode.DRIFT: "drift: at least one finding is missing, changed or unmanaged",
    ExitCode.ERROR: "error: bad input, an API failure, or zero checks ran",
    ExitCode.PENDING: "pending: only checks still converging at their deadline remain",
    ExitCode.BLOCKED: "promotion blocked by the pre-flight gate; nothing was changed",
    ExitCode.ROLLED_BACK: "promotion failed post-flight; production was rolled back and is healthy",
    ExitCode.NEEDS_ATTENTION: "promotion or rollback failed; production needs a person",
    ExitCode.DECLINED: "declined: no --yes or 'no' at the prompt; nothing was changed",
    ExitCode.ROLLED_BACK_AS_ASKED: "rolled back as asked (--rollback): production runs its previous release, healthy",
    ExitCode.LOCKED: "another promotion of this pipeline is running (its lock names it); nothing was changed",
    ExitCode.POLICY_VIOLATION: "the plan violates a mandatory guardrail policy (listed as MANDATORY)",
}


class StackError(Exception):
    """Base of every error this product raises on purpose."""

    exit_code: ExitCode = ExitCode.ERROR


# --- spec -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a stack file: where (a Pulumi config path) and what."""

    path: str
    message: str

    def render(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(StackError):
    """A stack file, the project file or the catalog is invalid.

    The message names the file and the stack, then one line per issue:
    ``Pulumi.production.yaml (stack "production"): apps.web.formation.web.quantity: must be at least 0 (got -1)``
    """

    def __init__(self, source: str, stack: str | None, issues: list[SpecIssue]) -> None:
        self.source = source
        self.stack = stack
        self.issues = issues
        where = f'{source} (stack "{stack}")' if stack else source
        if len(issues) == 1:
            text = f"{where}: {issues[0].render()}"
        else:
            lines = "\n".join(f"  - {issue.render()}" for issue in issues)
            text = f"{where}: {len(issues)} problems\n{lines}"
        super().__init__(text)


class WaiverFileError(StackError):
    """The waivers file is malformed; raised before any API call is made."""


class ManifestError(StackError):
    """The manifest given to `verify --manifest` is not this stack's `manifest` stack output."""


class ScopeError(StackError):
    """`--app` or `--check` selects an app the stack does not declare, or is not a valid check glob."""


class MissingCredentials(StackError):
    """No Heroku API token could be found."""


class InvalidApiUrl(StackError):
    """The Heroku API base URL (argument or HEROKU_API_URL) is not an absolute http(s) URL."""


class PlanError(StackError):
    """The Pulumi program raised while running under the mock engine."""


class SandboxError(StackError):
    """The local Heroku sandbox cannot start: its state file is unusable or its port is taken."""


class RehearsalError(StackError):
    """The `pulumi up` rehearsal refused to start (an API URL that is not loopback, a bad --secret, a plan it
    cannot replay) or stopped at a resource Heroku would not create; the message names the resource."""


class ReleasePhaseFailed(StackError):
    """Raised inside `pulumi up` by the `ReleasePhase` resource: the build's release failed, expired, or was still
    pending at its timeout; the message has the release's output URL."""


# --- Heroku API -----------------------------------------------------------------------------


class HerokuError(StackError):
    """The Heroku Platform API could not give a usable answer."""


class HerokuAPIError(HerokuError):
    """Heroku answered with an error body ``{"id", "message"}``.

    Carries the request's method and path, the status, Heroku's error id and the
    `Request-Id` Heroku returned, so a support ticket can quote it.
    """

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        error_id: str,
        message: str,
        request_id: str | None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.error_id = error_id
        self.api_message = message
        self.request_id = request_id
        rid = f", request id {request_id}" if request_id else ""
        super().__init__(f"{method} {path} -> {status} {error_id}: {message}{rid}")


class BadRequest(HerokuAPIError):
    pass


class Unauthorized(HerokuAPIError):
    pass


class Forbidden(HerokuAPIError):
    pass


class NotFound(HerokuAPIError):
    pass


class NotAcceptable(HerokuAPIError):
    pass


class Conflict(HerokuAPIError):
    pass


class Gone(HerokuAPIError):
    pass


class RangeNotSatisfiable(HerokuAPIError):
    pass


class InvalidParams(HerokuAPIError):
    pass


class RateLimited(HerokuAPIError):
    pass


class ServerError(HerokuAPIError):
    pass


ERROR_CLASSES_BY_ID: dict[str, type[HerokuAPIError]] = {
    "bad_request": BadRequest,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "suspended": Forbidden,
    "delinquent": Forbidden,
    "not_found": NotFound,
    "not_acceptable": NotAcceptable,
    "conflict": Conflict,
    "gone": Gone,
    "requested_range_not_satisfiable": RangeNotSatisfiable,
    "invalid_params": InvalidParams,
    "verification_needed": InvalidParams,
    "rate_limit": RateLimited,
    "internal_server_error": ServerError,
    "service_unavailable": ServerError,
}


def api_error_class(error_id: str, status: int) -> type[HerokuAPIError]:
    """The exception class for Heroku's error `id`, falling back on the status code."""
    if error_id in ERROR_CLASSES_BY_ID:
        return ERROR_CLASSES_BY_ID[error_id]
    if status >= 500:
        return ServerError
    if status == 429:
        return RateLimited
    if status == 404:
        return NotFound
    if status in (401,):
        return Unauthorized
    if status in (402, 403):
        return Forbidden
    if status == 422:
        return InvalidParams
    return HerokuAPIError


class TransportError(HerokuError):
    """No HTTP answer: the connection failed, dropped or timed out (after retries)."""

    def __init__(self, *, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(f"{method} {path}: no answer from the Heroku API ({reason})")


class UnexpectedResponse(HerokuError):
    """Heroku answered with a success status but a body or headers the client cannot use."""

    def __init__(self, *, method: str, path: str, status: int, reason: str, request_id: str | None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.request_id = request_id
        rid = f", request id {request_id}" if request_id else ""
        super().__init__(f"{method} {path} -> {status}: {reason}{rid}")


class ReadOnlyViolation(HerokuError):
    """A write was attempted through a client opened read-only."""

    def __init__(self, *, method: str, path: str) -> None:
        self.method = method
        self.path = path
        super().__init__(f"{method} {path} refused: this client is read-only (verify and drift never write)")


# --- promotion ------------------------------------------------------------------------------


class PromotionError(StackError):
    """Promotion could not be completed as asked."""


class PromotionBlocked(PromotionError):
    exit_code = ExitCode.BLOCKED


class PromotionDeclined(PromotionError):
    exit_code = ExitCode.DECLINED


class PromotionRolledBack(PromotionError):
    exit_code = ExitCode.ROLLED_BACK


class ProductionNeedsAttention(PromotionError):
    exit_code = ExitCode.NEEDS_ATTENTION


class PromotionLocked(PromotionError):
    """Another promotion of the same pipeline holds its lock; nothing was changed."""

    exit_code = ExitCode.LOCKED
