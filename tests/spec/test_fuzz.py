"""Generated bad stack files: the loader answers with a SpecError or a spec, never another exception.

Each example starts from a valid document (ShopSentiment's two stacks, InventorySync's two),
with plain-text credentials planted where a careless user puts them (a secret written without
`secure:`, a password in plain config, a drain URL with a token). It then breaks it: a value
replaced by junk of any type, a key deleted or renamed, the YAML text cut short or replaced.
Whatever the loader says must never echo a planted credential.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.errors import SpecError
from infra.spec import load_stack

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "Pl4nted-Cr3dential-7f3a9c"
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Location = tuple[str | int, ...]


def _project_name(directory: Path) -> str:
    return str(yaml.safe_load((directory / "Pulumi.yaml").read_text())["name"])


STACKS = [
    (directory, stack) for directory in (ROOT, ROOT / "examples/inventorysync") for stack in ("staging", "production")
]


def _with_planted_credentials(document: dict[str, Any], project: str) -> dict[str, Any]:
    """The document with credentials planted in the places users put them by mistake."""
    planted = copy.deepcopy(document)
    apps = planted["config"][f"{project}:apps"]
    first = apps[next(iter(apps))]
    first.setdefault("secrets", {})["SESSION_SECRET"] = PLANTED
    first.setdefault("config", {})["DB_PASSWORD"] = PLANTED
    first["config"]["BROKER_URL"] = f"redis://:{PLANTED}@broker.example.com:6379"
    first["drains"] = [{"url": f"https://logs.example.com/ingest?token={PLANTED}"}, {"secret_url": PLANTED}]
    return planted


BASES = [
    (directory, stack, _with_planted_credentials(yaml.safe_load(path.read_text()), _project_name(directory)))
    for directory, stack in STACKS
    for path in [directory / f"Pulumi.{stack}.yaml"]
]


def _locations(value: Any, prefix: Location = ()) -> list[Location]:
    found: list[Location] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_locations(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_locations(item, (*prefix, index)))
    return found


def _holds_planted(value: Any) -> bool:
    return PLANTED in yaml.safe_dump(value)


junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "-1", "heroku-18", "Shop_App", "standard-9x", "a:b:c", "secure", "https://x", "0"]),
)
junk = st.recursive(
    junk_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)),
    max_leaves=8,
)


def _load(directory: Path, stack: str, text: str) -> str | None:
    """Load `text` as the stack file of a copy of `directory`; the error message, or None if valid."""
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch)
        (target / "Pulumi.yaml").write_text((directory / "Pulumi.yaml").read_text())
        if (directory / "catalog.yaml").exists():
            (target / "catalog.yaml").write_text((directory / "catalog.yaml").read_text())
        (target / f"Pulumi.{stack}.yaml").write_text(text)
        try:
            load_stack(stack, target)
        except SpecError as err:
            return str(err)
    return None


@pytest.mark.parametrize("base", range(len(BASES)))
def test_the_planted_documents_themselves_are_refused_without_echoing_the_credentials(base: int) -> None:
    directory, stack, document = BASES[base]

    message = _load(directory, stack, yaml.safe_dump(document))

    assert message is not None
    assert PLANTED not in message


@FUZZ
@given(data=st.data(), base=st.integers(min_value=0, max_value=len(BASES) - 1))
def test_a_value_replaced_by_junk_gives_a_spec_error_or_a_spec(data: st.DataObject, base: int) -> None:
    directory, stack, document = BASES[base]
    mutated = copy.deepcopy(document)
    where = data.draw(st.sampled_from(_locations(mutated)))
    value = data.draw(junk)
    parent = mutated
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value

    message = _load(directory, stack, yaml.safe_dump(mutated))

    assert message is None or PLANTED not in message


@FUZZ
@given(data=st.data(), base=st.integers(min_value=0, max_value=len(BASES) - 1))
def test_a_key_deleted_or_renamed_gives_a_spec_error_or_a_spec(data: st.DataObject, base: int) -> None:
    directory, stack, document = BASES[base]
    mutated = copy.deepcopy(document)
    keyed = [loc for loc in _locations(mutated) if isinstance(loc[-1], str)]
    where = data.draw(st.sampled_from(keyed))
    parent = mutated
    for part in where[:-1]:
        parent = parent[part]
    value = parent.pop(where[-1])
    new_key = data.draw(st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans()))
    if new_key is not None and not _holds_planted(new_key):
        parent[new_key] = value

    message = _load(directory, stack, yaml.safe_dump(mutated))

    assert message is None or PLANTED not in message


@FUZZ
@given(data=st.data(), base=st.integers(min_value=0, max_value=len(BASES) - 1))
def test_cut_or_garbled_yaml_gives_a_spec_error_or_a_spec(data: st.DataObject, base: int) -> None:
    directory, stack, _ = BASES[base]
    original = (directory / f"Pulumi.{stack}.yaml").read_text()
    cut = data.draw(st.integers(min_value=0, max_value=len(original)))
    text = data.draw(
        st.one_of(
            st.just(original[:cut]),
            st.builds(lambda noise: original[:cut] + noise + original[cut:], st.text(max_size=10)),
            st.text(max_size=200),
            st.sampled_from(
                ["config: [", "config:\n\t- x", "a: &x\n  b: *x\n*y", "!!python/object:os.system x", "\x00"]
            ),
        )
    )

    message = _load(directory, stack, text)

    assert message is None or message.startswith(f"Pulumi.{stack}.yaml")
