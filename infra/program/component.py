"""`HerokuApp`: one Heroku app and everything the spec declares about it, as one component.

Every child is parented to the component (so it inherits the stack's explicit provider and
shows under the app in `pulumi preview`), gets an explicit Heroku `name` where the
provider has one, and takes the app's UUID (`app.id`), never its name, as the provider
requires. Behaviour of the provider relied on is terraform-provider-heroku v5.2.10's
(research heroku-api.md §3).
"""

from __future__ import annotations

import pulumi
import pulumiverse_heroku as heroku

from infra.program import naming
from infra.program.deploy import AFTER_SCALING, BUILD_IGNORE_WHEN_ONCE
from infra.program.release_phase import ReleasePhase
from infra.program.secrets import SecretInput
from infra.spec.models import AddonSpec, AppSpec, StackSpec

COMPONENT_TYPE = "heroku-stack:index:HerokuApp"


class HerokuApp(pulumi.ComponentResource):
    """The app, its add-ons, attachments, domains, features, build and release phase, formation, drains, coupling."""

    app: heroku.app.App
    addons: dict[str, heroku.addon.Addon]
    attachments: dict[str, heroku.addon.Attachment]
    domains: dict[str, heroku.domain.Domain]
    features: dict[str, heroku.app.Feature]
    build: heroku.build.Build | None
    release_phase: ReleasePhase | None
    formations: dict[str, heroku.formation.Formation]
    drains: list[heroku.drain.Drain]
    coupling: heroku.pipeline.Coupling
    collaborators: dict[str, pulumi.CustomResource]

    def __init__(
        self,
        key: str,
        spec: StackSpec,
        *,
        pipeline_id: pulumi.Input[str],
        secret_input: SecretInput,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, naming.component(key), None, opts)
        app = spec.apps[key]
        self.app = self._app(key, app, spec, secret_input)
        app_id = self.app.id
        self.addons = {a.name: self._addon(key, a, app_id, spec) for a in app.addons}
        self.attachments = {
            a.attachment: self._attachment(key, a.attachment, self.addons[a.name], app_id)
            for a in app.addons
            if a.attachment
        }
        self.domains = {
            d.hostname: heroku.domain.Domain(
                naming.domain(key, d.hostname),
                app_id=app_id,
                hostname=d.hostname,
                sni_endpoint_id=d.sni_endpoint,
                opts=self._child(),
            )
            for d in app.domains
        }
        self.features = {
            name: self._feature(key, name, enabled, app_id)
            for name, enabled in app.features.items()
            if name not in AFTER_SCALING
        }
        self.build = self._build(key, app, app_id, spec)
        self.release_phase = self._release_phase(key, app, app_id)
        scale_after: list[pulumi.Resource] = [self.release_phase] if self.release_phase is not None else []
        self.formations = {
            ptype: heroku.formation.Formation(
                naming.formation(key, ptype),
                app_id=app_id,
                type=ptype,
                quantity=f.quantity,
                size=f.size,
                opts=self._child(depends_on=scale_after),
            )
            for ptype, f in app.formation.items()
        }
        scaled: list[pulumi.Resource] = list(self.formations.values())
        self.features.update(
            {
                name: self._feature(key, name, enabled, app_id, after=scaled)
                for name, enabled in app.features.items()
                if name in AFTER_SCALING
            }
        )
        self.drains = [
            heroku.drain.Drain(
                naming.drain(key, index),
                app_id=app_id,
                url=d.url,
                sensitive_url=None if d.secret_url is None else secret_input(d.secret_url),
                opts=self._child(),
            )
            for index, d in enumerate(app.drains)
        ]
        # Heroku couples an app to one pipeline at a time: a new coupling needs the old one gone.
        self.coupling = heroku.pipeline.Coupling(
            naming.coupling(key),
            app_id=app_id,
            pipeline=pipeline_id,
            stage=spec.stage,
            opts=self._child(delete_before_replace=True),
        )
        self.collaborators = {
            email: self._collaborator(key, email, permissions, app_id, spec)
            for email, permissions in app.access.items()
        }
        self.register_outputs({"id": self.app.id, "name": self.app.name, "web_url": self.app.web_url})

    def _child(
        self,
        *,
        depends_on: list[pulumi.Resource] | None = None,
        protect: bool | None = None,
        ignore_changes: list[str] | None = None,
        delete_before_replace: bool | None = None,
        aliases: list[pulumi.Alias] | None = None,
    ) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self,
            depends_on=depends_on,
            protect=protect,
            ignore_changes=ignore_changes,
            delete_before_replace=delete_before_replace,
            aliases=aliases,
        )

    def _feature(
        self,
        key: str,
        name: str,
        enabled: bool,
        app_id: pulumi.Input[str],
        *,
        after: list[pulumi.Resource] | None = None,
    ) -> heroku.app.Feature:
        return heroku.app.Feature(
            naming.feature(key, name), app_id=app_id, name=name, enabled=enabled, opts=self._child(depends_on=after)
        )

    def _collaborator(
        self, key: str, email: str, permissions: tuple[str, ...], app_id: pulumi.Input[str], spec: StackSpec
    ) -> pulumi.CustomResource:
        name = naming.collaborator(key, email)
        if spec.team is None:  # a personal app: a plain collaborator (everything but ownership)
            return heroku.collaborator.Collaborator(name, app_id=app_id, email=email, opts=self._child())
        # A team app: the provider keeps permissions as a set, so their order is not a change.
        return heroku.team.Collaborator(
            name, app_id=app_id, email=email, permissions=sorted(permissions), opts=self._child()
        )

    def _app(self, key: str, app: AppSpec, spec: StackSpec, secret_input: SecretInput) -> heroku.app.App:
        # Both maps are always passed, even empty: per the provider's docs, a removed map leaves the
        # vars on Heroku, while an emptied one deletes them. A team app carries its team as the
        # provider's `organization` block (created with POST /teams/apps; `personal` stays false).
        team = spec.team
        organization = (
            None if team is None else heroku.app.AppOrganizationArgs(name=team.name, locked=team.locked, personal=False)
        )
        return heroku.app.App(
            naming.app(key),
            name=app.name,
            region=app.region,
            stack=app.stack,
            buildpacks=list(app.buildpacks),
            config_vars=spec.config_vars(key),
            sensitive_config_vars={name: secret_input(value) for name, value in app.secrets.items()},
            acm=app.acm,
            organization=organization,
            # A replaced or deleted app takes its add-ons, their data and its domains with it.
            opts=self._child(protect=spec.protects_app(app)),
        )

    def _addon(self, key: str, addon: AddonSpec, app_id: pulumi.Input[str], spec: StackSpec) -> heroku.addon.Addon:
        return heroku.addon.Addon(
            naming.addon(key, addon.stable_key),
            app_id=app_id,
            name=addon.name,
            plan=addon.plan,
            config=dict(addon.config) or None,
            # A replacement (new `config`) keeps the add-on's globally unique name, which Heroku holds until
            # the old one is gone: delete first, but never a data add-on (the collision then stops `up`
            # before anything is lost, and `heroku-stack plan` says how to migrate).
            opts=self._child(
                protect=spec.protects(addon),
                delete_before_replace=not addon.holds_data,
                aliases=[pulumi.Alias(name=naming.addon_before_stable_keys(addon.name))],
            ),
        )

    def _attachment(
        self, key: str, name: str, addon: heroku.addon.Addon, app_id: pulumi.Input[str]
    ) -> heroku.addon.Attachment:
        # The provider creates add-ons without Heroku's `attachment` field, so the owning app keeps the
        # service's default attachment (REDIS -> REDIS_URL, DATABASE -> DATABASE_URL) and this second
        # attachment to the same app adds the requested prefix (CACHE -> CACHE_URL). Both vars are set.
        # The attachment name is unique on the app: a replacement must delete the old one first.
        return heroku.addon.Attachment(
            naming.attachment(key, name),
            addon_id=addon.id,
            app_id=app_id,
            name=name,
            opts=self._child(delete_before_replace=True),
        )

    def _build(self, key: str, app: AppSpec, app_id: pulumi.Input[str], spec: StackSpec) -> heroku.build.Build | None:
        if app.deploy is None:
            return None
        deploy = app.deploy
        before: list[pulumi.Resource] = [*self.addons.values(), *self.attachments.values(), *self.features.values()]
        return heroku.build.Build(
            naming.build(key),
            app_id=app_id,
            source=heroku.build.BuildSourceArgs(
                url=deploy.source_url, version=deploy.version, checksum=deploy.checksum
            ),
            opts=self._child(
                depends_on=before,
                ignore_changes=list(BUILD_IGNORE_WHEN_ONCE) if spec.builds_once(deploy) else None,
            ),
        )

    def _release_phase(self, key: str, app: AppSpec, app_id: pulumi.Input[str]) -> ReleasePhase | None:
        # The build stops waiting once it has built; its release may still be running a release phase.
        if self.build is None or app.deploy is None:
            return None
        return ReleasePhase(
            naming.release_phase(key),
            app_id=app_id,
            release_id=self.build.release_id,
            timeout_seconds=app.deploy.release_phase_timeout_seconds,
            opts=self._child(depends_on=[self.build]),
        )
