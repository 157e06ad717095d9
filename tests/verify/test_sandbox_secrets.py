"""A secret value never appears in any report or log line, even when the live value differs from the plan.

A canary is planted in the expected state (decrypted secrets, a secret drain URL) and in the
live state (a rotated secret, a credential URL in a plain var, an unmanaged var, an unmanaged
drain); every report format, the findings' repr and every log record are then searched for it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from infra.spec import load_stack
from infra.spec.models import DrainSpec, StackSpec
from infra.spec.secret import Secret
from infra.verify.reports import json_report, junit, markdown, terminal
from tests.fixtures.verify import DeployStack, Person, VerifyStack, rows, with_secret_values

pytestmark = pytest.mark.anyio

CANARY = "CANARY7f3a9c"
APP = "shopsentiment-staging"


def with_secret_drain(spec: StackSpec) -> StackSpec:
    drain = DrainSpec(secret_url=Secret(value=f"https://logs:{CANARY}@logs.example.com/in/{CANARY}"))
    return spec.model_copy(update={"apps": {"web": spec.apps["web"].model_copy(update={"drains": (drain,)})}})


async def test_a_canary_secret_appears_in_no_report_and_no_log_line(
    project_dir: Path,
    deploy_stack: DeployStack,
    person: Person,
    verify_stack: VerifyStack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secrets = {"SECRET_KEY": f"{CANARY}-planned", "MONGODB_URI": f"mongodb+srv://shop:{CANARY}@db.example.net/s"}
    deployed = await deploy_stack(with_secret_drain(with_secret_values(load_stack("staging", project_dir), secrets)))
    async with person() as heroku:
        await heroku.patch(
            f"/apps/{APP}/config-vars",
            json={
                "SECRET_KEY": f"{CANARY}-rotated",
                "LOG_LEVEL": f"https://x:{CANARY}@h.example.com",
                # Declared plain vars set by hand to credential-looking values: never shown either.
                "CACHE_TYPE": f" postgres://u:{CANARY}@db.example.com/d",
                "MONGODB_DB_NAME": f"https://hooks.example.com/in?token={CANARY}",
                "WTF_CSRF_ENABLED": f"Bearer {CANARY}",
                "LEAK": CANARY,
            },
        )
        await heroku.post(f"/apps/{APP}/log-drains", json={"url": f"https://u:{CANARY}@other.example.com/{CANARY}"})
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    result = await verify_stack(with_secret_drain(load_stack("staging", project_dir)), manifest=deployed.manifest)

    assert rows(result.findings) == [
        ("web/config/CACHE_TYPE", "changed"),
        ("web/config/LOG_LEVEL", "changed"),
        ("web/config/MONGODB_DB_NAME", "changed"),
        ("web/config/SECRET_KEY", "changed"),
        ("web/config/WTF_CSRF_ENABLED", "changed"),
        ("web/config/LEAK", "unmanaged"),
        ("web/drain/other.example.com", "unmanaged"),
    ]
    secret_drain = next(f for f in result.findings if f.check_id == "web/drain/secret-1")
    assert (secret_drain.outcome.value, secret_drain.summary) == ("pass", "log drain (secret URL) is added")
    outputs = {
        "terminal": terminal.render([result], verbose=True),
        "json": json_report.render([result]),
        "junit": junit.render([result]),
        "markdown": markdown.render([result]),
        "repr": repr(result),
        "log": caplog.text + "".join(repr(r.args) for r in caplog.records),
    }
    assert [name for name, text in outputs.items() if CANARY in text] == []
    assert len(caplog.records) > 0
