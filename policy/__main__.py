"""Entry point of the policy pack: the Pulumi CLI runs this, and `PolicyPack` serves the policies over gRPC.

Only here is the pack built: constructing `PolicyPack` starts the analyzer server and blocks, so
the policies themselves live in `infra.policy.rules`, importable by tests and `heroku-stack plan`.
"""

import sys
from pathlib import Path

# The CLI runs this file from policy/; the policies are in the checkout's `infra` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from infra.policy.rules import POLICIES

PolicyPack(name="heroku-stack-guardrails", policies=list(POLICIES))
