"""The unit of comparison: one app's expected and live state, and how its findings are built."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from infra.verify import remedies
from infra.verify.checkids import check_id, kind_of
from infra.verify.expected import ExpectedApp
from infra.verify.findings import Finding, Outcome
from infra.verify.live import FetchFailed, LiveApp, LivePipeline


@dataclass(frozen=True)
class Target:
    """One app to compare, with what the messages need to name (project, stack)."""

    project: str
    stack: str
    expected: ExpectedApp
    live: LiveApp
    pipeline: LivePipeline | None = None

    @property
    def stack_file(self) -> str:
        return f"Pulumi.{self.stack}.yaml"

    def finding(
        self,
        kind: str,
        parts: Iterable[str],
        outcome: Outcome,
        summary: str,
        *,
        expected: str | None = None,
        actual: str | None = None,
        sensitive: bool = False,
        platform_managed: str | None = None,
        remedy: tuple[str, ...] | None = None,
    ) -> Finding:
        ident = check_id(self.expected.key, kind, *parts)
        if remedy is None:
            remedy = (remedies.restore(self.stack),) if outcome in (Outcome.MISSING, Outcome.CHANGED) else ()
        return Finding(
            check_id=ident,
            app=self.expected.key,
            kind=kind,
            outcome=outcome,
            summary=summary,
            expected=expected,
            actual=actual,
            sensitive=sensitive,
            platform_managed=platform_managed,
            remedy=remedy,
        )

    def finder(self, kind: str, parts: Iterable[str] | None = None, **defaults: Any) -> Callable[..., Finding]:
        """`finding` for one kind of check: `find(parts, outcome, summary, ...)`; with `parts` (and
        defaults such as `sensitive=True`) given, for one check: `find(outcome, summary, ...)`."""
        if parts is None:
            return partial(self.finding, kind, **defaults)
        return partial(self.finding, kind, parts, **defaults)

    def judged(
        self,
        kind: str,
        parts: Iterable[str],
        said: str,
        want: str | None,
        got: str | None,
        *,
        same: bool | None = None,
        remedy: tuple[str, ...] | None = None,
    ) -> Finding:
        """One value checked: a pass saying `said`, or changed saying `said, expected <want>`."""
        if want == got if same is None else same:
            return self.finding(kind, parts, Outcome.PASS, said, expected=want, actual=got)
        summary = f"{said}, expected {want}"
        return self.finding(kind, parts, Outcome.CHANGED, summary, expected=want, actual=got, remedy=remedy)

    def errors(self, kind: str, failure: FetchFailed) -> list[Finding]:
        """One `error` per declared check of `kind`: the collection it needed could not be read."""
        return [
            error_finding(self.expected.key, ident, failure.reason)
            for ident in self.expected.declared_checks()
            if kind_of(ident) == kind
        ]


def error_finding(app: str, ident: str, reason: str) -> Finding:
    return Finding(
        check_id=ident, app=app, kind=kind_of(ident), outcome=Outcome.ERROR, summary=f"could not check: {reason}"
    )


Compare = Callable[[Target, Any], list[Finding]]


def checks(
    kind: str, collection: str, *, applies: Callable[[ExpectedApp], bool] | None = None
) -> Callable[[Compare], Callable[[Target], list[Finding]]]:
    """A comparison of one snapshot collection (a `LiveApp` field), with the rules every one shares.

    The decorated function gets the collection as read. It is not called when the app declares
    nothing it would check (`applies`) or the collection is out of scope (None: no finding); a
    collection Heroku would not give turns every declared check of `kind` into an error.
    """

    def wrap(compare: Compare) -> Callable[[Target], list[Finding]]:
        @wraps(compare)
        def run(t: Target) -> list[Finding]:
            live = getattr(t.live, collection)
            if (applies is not None and not applies(t.expected)) or live is None:
                return []
            if isinstance(live, FetchFailed):
                return t.errors(kind, live)
            return compare(t, live)

        return run

    return wrap
