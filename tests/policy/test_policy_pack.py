"""The pack as the Pulumi CLI runs it: `policy/__main__.py` in its own process, asked over gRPC.

`pulumi preview --policy-pack policy/` starts the pack, reads the port it prints, and calls the
Analyzer service: `GetAnalyzerInfo`, then `Analyze` for each resource and `AnalyzeStack` for the
whole stack. These tests make the same calls with the resources of a careless production plan
and check the pack reports exactly what `heroku-stack plan` reports offline.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from infra.plan.planner import plan_stack
from infra.policy import POLICIES, evaluate, load_config
from infra.policy.offline import policy_resources
from tests.conftest import PROJECT_DIR
from tests.policy.test_policies import careless  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled"}


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    pack = subprocess.Popen(
        [sys.executable, "-u", "__main__.py"],
        cwd=PROJECT_DIR / "policy",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert pack.stdout is not None
        port = int(pack.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        pack.kill()
        pack.communicate(timeout=10)  # reaps it and closes its pipes


def _struct(values: dict[str, object]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def test_the_pack_serves_every_policy_at_its_default_level(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())

    assert info.name == "heroku-stack-guardrails"
    assert [(p.name, LEVELS[p.enforcementLevel]) for p in info.policies] == [
        (p.name, (p.enforcement_level.value if p.enforcement_level else "advisory")) for p in POLICIES
    ]


def test_the_pack_reports_what_the_offline_plan_reports(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
    careless: Path,  # noqa: F811
) -> None:
    plan = plan_stack("production", careless)
    resources = [p for _, p in policy_resources(plan)]
    names = {p.urn: r.logical_name for r, p in policy_resources(plan)}
    seen: list[tuple[str, str, str]] = []
    for resource in resources:
        options = analyzer_pb2.AnalyzerResourceOptions(protect=resource.opts.protect, parent=resource.opts.parent or "")
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.resource_type,
            properties=_struct(dict(resource.props)),
            urn=resource.urn,
            name=resource.name,
            options=options,
        )
        for d in analyzer.Analyze(request).diagnostics:
            seen.append((d.policyName, LEVELS[d.enforcementLevel], names[resource.urn]))
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.resource_type,
                properties=_struct(dict(r.props)),
                urn=r.urn,
                name=r.name,
                options=analyzer_pb2.AnalyzerResourceOptions(protect=r.opts.protect, parent=r.opts.parent or ""),
                parent=r.opts.parent or "",
            )
            for r in resources
        ]
    )
    for d in analyzer.AnalyzeStack(stack).diagnostics:
        seen.append((d.policyName, LEVELS[d.enforcementLevel], names.get(d.urn, "")))

    offline = [(v.policy, v.level, v.resource) for v in evaluate(plan, load_config(careless, "production"))]
    assert sorted(seen) == sorted(offline)
    assert len(offline) == 6
