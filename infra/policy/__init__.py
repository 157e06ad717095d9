"""Guardrail policies (Pulumi CrossGuard): the pack in `policy/`, and the same policies on the offline plan."""

from infra.policy.offline import Violation, evaluate, load_config, render_violations
from infra.policy.rules import POLICIES

__all__ = ["POLICIES", "Violation", "evaluate", "load_config", "render_violations"]
