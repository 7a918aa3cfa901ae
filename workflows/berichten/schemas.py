"""The iStandaarden XSDs from a configured folder, loaded once and kept.

``Schemas(xsd_dir)`` looks for ``<dir>/jw/JW301.xsd``, ``<dir>/wmo/WMO301.xsd`` and so on (the
layout of the published sets) and validates a message against its schema when the file is there.
Without a folder, or without a kind's file, ``available`` says False and ``errors`` finds
nothing: the exchange then relies on the rules it checks itself.

The schemas are read with the same care as messages: no network, no entities. The published
sets refer to ``basisschema.xsd`` while the file is ``Basisschema.xsd`` (some copies carry a
link file holding that name), so a reference that is missing, or that holds a bare file name,
is resolved to the file of that name in the same folder, matched without regard to case.
Nothing outside the folder is read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

from lxml import etree

from models import Domain

from . import codes
from .xml import Element

_APPINFO = "{http://www.w3.org/2001/XMLSchema}annotation/{http://www.w3.org/2001/XMLSchema}appinfo"


class _FolderResolver(etree.Resolver):
    """Resolves schema references inside one folder (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder.resolve()

    # lxml-stubs 0.5 leave out ``context``; lxml passes it.
    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        path = Path(unquote(urlparse(system_url).path)) if system_url else None
        if path is None:
            return None
        real = _real_file(self.folder, path)
        if real is None:
            raise etree.XMLSchemaParseError(f"schema reference outside the folder: {system_url}")
        return self.resolve_string(real.read_bytes(), context, base_url=str(real))


def _real_file(folder: Path, path: Path) -> Path | None:
    """The schema file ``path`` means, inside ``folder``, or None."""
    try:
        candidate = path.resolve()
    except OSError:
        return None
    if candidate.parent != folder:
        candidate = folder / path.name
    if not candidate.exists():
        matches = [p for p in folder.iterdir() if p.name.lower() == path.name.lower()]
        candidate = matches[0] if matches else candidate
    if candidate.is_file() and candidate.stat().st_size < 256:
        # A link stored as a small file that holds the target's name.
        target = candidate.read_text(errors="replace").strip()
        if target and "/" not in target and not target.startswith("<"):
            candidate = folder / target
    return candidate if candidate.is_file() and candidate.parent == folder else None


class Schemas:
    """The configured schemas (``xsd_dir``: the folder, or None for none)."""

    def __init__(self, xsd_dir: Path | str | None) -> None:
        self.xsd_dir = Path(xsd_dir) if xsd_dir else None
        self._loaded: dict[tuple[Domain, str], etree.XMLSchema] = {}
        self._lock = threading.Lock()

    def path(self, domain: Domain, kind: str) -> Path | None:
        if self.xsd_dir is None:
            return None
        path = self.xsd_dir / codes.schema_file(domain, kind)
        return path if path.is_file() else None

    def available(self, domain: Domain, kind: str) -> bool:
        return self.path(domain, kind) is not None

    def schema(self, domain: Domain, kind: str) -> etree.XMLSchema | None:
        """The kind's schema, loaded on first use and kept (thread-safe)."""
        path = self.path(domain, kind)
        if path is None:
            return None
        with self._lock:
            loaded = self._loaded.get((domain, kind))
            if loaded is None:
                parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                parser.resolvers.add(_FolderResolver(path.parent))
                document = etree.parse(str(path), parser)
                loaded = etree.XMLSchema(document)
                self._loaded[(domain, kind)] = loaded
            return loaded

    def errors(self, domain: Domain, kind: str, root: Element) -> list[str]:
        """What the schema finds wrong in ``root`` (line: message), or [] (valid, or no schema)."""
        schema = self.schema(domain, kind)
        if schema is None:
            return []
        if schema.validate(root):
            return []
        log = cast(Iterable[Any], schema.error_log)  # iterable; lxml-stubs 0.5 do not say so
        return [f"{error.line}: {error.message}" for error in log]

    def versions(self, domain: Domain, kind: str) -> tuple[str, str]:
        """(BasisschemaXsdVersie, BerichtXsdVersie) for an outgoing message: the schema's own
        when the folder has it, else the release's (``codes.XSD_VERSIONS``)."""
        path = self.path(domain, kind)
        default = codes.XSD_VERSIONS[domain]
        if path is None:
            return default
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        appinfo = etree.parse(str(path), parser).getroot().find(_APPINFO)
        if appinfo is None:
            return default
        found = {etree.QName(e).localname: (e.text or "").strip() for e in appinfo}
        return (
            found.get("BasisschemaXsdVersie") or default[0],
            found.get("BerichtXsdVersie") or default[1],
        )


NO_SCHEMAS = Schemas(None)
