"""Which HSDS fields the directory holds in its own columns, and the rest kept as JSON text.

An import stores every other field a record brings (``extra``: fees, languages, contacts,
required_documents, accessibility, a schedule's ``freq`` …) and the export writes it back, so
that nothing the schema defines is lost on the round trip. A value the export would write
anyway (a generated id, ``location_type`` ``physical``) is not kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

SERVICE = frozenset({
    "id", "name", "alternate_name", "description", "eligibility_description",
    "application_process", "status", "url", "email", "organization", "organization_id",
    "phones", "schedules", "service_areas", "service_at_locations", "attributes"})
ORGANIZATION = frozenset({"id", "name", "alternate_name", "description", "website", "email",
                          "parent_organization_id", "services"})
LOCATION = frozenset({"id", "organization_id", "name", "alternate_name", "description",
                      "latitude", "longitude", "addresses"})
ADDRESS = frozenset({"address_1", "address_2", "city", "state_province", "postal_code",
                     "country", "location_id"})
PHONE = frozenset({"number", "type", "description", "service_id"})
SCHEDULE = frozenset({"description", "byday", "opens_at", "closes_at", "service_id"})
ATTRIBUTE = frozenset({"taxonomy_term_id", "taxonomy_term", "value", "link_type", "link_id"})
TERM = frozenset({"id", "code", "name", "description", "taxonomy_id", "taxonomy_detail"})
TAXONOMY = frozenset({"id", "name", "description", "version"})
SERVICE_AT_LOCATION = frozenset({"location", "service_id", "service"})
#: A service's ``service_areas`` as imported when they were not our own ``setacare:`` extents,
#: with the area they were read as: the export gives them back while the area is unchanged.
KEPT_AREAS = "setacare:service_areas"


def rest(obj: Mapping[str, Any], held: Iterable[str], defaults: Mapping[str, Any] | None = None
         ) -> dict[str, Any]:
    """The fields of ``obj`` not ``held`` in columns, without those equal to ``defaults`` and
    without empty ones ("" or null: nothing to keep, and a CSV cell cannot tell them apart)."""
    held, defaults = frozenset(held), defaults or {}
    return {k: v for k, v in obj.items()
            if k not in held and v not in ("", None) and not (k in defaults and defaults[k] == v)}


def pack(fields: Mapping[str, Any]) -> str:
    """Canonical JSON text of ``fields`` ("" for none), so equal records compare equal."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")) if fields else ""


def unpack(text: str) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {}
