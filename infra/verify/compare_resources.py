"""Comparison of an app's resources: buildpacks, domains, formation, drains, features, the Procfile.

Same rules as `compare`: pure, an unreadable collection gives `error` findings, one out of
scope gives none. What Heroku created itself (the `herokuapp.com` domain, an add-on's log
drain, idle process types) is never unmanaged. Add-ons are in `compare_addons`.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.verify import remedies
from infra.verify.findings import Finding, Outcome
from infra.verify.live import LiveAppInfo, LiveCollaborator, LiveDomain, LiveDrain, LiveProcess
from infra.verify.target import Target, checks

# ACM certificate states Heroku reports while it is still working, and ones that need a person.
ACM_ISSUED = "cert issued"
ACM_FAILED = frozenset({"failed", "failing"})


@checks("buildpacks", "buildpacks", applies=lambda e: bool(e.buildpacks))
def buildpacks(t: Target, live: tuple[str, ...]) -> list[Finding]:
    find = t.finder("buildpacks")
    want = t.expected.buildpacks
    shown_want, shown_got = ", ".join(want), ", ".join(live) or "(none)"
    if tuple(live) == want:
        return [find((), Outcome.PASS, f"buildpacks are {shown_got}", expected=shown_want, actual=shown_got)]
    extra = [b for b in live if b not in want]
    missing = [b for b in want if b not in live]
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts += [f"extra {', '.join(extra)}"] if extra else []
    how = "; ".join(parts) or "same buildpacks in another order"
    return [
        find(
            (),
            Outcome.CHANGED,
            f"buildpacks are {shown_got}, expected {shown_want} ({how})",
            expected=shown_want,
            actual=shown_got,
        )
    ]


@checks("domain", "domains")
def domains(t: Target, live: tuple[LiveDomain, ...]) -> list[Finding]:
    find = t.finder("domain")
    e = t.expected
    custom = {d.hostname.lower(): d for d in live if d.kind != "heroku"}
    out: list[Finding] = []
    for want in e.domains:
        got = custom.get(want.hostname)
        if got is None:
            out.append(
                find(
                    (want.hostname,),
                    Outcome.MISSING,
                    f"domain {want.hostname} is not added",
                    expected=want.hostname,
                    actual="(not added)",
                )
            )
            continue
        cname = f" (DNS target {got.cname})" if got.cname else ""
        out.append(
            find(
                (want.hostname,),
                Outcome.PASS,
                f"domain {want.hostname} is added{cname}",
                expected=want.hostname,
                actual=got.hostname,
            )
        )
        if e.acm:
            status = got.acm_status or "(none yet)"
            if got.acm_status == ACM_ISSUED:
                outcome, summary = Outcome.PASS, "certificate issued by ACM"
            elif got.acm_status in ACM_FAILED:
                outcome, summary = Outcome.CHANGED, f"ACM certificate {status}: check the domain's DNS target"
            else:
                outcome, summary = Outcome.PENDING, f"ACM certificate not issued yet ({status})"
            remedy = (
                (
                    f"point {want.hostname}'s DNS at {got.cname or 'the DNS target `heroku domains` shows'}, then "
                    f"`heroku certs:auto:refresh -a {e.name}`",
                )
                if outcome is Outcome.CHANGED
                else ()
            )
            out.append(
                find(
                    (want.hostname, "acm"),
                    outcome,
                    summary,
                    expected=ACM_ISSUED,
                    actual=status,
                    remedy=remedy,
                )
            )
    declared = {d.hostname for d in e.domains}
    for host in sorted(set(custom) - declared):
        out.append(
            find(
                (host,),
                Outcome.UNMANAGED,
                f"domain {host} is added on Heroku but declared nowhere in {t.stack_file}",
                expected="(not declared)",
                actual=host,
                remedy=remedies.unmanaged_domain(t.project, t.stack, e.key, e.name, host),
            )
        )
    return out


@checks("formation", "formation")
def formation(t: Target, live: tuple[LiveProcess, ...]) -> list[Finding]:
    find = t.finder("formation")
    e = t.expected
    by_type = {p.type: p for p in live}
    out: list[Finding] = []
    for want in e.formation:
        got = by_type.get(want.type)
        if got is None:
            out.append(
                find(
                    (want.type,),
                    Outcome.MISSING,
                    f"process type {want.type} does not exist: no release declares it (Procfile)",
                    expected=f"{want.quantity} x {want.size}",
                    actual="(no such process type)",
                )
            )
            continue
        dynos = f"{got.quantity} dyno{'' if got.quantity == 1 else 's'}"
        said = f"{want.type} runs {dynos}"
        out.append(t.judged("formation", (want.type, "quantity"), said, str(want.quantity), str(got.quantity)))
        same_size = got.size.lower() == want.size.lower()
        said = f"{want.type} dynos are {got.size}"
        out.append(t.judged("formation", (want.type, "size"), said, want.size, got.size, same=same_size))
    declared = {p.type for p in e.formation}
    for ptype in sorted(set(by_type) - declared):
        got = by_type[ptype]
        if got.quantity == 0:
            continue  # a Procfile entry nobody scaled: Heroku lists it at zero, nothing runs
        out.append(
            find(
                (ptype,),
                Outcome.UNMANAGED,
                f"{ptype} runs {got.quantity} x {got.size} dynos, declared nowhere in {t.stack_file}",
                expected="(not declared)",
                actual=f"{got.quantity} x {got.size}",
                remedy=remedies.unmanaged_process(t.project, t.stack, e.key, e.name, ptype),
            )
        )
    return out


@checks("drain", "drains")
def drains(t: Target, live: tuple[LiveDrain, ...]) -> list[Finding]:
    find = t.finder("drain")
    e = t.expected
    matched: dict[str, LiveDrain] = {}
    free = [d for d in live if d.addon is None]
    # Exact matches first (plain URL, secret fingerprint), so a presence-only secret cannot take one.
    for want in e.drains:
        key = want.url if not want.secret else want.fingerprint
        if key is None:
            continue
        hit = next((d for d in free if (d.plain_url if not want.secret else d.fingerprint) == key), None)
        if hit is not None:
            matched[want.subject] = hit
            free.remove(hit)
    for want in e.drains:
        if want.secret and want.fingerprint is None and free:
            matched[want.subject] = free.pop(0)
    out: list[Finding] = []
    for want in e.drains:
        shown_want = want.url or "(secret URL)"
        got = matched.get(want.subject)
        if got is None:
            out.append(
                find(
                    (want.subject,),
                    Outcome.MISSING,
                    f"log drain {shown_want} is not added",
                    expected=shown_want,
                    actual="(not added)",
                    sensitive=want.secret,
                )
            )
            continue
        how = " (presence only: no fingerprint to compare)" if want.secret and want.fingerprint is None else ""
        out.append(
            find(
                (want.subject,),
                Outcome.PASS,
                f"log drain {shown_want} is added{how}",
                expected=shown_want,
                actual=got.plain_url or got.shown,
                sensitive=want.secret,
            )
        )
    subjects = {w.subject for w in e.drains}
    # Declared at the end of the list, an adopted drain takes the next index the program would give:
    # after the declared ones and any unmanaged drain before it, never counting add-ons' own drains.
    next_index = len(e.drains)
    for d in live:
        if d in matched.values():
            continue
        subject = _unique(d.subject, subjects)
        if d.addon is not None:
            out.append(
                find(
                    (subject,),
                    Outcome.PASS,
                    f"log drain {d.shown} belongs to add-on {d.addon}",
                    actual=d.shown,
                    platform_managed=f"add-on {d.addon}",
                )
            )
            continue
        out.append(
            find(
                (subject,),
                Outcome.UNMANAGED,
                f"log drain {d.shown} is added on Heroku but declared nowhere in {t.stack_file}",
                expected="(not declared)",
                actual=d.shown,
                remedy=remedies.unmanaged_drain(
                    t.project, t.stack, e.key, e.name, d.id, next_index, d.token or d.shown
                ),
            )
        )
        next_index += 1
    return out


def _unique(subject: str, taken: set[str]) -> str:
    candidate, n = subject, 1
    while candidate in taken:
        n += 1
        candidate = f"{subject}#{n}"
    taken.add(candidate)
    return candidate


@checks("feature", "features")
def features(t: Target, live: Mapping[str, bool]) -> list[Finding]:
    find = t.finder("feature")
    out: list[Finding] = []
    for name, want in t.expected.features.items():
        got = live.get(name)
        want_s = "enabled" if want else "disabled"
        if got is None:
            out.append(
                find(
                    (name,),
                    Outcome.MISSING,
                    f"Heroku lists no feature {name} for this app",
                    expected=want_s,
                    actual="(unknown feature)",
                )
            )
            continue
        got_s = "enabled" if got else "disabled"
        out.append(t.judged("feature", (name,), f"{name} is {got_s}", want_s, got_s))
    # Every app feature is off on a new Heroku app: one switched on that the stack does not declare was
    # switched on by someone (`heroku features:enable`, `labs:enable`, the dashboard).
    app_id = t.live.info.id if isinstance(t.live.info, LiveAppInfo) else t.expected.name
    for name, enabled in sorted(live.items()):
        if enabled and name not in t.expected.features:
            out.append(
                find(
                    (name,),
                    Outcome.UNMANAGED,
                    f"{name} is enabled on Heroku but declared nowhere in {t.stack_file} (Heroku's default is off)",
                    expected="(not declared: off)",
                    actual="enabled",
                    remedy=remedies.unmanaged_feature(
                        t.project, t.stack, t.expected.key, t.expected.name, app_id, name
                    ),
                )
            )
    return out


@checks("procfile", "procfile", applies=lambda e: bool(e.procfile))
def procfile(t: Target, live: Mapping[str, str]) -> list[Finding]:
    """The running build's process types against `deploy.procfile`: a Procfile changes only with a build."""
    find = t.finder("procfile")
    want = t.expected.procfile
    current = t.live.current_release()
    running = f"v{current.version}'s build" if current else "the running build"
    fix = (
        f"the Procfile is part of the code: fix it and deploy a new build (`pulumi up --stack {t.stack}` rebuilds "
        "in staging; production moves by promotion), or change deploy.procfile if the code is right",
    )
    out: list[Finding] = []
    for process, command in want.items():
        got = live.get(process)
        if got is None:
            summary = f"{running} declares no `{process}` process type"
            out.append(find((process,), Outcome.MISSING, summary, expected=command, actual="(absent)", remedy=fix))
        elif got != command:
            summary = f"{running} runs `{process}: {got}`, expected `{command}`"
            out.append(find((process,), Outcome.CHANGED, summary, expected=command, actual=got, remedy=fix))
        else:
            out.append(find((process,), Outcome.PASS, f"{process}: {got}", expected=command, actual=got))
    for process, got in sorted(live.items()):
        if process not in want:
            out.append(
                find(
                    (process,),
                    Outcome.UNMANAGED,
                    f"{running} declares `{process}: {got}`, which deploy.procfile in {t.stack_file} does not list",
                    expected="(not declared)",
                    actual=got,
                    remedy=fix,
                )
            )
    return out


