"""Reading YAML the strict way: duplicate keys are errors, not silently last-one-wins.

Whatever the file holds, reading it ends in a document or one `SpecError`: never a traceback
or a hang. Only regular files are read (a symlink to `/dev/zero` or a named pipe is refused
before it is opened), at most `MAX_BYTES`; nesting too deep for the parser, a list or map used
as a key, and a number too long to convert are refused naming the file. Merge keys (`<<: *x`)
work as YAML defines them: keys written beside the merge override the merged ones.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from infra.errors import SpecError, SpecIssue

MAX_BYTES = 1_000_000  # a stack file is a few kilobytes; anything near this is not one
_MERGE_TAG = "tag:yaml.org,2002:merge"


# libyaml's parser when PyYAML was built with it: ten times faster on a 100-app stack file.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    pass


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)  # merged pairs first, then the mapping's own: own keys override merged ones
    first_own = len(node.value) - own
    result: dict[Any, Any] = {}
    written: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        mark = key_node.start_mark
        if isinstance(key, (list, dict, set)):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a plain value, not a {type(key).__name__}", mark
            )
        if index >= first_own:
            if key in written:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
            written.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_yaml(path: Path, *, stack: str | None = None) -> Any:
    """Parse `path`; any YAML problem becomes a SpecError naming the file, line and column."""

    def refuse(problem: str) -> SpecError:
        return SpecError(path.name, stack, [SpecIssue("", problem)])

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise refuse("is not a regular file (a directory, device or pipe); a stack file is plain YAML text")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise refuse(f"is larger than {MAX_BYTES:,} bytes; a stack file is a few kilobytes of YAML")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise refuse(f"file not found in {path.parent}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise refuse(f"cannot be read ({type(err).__name__}: {getattr(err, 'strerror', None) or err})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        if "maximum nesting depth" in problem:  # libyaml's limit; the pure-Python parser recurses instead
            raise refuse("is nested too deeply to be a stack file") from None
        raise refuse(f"{where}invalid YAML: {problem}") from None
    except RecursionError:
        raise refuse("is nested too deeply to be a stack file") from None
    except ValueError as err:  # e.g. an integer of thousands of digits
        raise refuse(f"holds a value YAML cannot convert ({str(err).split(';')[0]})") from None
