"""Teams and access in a stack file, rule by rule, with the exact message a user sees."""

from __future__ import annotations

from typing import Any

import pytest

from infra.errors import SpecError
from infra.spec import load_stack
from tests.fixtures.spec_files import WriteStack, app

PREFIX = 'Pulumi.staging.yaml (stack "staging"): '
TEAM = {"demo:team": {"name": "acme", "members": {"lead@acme.example": "admin"}}}


def error_of(write_stack: WriteStack, **kwargs: Any) -> str:
    with pytest.raises(SpecError) as caught:
        load_stack("staging", write_stack(**kwargs))
    return str(caught.value).removeprefix(PREFIX)


def test_a_team_stack_declares_permissions_per_app_and_the_teams_members(write_stack: WriteStack) -> None:
    access = {"dev@acme.example": ["view", "deploy"], "ops@acme.example": ["view", "operate", "manage"]}

    spec = load_stack("staging", write_stack(apps={"web": app(access=access)}, extra=TEAM))

    assert spec.team is not None
    assert (spec.team.name, spec.team.locked, dict(spec.team.members)) == (
        "acme",
        False,
        {"lead@acme.example": "admin"},
    )
    assert dict(spec.apps["web"].access) == {k: tuple(v) for k, v in access.items()}


def test_a_personal_app_lists_plain_collaborators(write_stack: WriteStack) -> None:
    spec = load_stack("staging", write_stack(apps={"web": app(access={"dev@example.com": []})}))

    assert spec.team is None
    assert dict(spec.apps["web"].access) == {"dev@example.com": ()}


@pytest.mark.parametrize(
    ("access", "extra", "message"),
    [
        (
            {"not-an-email": []},
            {},
            "apps.web.access.not-an-email: invalid key: must be an email address such as 'alice@example.com' "
            "(got 'not-an-email')",
        ),
        (
            {"dev@acme.example": ["view", "admin"]},
            TEAM,
            "apps.web.access.dev@acme.example[1]: must be 'view', 'deploy', 'operate' or 'manage' (got 'admin')",
        ),
        (
            {"dev@acme.example": ["view", "deploy", "view"]},
            TEAM,
            "apps.web.access.dev@acme.example: lists a permission twice (view, deploy, view)",
        ),
        (
            {"dev@acme.example": ["deploy"]},
            TEAM,
            "apps.web.access.dev@acme.example: needs `view` too: Heroku grants no team-app permission without it",
        ),
        (
            {"Dev@acme.example": ["view"], "dev@acme.example": ["view"]},
            TEAM,
            "apps.web.access: lists 'dev@acme.example' twice ('Dev@acme.example' too; emails are not case-sensitive)",
        ),
        (
            {"dev@example.com": ["view", "deploy"]},
            {},
            "apps.web.access.dev@example.com: permissions apply to team apps, and this stack has no `team`: a "
            "personal app's collaborator is written with [] (full access but ownership)",
        ),
        (
            {"dev@acme.example": []},
            TEAM,
            "apps.web.access.dev@acme.example: needs permissions on team acme's app: a list of view, deploy, "
            "operate, manage",
        ),
    ],
)
def test_bad_access_names_the_app_the_email_and_what_is_allowed(
    write_stack: WriteStack, access: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    assert error_of(write_stack, apps={"web": app(access=access)}, extra=extra) == message


def test_team_members_belong_to_the_pipeline_owner_stack_only(write_stack: WriteStack) -> None:
    message = error_of(write_stack, stage="production", extra={**TEAM, "demo:pipeline_lookup": "name"})

    assert message == (
        "team.members: team members are team-wide: only the pipeline owner stack (stage 'staging') may declare "
        "them, or two stacks would fight over them"
    )


@pytest.mark.parametrize(
    ("team", "message"),
    [
        (
            {"name": "Acme Inc"},
            "team.name: must be a Heroku Team name: 2-30 lowercase letters, digits and dashes (got 'Acme Inc')",
        ),
        (
            {"name": "acme", "members": {"lead@acme.example": "owner"}},
            "team.members.lead@acme.example: must be 'admin', 'member' or 'viewer' (got 'owner')",
        ),
    ],
)
def test_a_bad_team_names_the_key(write_stack: WriteStack, team: dict[str, Any], message: str) -> None:
    assert error_of(write_stack, extra={"demo:team": team}) == message
