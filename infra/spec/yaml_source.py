"""Reading YAML the strict way: duplicate keys are errors, not silently last-one-wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.errors import SpecError, SpecIssue


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {mark.line + 1}, column {mark.column + 1})", mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_yaml(path: Path, *, stack: str | None = None) -> Any:
    """Parse `path`; any YAML problem becomes a SpecError naming the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(path.name, stack, [SpecIssue("", f"file not found in {path.parent}")]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(path.name, stack, [SpecIssue("", f"cannot be read ({err})")]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SpecError(path.name, stack, [SpecIssue("", f"{where}invalid YAML: {problem}")]) from None
