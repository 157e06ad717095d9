"""Convergence: re-poll, one by one, the checks that legitimately take time, until each settles or its deadline passes.

Add-on provisioning, a release still in its release phase, an ACM certificate being issued
and an app booting are not drift, but not done either. Each such check gets a poll with its
own deadline and interval (`WaitPolicy`; API poll intervals grow by half up to four times the
base, health checks keep the spec's `interval_seconds`).
A poll re-reads only its own object (one add-on, one release, one domain, or the app's
health URL), then the pure comparison runs again for that app; nothing else is re-fetched.
A health check waits while its app's newest release is still pending, so it is judged
against the release that will serve. Every wait goes through the injected `Clock`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import httpx

from infra.clock import Clock
from infra.spec.models import HealthCheck
from infra.verify import health as healthcheck
from infra.verify.checkids import Scope
from infra.verify.compare import compare_app
from infra.verify.findings import Finding, Outcome
from infra.verify.live import FetchFailed, LiveApp, LiveAppInfo, LiveRelease
from infra.verify.snapshot import SnapshotReader
from infra.verify.target import Target


@dataclass(frozen=True)
class WaitPolicy:
    deadline: float  # seconds from the start of the run
    interval: float  # seconds between polls, at first


DEFAULT_POLICIES = {
    "addon": WaitPolicy(deadline=600, interval=10),  # the provider waits up to 20 min; most add-ons take < 1
    "release": WaitPolicy(deadline=300, interval=5),
    "domain": WaitPolicy(deadline=900, interval=30),  # ACM: minutes, sometimes a quarter of an hour
}


@dataclass
class _Poll:
    app: str
    kind: str  # addon, release, domain or health
    subject: str  # the object re-read: add-on id, release id, domain id; "" for health
    ids: tuple[str, ...]
    deadline: float
    interval: float
    base_interval: float
    next_at: float
    attempts: int = 0
    last_error: str | None = None
    settled_at: float | None = None


@dataclass
class Convergence:
    """The state of one run's convergence: the apps' targets, their findings, the polls still open."""

    reader: SnapshotReader
    clock: Clock
    scope: Scope
    targets: dict[str, Target]
    http: httpx.AsyncClient | None = None
    router: str | None = None
    policies: dict[str, WaitPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    max_wait: float | None = None
    progress: Callable[[str], None] | None = None
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    health: dict[str, Finding] = field(default_factory=dict)  # HTTP check findings by check id
    attempts: dict[str, int] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)

    def recompare(self, key: str) -> None:
        self.findings[key] = [f for f in compare_app(self.targets[key]) if self.scope.includes(f.check_id)]

    async def run(self, *, wait: bool) -> None:
        """Poll until every pending check settles or passes its deadline (`wait=False`: health once, no polls)."""
        start = self.clock.monotonic()
        polls = self._health_polls(start)
        if wait:
            polls += self._pending_polls(start)
        while polls:
            now = self.clock.monotonic()
            due = [p for p in polls if p.next_at <= now]
            if not due:
                wake = min(p.next_at for p in polls)
                self._report_progress(polls, now)
                await self.clock.sleep(wake - now)
                continue
            await asyncio.gather(*(self._step(p) for p in due))
            now = self.clock.monotonic()
            for poll in due:
                done = poll.settled_at is not None or not wait or now >= poll.deadline
                if done:
                    polls.remove(poll)
                    self._close(poll, start, now)
                else:
                    if poll.kind != "health":  # API polls back off; health keeps the spec's interval
                        poll.interval = min(poll.interval * 1.5, poll.base_interval * 4)
                    poll.next_at = min(now + poll.interval, poll.deadline)

    # --- building polls ------------------------------------------------------------------------

    def _deadline(self, start: float, seconds: float) -> float:
        return start + (seconds if self.max_wait is None else min(seconds, self.max_wait))

    def _pending_polls(self, start: float) -> list[_Poll]:
        polls: list[_Poll] = []
        for key, findings in self.findings.items():
            pending = [f for f in findings if f.outcome is Outcome.PENDING]
            for kind, subject, ids in _group(pending, self.targets[key]):
                policy = self.policies[kind]
                polls.append(
                    _Poll(
                        key,
                        kind,
                        subject,
                        ids,
                        self._deadline(start, policy.deadline),
                        policy.interval,
                        policy.interval,
                        next_at=start + policy.interval,
                    )
                )
        return polls

    def _health_polls(self, start: float) -> list[_Poll]:
        polls: list[_Poll] = []
        for key, target in self.targets.items():
            if not target.live.exists:
                continue
            for ident, _kind, check in target.expected.probes():
                if not self.scope.includes(ident):
                    continue
                polls.append(
                    _Poll(
                        key,
                        "health",
                        ident,
                        (ident,),
                        self._deadline(start, check.deadline_seconds),
                        check.interval_seconds,
                        check.interval_seconds,
                        next_at=start,
                    )
                )
        return polls

    # --- one poll ------------------------------------------------------------------------------

    async def _step(self, poll: _Poll) -> None:
        if poll.kind == "health":
            await self._step_health(poll)
            return
        poll.attempts += 1
        target = self.targets[poll.app]
        live = target.live
        name = target.expected.name
        if poll.kind == "addon":
            got_addon = await self.reader.addon(name, poll.subject)
            if isinstance(got_addon, FetchFailed):
                poll.last_error = got_addon.reason
                return
            addons = live.addons if isinstance(live.addons, tuple) else ()
            kept = tuple(a for a in addons if a.id != poll.subject)
            live = replace(live, addons=(*kept, got_addon) if got_addon is not None else kept)
            if got_addon is not None and got_addon.state != "provisioning" and target.expected.provided_vars:
                config = await self.reader.config(target.expected)  # the add-on's vars appear once provisioned
                live = replace(live, config=config)
        elif poll.kind == "release":
            got_release = await self.reader.release(name, poll.subject)
            if isinstance(got_release, FetchFailed):
                poll.last_error = got_release.reason
                return
            live = replace(live, releases=_with_release(live, got_release, poll.subject))
        elif poll.kind == "domain":
            got_domain = await self.reader.domain(name, poll.subject)
            if isinstance(got_domain, FetchFailed):
                poll.last_error = got_domain.reason
                return
            domains = live.domains if isinstance(live.domains, tuple) else ()
            kept_domains = tuple(d for d in domains if d.id != poll.subject)
            live = replace(live, domains=(*kept_domains, got_domain) if got_domain is not None else kept_domains)
        poll.last_error = None
        self.targets[poll.app] = replace(target, live=live)
        self.recompare(poll.app)
        if not any(f.outcome is Outcome.PENDING for f in self.findings[poll.app] if f.check_id in poll.ids):
            poll.settled_at = self.clock.monotonic()

    async def _step_health(self, poll: _Poll) -> None:
        """One request of an HTTP check (`health` or one of `http_checks`, by `poll.subject`, its check id)."""
        target = self.targets[poll.app]
        ident = poll.subject
        _, kind, check = next(p for p in target.expected.probes() if p[0] == ident)
        assert self.http is not None

        def record(outcome: Outcome, summary: str, *, expected: str | None = None, actual: str | None = None) -> None:
            self.health[ident] = _health_finding(
                ident, poll.app, outcome, summary, kind=kind, expected=expected, actual=actual
            )

        newest = target.live.releases[0] if isinstance(target.live.releases, tuple) and target.live.releases else None
        if newest is not None and newest.status == "pending" and poll.next_at < poll.deadline:
            record(Outcome.PENDING, f"waiting for release v{newest.version} to finish first")
            return
        info = target.live.info
        web_url = info.web_url if isinstance(info, LiveAppInfo) else None
        where = healthcheck.health_target(check, web_url, router=self.router)
        poll.attempts += 1
        if where is None:
            record(Outcome.ERROR, "the app has no web URL to ask")
            poll.settled_at = self.clock.monotonic()
            return
        if check.release_field and isinstance(target.live.releases, FetchFailed):
            # The answer must be tied to the current release: read the releases again rather than
            # asking the app again and again with nothing to compare its answer to.
            reread = await self.reader.releases(target.expected.name)
            if not isinstance(reread, tuple):
                reason = reread.reason if isinstance(reread, FetchFailed) else "the app is gone"
                summary = f"cannot tie the answer to a release: the app's releases could not be read ({reason})"
                record(Outcome.ERROR, summary)
                poll.settled_at = self.clock.monotonic()  # an error to report now, not a wait until the deadline
                return
            target = replace(target, live=replace(target.live, releases=reread))
            self.targets[poll.app] = target
            self.recompare(poll.app)
        current = target.live.current_release()
        release = current.version if current is not None and check.release_field else None
        verdict = await healthcheck.probe(self.http, check, where, release)
        record(
            verdict.outcome,
            f"GET {where.url}: {verdict.summary}",
            expected=_expectation(check, release),
            actual=verdict.actual,
        )
        if verdict.outcome is Outcome.PASS:
            poll.settled_at = self.clock.monotonic()

    def _close(self, poll: _Poll, start: float, now: float) -> None:
        elapsed = (poll.settled_at if poll.settled_at is not None else now) - start
        for ident in poll.ids:
            self.attempts[ident] = poll.attempts
            self.durations[ident] = elapsed
        if poll.last_error is not None and poll.settled_at is None:
            reason = f"still pending when polling failed: {poll.last_error}"
            self.findings[poll.app] = [
                replace(f, outcome=Outcome.ERROR, summary=reason) if f.check_id in poll.ids else f
                for f in self.findings[poll.app]
            ]

    def _report_progress(self, polls: Sequence[_Poll], now: float) -> None:
        if self.progress is None:
            return
        parts = []
        for poll in sorted(polls, key=lambda p: p.ids[0]):
            summary = self._summary(poll)
            parts.append(f"{poll.ids[0]} ({summary}, {max(0.0, poll.deadline - now):.0f}s left)")
        self.progress(f"waiting on {len(polls)} check{'s' if len(polls) != 1 else ''}: " + "; ".join(parts))

    def _summary(self, poll: _Poll) -> str:
        if poll.kind == "health":
            found = self.health.get(poll.subject)
            return found.summary if found is not None else "not asked yet"
        found_f = next((f for f in self.findings[poll.app] if f.check_id == poll.ids[0]), None)
        return found_f.summary if found_f is not None else "pending"

    def results(self) -> dict[str, list[Finding]]:
        """Every app's findings, health included, with attempts and durations where polled."""
        out: dict[str, list[Finding]] = {}
        for key, findings in self.findings.items():
            merged = [*findings, *(f for f in self.health.values() if f.app == key)]
            out[key] = [
                replace(
                    f,
                    attempts=self.attempts.get(f.check_id, f.attempts),
                    duration_seconds=round(self.durations.get(f.check_id, 0.0), 3),
                )
                for f in merged
            ]
        return out


