"""Reading and checking agreement data files, before anything is written.

- `read_agreement(path)` reads a file of schema 1 or 2 and returns an `AgreementDocument`
  (schema-2 dataclasses, document.py); a schema-1 file is upgraded (convert.upgrade).
- `read_agreement_file(path)` returns what the importer takes today (`AgreementFile`,
  plain dicts), through `convert.to_import_form`.
- Every refusal is an `AgreementFileError` naming the file, the field and the problem.
"""

from __future__ import annotations

from pathlib import Path

from .convert import KnownParty, PartyMatch, match_parties, to_import_form, upgrade
from .document import SCHEMA_2, AgreementDocument
from .reading import AgreementFileError, Reader, load_yaml
from .schema1 import SCHEMA as SCHEMA_1
from .schema1 import AgreementFile, read_schema1
from .schema2 import read_schema2

__all__ = [
    "SCHEMA_1",
    "SCHEMA_2",
    "AgreementDocument",
    "AgreementFile",
    "AgreementFileError",
    "KnownParty",
    "PartyMatch",
    "match_parties",
    "read_agreement",
    "read_agreement_file",
]


def read_agreement(path: str | Path) -> AgreementDocument:
    """The checked file of either schema as schema-2 dataclasses."""
    data = Reader(path).mapping(load_yaml(path), "(file)")
    schema = data.get("schema")
    if schema == SCHEMA_1:
        return upgrade(read_schema1(path, data))
    if schema == SCHEMA_2:
        return read_schema2(path, data)
    raise AgreementFileError(path, "schema", f"must be {SCHEMA_2!r} or {SCHEMA_1!r}, found {schema!r}")


def read_agreement_file(path: str | Path) -> AgreementFile:
    """The checked file of either schema in the form the importer takes today."""
    return to_import_form(read_agreement(path))