SECURITY = "SECURITY"  # the summary's first word on a finding of someone with access the stack does not grant


@checks("access", "access", applies=lambda e: e.access is not None)
def access(t: Target, live: tuple[LiveCollaborator, ...]) -> list[Finding]:
    """Who may use the app against `access`: a grant missing or changed, and anyone else (a security finding)."""
    find = t.finder("access")
    want = t.expected.access or {}
    people = {c.email: c for c in live if c.role != "owner"}  # a personal app's owner is the account itself
    team = t.expected.team is not None
    out: list[Finding] = []
    for email, permissions in want.items():
        shown = ", ".join(permissions) if team else "collaborator"
        got = people.get(email)
        if got is None:
            summary = f"{email} has no access to {t.expected.name}, which the stack grants ({shown})"
            out.append(find((email,), Outcome.MISSING, summary, expected=shown, actual="(no access)"))
            continue
        had = ", ".join(got.permissions) if team else "collaborator"
        if team and tuple(sorted(got.permissions)) != tuple(sorted(permissions)):
            summary = f"{email} may {had} on {t.expected.name}; the stack grants {shown}"
            out.append(find((email,), Outcome.CHANGED, summary, expected=shown, actual=had))
        else:
            out.append(find((email,), Outcome.PASS, f"{email}: {had}", expected=shown, actual=had))
    for email, got in sorted(people.items()):
        if email in want:
            continue
        had = ", ".join(got.permissions) if got.permissions else (got.role or "collaborator")
        out.append(
            find(
                (email,),
                Outcome.UNMANAGED,
                f"{SECURITY}: {email} has access to {t.expected.name} ({had}), which {t.stack_file} does not grant",
                expected="(no access)",
                actual=had,
                remedy=remedies.unmanaged_access(t.expected.key, t.expected.name, email, team=team),
            )
        )
    return out
