"""The first `pulumi up` on a fresh app, and how code moves afterwards.

Heroku scales a formation only once a release declares that process type; a fresh app has
no release with code, so a formation alone fails with 404 "Couldn't find that process
type". When the spec has `deploy`, the app gets a `build.Build` of that source tarball
(Heroku builds it with the app's buildpacks and releases it) and every formation waits for
it. The build also waits for the app's add-ons, attachments and features (but `preboot`, which
follows the formation), so a release phase (migrations) sees `DATABASE_URL` and the first dynos
boot with the features on. The build's release may still be in its release phase when the
build succeeds: a `ReleasePhase` waits for it, and the formations wait for that.

`builds_once` (default in production): the build's `source` is in `ignore_changes`, so a
later change of `deploy` never rebuilds; production code then moves only by pipeline
promotion. Otherwise (default in staging) a new `source_url`/`version` replaces the build
(every Build input forces replacement), which builds and releases that source.

Without `deploy`, nothing builds: the formation needs code already released on the app
(`git push heroku`, a promotion), and the plan warns about it.
"""

from __future__ import annotations

from infra.spec.models import StackSpec

BUILD_IGNORE_WHEN_ONCE = ("source",)

# Features enabled only once the formation is scaled: preboot concerns the professional dynos the
# formation starts (Heroku offers it on Standard and Performance dynos only), so it follows them.
AFTER_SCALING = frozenset({"preboot"})


def deploy_warnings(spec: StackSpec) -> list[str]:
    """What would make the first `pulumi up` of this stack fail or surprise, one sentence each."""
    warnings: list[str] = []
    for key, app in spec.apps.items():
        if app.formation and app.deploy is None:
            types = ", ".join(sorted(app.formation))
            warnings.append(
                f"apps.{key} ({app.name}) scales {types} but has no `deploy`: on a fresh app the first "
                "`pulumi up` fails at the formation until code declaring those process types is released "
                "(git push or promotion); add `deploy` to build it"
            )
    return warnings
