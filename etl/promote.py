"""Adding a discovered candidate to the initiative lexicon (data/initiatives.yaml): the entry is
written by a YAML dumper, the whole new file is parsed and compared before it replaces the old
one, and a name that would not come back as written is refused."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml


class PromoteError(Exception):
    """Why a name cannot go into the lexicon; the file is unchanged."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def promote(name: str, path: Path) -> None:
    """Append `name` (with itself as its alias) to the lexicon at `path`, atomically."""
    if not name.strip():
        raise PromoteError("an empty name")
    if name != name.strip() or _CONTROL.search(name):
        raise PromoteError(f"{name!r} has leading or trailing spaces or control characters")
    text = path.read_text(encoding="utf-8")
    entries = yaml.safe_load(text) or []
    known = {a for e in entries for a in [e["name"], *e.get("aliases", [])]}
    if name in known:
        raise PromoteError(f"{name} is already in {path.name}")
    entry = {"name": name, "aliases": [name]}
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000)
    new = text + ("" if text.endswith("\n") or not text else "\n") + block
    try:
        parsed = yaml.safe_load(new)
    except yaml.YAMLError as e:
        raise PromoteError(f"{name!r} would make {path.name} unreadable ({e})") from None
    if parsed[:-1] != entries or parsed[-1] != entry:
        raise PromoteError(f"{name!r} does not read back as written from YAML")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