def _group(pending: Sequence[Finding], target: Target) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, object id, check ids) per object to re-poll, from an app's pending findings."""
    live = target.live
    groups: dict[tuple[str, str], list[str]] = {}
    addons = {a.name: a for a in live.addons} if isinstance(live.addons, tuple) else {}
    domains = {d.hostname: d for d in live.domains} if isinstance(live.domains, tuple) else {}
    releases = live.releases if isinstance(live.releases, tuple) else ()
    provided = target.expected.provided_vars
    for finding in pending:
        subject = finding.check_id.split("/")[2] if finding.check_id.count("/") >= 2 else ""
        key: tuple[str, str] | None = None
        if finding.kind == "addon" and subject in addons:
            key = ("addon", addons[subject].id)
        elif finding.kind == "config" and subject in provided and provided[subject].name in addons:
            # An add-on's var not set yet: settled by polling the add-on that provides it.
            key = ("addon", addons[provided[subject].name].id)
        elif finding.kind == "domain" and subject in domains:
            key = ("domain", domains[subject].id)
        elif finding.kind == "release" and releases:
            key = ("release", releases[0].id)
        if key is not None:
            groups.setdefault(key, []).append(finding.check_id)
    return [(kind, subject, tuple(ids)) for (kind, subject), ids in groups.items()]


def _with_release(live: LiveApp, release: LiveRelease | None, release_id: str) -> tuple[LiveRelease, ...]:
    releases = live.releases if isinstance(live.releases, tuple) else ()
    if release is None:
        return tuple(r for r in releases if r.id != release_id)
    settled = release.status == "succeeded"
    # A release that succeeds becomes the current one; the one it replaces stops being current.
    return tuple(release if r.id == release_id else (replace(r, current=False) if settled else r) for r in releases)


def _health_finding(
    ident: str,
    app: str,
    outcome: Outcome,
    summary: str,
    *,
    kind: str = "health",
    expected: str | None = None,
    actual: str | None = None,
) -> Finding:
    return Finding(
        check_id=ident, app=app, kind=kind, outcome=outcome, summary=summary, expected=expected, actual=actual
    )


def _expectation(check: HealthCheck, release: int | None) -> str:
    parts = [f"HTTP {check.expect_status}"]
    parts += [f"{path}={value!r}" for path, value in check.expect_json.items()]
    if check.release_field and release is not None:
        parts.append(f"{check.release_field}={healthcheck.expected_release_text(release)!r}")
    return ", ".join(parts)
