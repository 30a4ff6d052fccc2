"""The API says what it does: every operation of `/api/schema/` fuzzed by schemathesis, in process.

The schema is loaded from the app itself (`/api/schema/` through Django's WSGI handler, signed in with a district
administrator's token) and every operation gets a bounded number of generated requests, valid ones (positive) and
invalid ones (negative), derandomized so that a run is repeatable. Each response is checked: no server error, a
documented status code, the documented content type, body and headers, valid requests accepted and invalid ones
refused. All requests run inside the test's transaction, rolled back at the end: the fuzz leaves no data behind.

What a JSON schema cannot say, the generator is told, as schemathesis advises for "missing test data": a valid
request names records that exist in the user's districts. So in positive cases the record in the path and every
reference in the body (district, town, project …) is drawn from the records the user may see; everything else
is generated from the schema alone.

Rules across fields, which a JSON schema cannot state (a supply edge joins two different nodes of its own chain;
a site has a location and the area its kind needs; only a chemical park has a recognition list; a unit divides
a building; a reservation's unit is of its site; a blocker is assigned with both a department and a deadline; a
task's step is of its project; a target's or project's node is of its chain; a terminated project or a dropped
target says why; a wanted location has both coordinates) are met by the valid case the same way (`RULES`,
schemathesis' "map_body"): the answer to a request that breaks them is the documented 400, which the invalid
cases and the contract test check.
Bodies are JSON, the API's only request media type.
"""

from __future__ import annotations

import collections
import datetime
import os
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from django import forms
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework import serializers
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks
from stdnum.cn import uscc

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.declarations import configs
from zhaoshang.core.doors import token_issue
from zhaoshang.enterprises.factories import TargetEntryFactory
from zhaoshang.standards.divisions import divisions
from zhaoshang.standards.industries import industries

PASSWORD = "secret-password"
MODELS: dict[str, Any] = {}
CHECKED: dict[str, dict[str, Any]] = {}
_USCC_TAIL = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODES = {
    "validate_adcode": st.sampled_from(sorted(divisions())),
    "validate_industry_code": st.sampled_from(sorted(industries())),
    "validate_uscc": st.tuples(
        st.text("0123456789", min_size=8, max_size=8), st.text(_USCC_TAIL, min_size=9, max_size=9)
    ).map(lambda parts: parts[0] + parts[1] + uscc.calc_check_digit(parts[0] + parts[1])),
}  # the demo personas' password in tests/conftest.py

#: Generated requests per operation and mode (positive, negative): 1,260 requests in all, ~3.5 min on SQLite on a
#: busy 2-core machine. Five each still finds every class of fault the fuzz has found (server errors, wrong types,
#: undocumented answers, unchecked filters, rules across fields); ZHAOSHANG_FUZZ_EXAMPLES raises it for a deep run.
EXAMPLES = int(os.environ.get("ZHAOSHANG_FUZZ_EXAMPLES", "5"))

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.positive_data_acceptance,
    openapi_checks.negative_data_rejection,
]

# A stale or unreadable If-Match (412) is a precondition on the record's state, not malformed data: a valid
# request may meet it, as it may meet 404 or 409, which schemathesis already counts among a valid request's answers.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "412"]}
        }
    }
)


@pytest.fixture
def wsgi_app() -> Any:
    """Django's WSGI handler on the test's connection. At the end of a request Django closes a connection that is
    inside a transaction, which would end the test's own; its test client avoids that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


References = dict[str, tuple[list[int], dict[str, tuple[list[int], bool]], dict[str, list[int]], list[str]]]


def _references(user: Any) -> References:
    """Per API path prefix: the ids of records the user may see; per reference field of its serializer the ids
    it accepts (and whether it takes a list); per filter on a record the ids it accepts."""
    request = SimpleNamespace(user=user, method="POST", GET={}, query_params={})
    found: References = {}
    for config in configs():
        filters: dict[str, list[int]] = {}
        if config.filterset is not None:
            form = config.filterset(data={}, queryset=config.model.objects.none(), request=request).form
            for name, form_field in form.fields.items():
                if isinstance(form_field, forms.ModelChoiceField):
                    filters[name] = list(form_field.queryset.order_by("pk").values_list("pk", flat=True)[:40])
        ids = list(
            config.model.objects.restrict(user, "view").order_by("pk").values_list("pk", flat=True)[:40]
        )
        fields: dict[str, tuple[list[int], bool]] = {}
        dates: list[str] = []
        if config.serializer is not None:
            for name, field in config.serializer(context={"request": request}).fields.items():
                if isinstance(field, serializers.DateField) and not field.read_only:
                    dates.append(name)
                for validator in getattr(field, "validators", []):
                    if getattr(validator, "__name__", "") in CODES and not field.read_only:
                        CHECKED.setdefault(f"/api/{config.key}/", {})[name] = CODES[validator.__name__]
                many = isinstance(field, serializers.ManyRelatedField)
                related = field.child_relation if many else field
                if isinstance(related, serializers.PrimaryKeyRelatedField) and not field.read_only:
                    fields[name] = (
                        list(related.get_queryset().order_by("pk").values_list("pk", flat=True)[:40]),
                        many,
                    )
        found[f"/api/{config.key}/"] = (ids, fields, filters, dates)
        MODELS[f"/api/{config.key}/"] = config.model
    return found


def _seed(case: Any, mode: Any, refs: Any, data: Any) -> None:
    """Point a case at existing records: the path's record always (unless the path itself is the invalid part),
    the body's references in valid cases."""
    if case.operation.path == "/api/auth/token/" and mode is schemathesis.GenerationMode.POSITIVE:
        # Valid credentials are a persona's: random ones are refused (400), as they should be.
        if isinstance(case.body, dict):
            case.body.update(username="linzi_admin", password=PASSWORD)
        return
    prefix = next((p for p in refs if case.operation.path.startswith(p)), None)
    if prefix is None:
        return
    ids, fields, filters, dates = refs[prefix]
    if "id" in (case.path_parameters or {}) and ids and isinstance(case.path_parameters["id"], int):
        case.path_parameters["id"] = data.draw(st.sampled_from(ids))
        if mode is schemathesis.GenerationMode.POSITIVE and (case.headers or {}).get("If-Match") is not None:
            # A valid If-Match is the record's current ETag (a random one is rightly a 412).
            record = MODELS[prefix].objects.filter(pk=case.path_parameters["id"]).first()
            if record is not None:  # (an earlier case may have deleted it: then the answer is 404)
                case.headers["If-Match"] = f'"{record.edit_version}"'
    if mode is schemathesis.GenerationMode.POSITIVE and case.query:
        for name, choices in filters.items():
            if case.query.get(name) is not None and choices:
                case.query[name] = data.draw(st.sampled_from(choices))
    if mode is schemathesis.GenerationMode.POSITIVE and isinstance(case.body, dict):
        for name, (choices, many) in fields.items():
            if case.body.get(name) is None or not choices:
                continue
            if many:
                case.body[name] = data.draw(st.lists(st.sampled_from(choices), max_size=3, unique=True))
            else:
                case.body[name] = data.draw(st.sampled_from(choices))
        # National codes (GB/T 2260 divisions, GB/T 4754 industries, credit codes with their check character)
        # are checked against their tables: a valid case takes a real one.
        for name, strategy in CHECKED.get(prefix, {}).items():
            if case.body.get(name):
                case.body[name] = data.draw(strategy)
        # The dates a record may hold (from 1949-10-01; recorded dates up to 7 days ahead, planned ones up to 30
        # years; deadlines not before today) are the model's rules, which a JSON schema's `format: date` cannot
        # state: a valid case uses the coming week, in the order the fields are declared (start before end).
        today = timezone.localdate()
        window = st.dates(today, today + datetime.timedelta(days=7))
        chosen = sorted(data.draw(window) for name in dates if case.body.get(name))
        for name in [name for name in dates if case.body.get(name)]:
            case.body[name] = chosen.pop(0).isoformat()
        rule = RULES.get(prefix)
        if rule is not None and case.operation.path in (prefix, prefix + "{id}/"):
            record_id = str((case.path_parameters or {}).get("id", ""))
            record = MODELS[prefix].objects.filter(pk=int(record_id)).first() if _is_id(record_id) else None
            # (A path naming no record is a 404 whatever the body: nothing to meet.)
            if not record_id or record is not None:
                rule(case.body, record, data)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 18


def _edge(body: dict[str, Any], record: Any, data: Any) -> None:
    """Two different nodes of the edge's chain, not yet joined (an edge is unique per pair)."""
    from zhaoshang.chains.models import Edge, Node

    if not {"chain", "source", "target"} & body.keys():
        return
    if record is not None:  # a change keeps the edge's own ends
        body.update(chain=record.chain_id, source=record.source_id, target=record.target_id)
        return
    joined = set(Edge.objects.values_list("source_id", "target_id"))
    nodes = collections.defaultdict(list)
    for node, chain in Node.objects.filter(chain__district__in=_districts(body)).values_list(
        "pk", "chain_id"
    ):
        nodes[chain].append(node)
    pairs = [
        (chain, a, b)
        for chain, members in sorted(nodes.items())
        for a in members[:6]
        for b in members[:6]
        if a != b and (a, b) not in joined
    ]
    if pairs:
        chain, source, target = data.draw(st.sampled_from(pairs))
        body.update(chain=chain, source=source, target=target)


def _districts(body: dict[str, Any]) -> list[int]:
    return [body["district"]] if body.get("district") else DISTRICTS


def _site(body: dict[str, Any], record: Any, data: Any) -> None:
    """A location (a point of a site of the district, or the geometry) and the area the kind needs."""
    from zhaoshang.sites.models import Kind, Site

    if record is None:
        point = Site.objects.filter(district__in=_districts(body)).exclude(lng=None).values_list("lng", "lat")
        point = point.order_by("pk").first()
        if point is not None:
            body.update(lng=point[0], lat=point[1], geometry=None, source_crs="wgs84")
        kind = body.get("kind", Kind.PARCEL)
        need = {Kind.PARCEL: "area_mu", Kind.BUILDING: "floor_area_m2", Kind.COURTYARD: "land_area_m2"}.get(
            kind
        )
        if need and body.get(need) in (None, ""):
            body[need] = "100"
        return
    # A change keeps the record's location and kind (the rules above, for the record as it is).
    for name in ("lng", "lat", "geometry", "kind", "area_mu", "floor_area_m2", "land_area_m2", "source_crs"):
        if name in body:
            body[name] = getattr(record, name) if name != "source_crs" else "wgs84"


def _site_unit(body: dict[str, Any], record: Any, data: Any) -> None:
    """A unit divides a building (厂房/楼宇) not reserved as a whole."""
    from zhaoshang.sites.models import Kind, Site, SiteReservation

    if "site" not in body:
        return
    if record is not None:
        body["site"] = record.site_id
        return
    whole = SiteReservation.objects.filter(released_at=None, unit=None).values("site_id")
    buildings = list(
        Site.objects.filter(kind=Kind.BUILDING, district__in=DISTRICTS)
        .exclude(pk__in=whole)
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    )
    if buildings:
        body["site"] = data.draw(st.sampled_from(buildings))


def _reservation(body: dict[str, Any], record: Any, data: Any) -> None:
    """A site (or unit) is reserved while it is available; a reserved unit is one of the reserved site's."""
    from zhaoshang.sites.models import Site, SiteUnit

    if record is None and "site" in body:
        available = Site.objects.filter(district__in=DISTRICTS, availability=Site.Availability.AVAILABLE)
        sites = list(available.order_by("pk").values_list("pk", flat=True)[:40])
        if sites:
            body["site"] = data.draw(st.sampled_from(sites))
    site = body.get("site", record.site_id if record is not None else None)
    if body.get("unit") is not None:
        units = SiteUnit.objects.filter(site_id=site, availability=Site.Availability.AVAILABLE)
        units = list(units.order_by("pk").values_list("pk", flat=True))
        body["unit"] = data.draw(st.sampled_from(units)) if units else None


def _demand(body: dict[str, Any], record: Any, data: Any) -> None:
    """A wanted location has both coordinates; the smallest area is not above the largest."""
    from zhaoshang.sites.models import Site

    if ("lng" in body or "lat" in body) and (body.get("lng") is None) != (body.get("lat") is None):
        point = Site.objects.exclude(lng=None).order_by("pk").values_list("lng", "lat").first()
        body["lng"], body["lat"] = point if point is not None else (None, None)
    low, high = body.get("min_area"), body.get("max_area")
    if isinstance(low, str) and isinstance(high, str) and Decimal(low.strip()) > Decimal(high.strip()):
        body.update(min_area=high, max_area=low)


def _blocker(body: dict[str, Any], record: Any, data: Any) -> None:
    """Assigned at once: a department of the project's district and a deadline (from today), both or neither."""
    from zhaoshang.core.models import Department
    from zhaoshang.projects.models import Project

    if record is not None or (body.get("department") is None and body.get("deadline") is None):
        return
    project = Project.objects.filter(pk=body.get("project")).first()
    departments = list(
        Department.objects.filter(district_id=getattr(project, "district_id", None)).values_list(
            "pk", flat=True
        )
    )
    if departments:
        body["department"] = data.draw(st.sampled_from(sorted(departments)))
    if body.get("deadline") is None:
        body["deadline"] = timezone.localdate().isoformat()


def _task(body: dict[str, Any], record: Any, data: Any) -> None:
    """A task's step is one of its project's."""
    from zhaoshang.projects.models.delivery import ProjectStep

    project = body.get("project", record.project_id if record is not None else None)
    if body.get("step") is not None:
        steps = list(
            ProjectStep.objects.filter(project_id=project).order_by("pk").values_list("pk", flat=True)
        )
        body["step"] = data.draw(st.sampled_from(steps)) if steps else None


def _district(body: dict[str, Any], record: Any, data: Any) -> None:
    """A district's code is one of its city's (GB/T 2260: the city's first four digits), not yet taken."""
    from zhaoshang.core.models import City, District

    city = City.objects.filter(pk=body.get("city", record.city_id if record is not None else None)).first()
    if city is None or not body.get("adcode"):
        return
    if record is not None:
        body["adcode"] = record.adcode
        return
    taken = set(District.objects.values_list("adcode", flat=True))
    codes = sorted(
        c for c in divisions() if c.startswith(city.adcode[:4]) and c not in taken and c[4:] != "00"
    )
    if codes:
        body["adcode"] = data.draw(st.sampled_from(codes))


def _goal(body: dict[str, Any], record: Any, data: Any) -> None:
    """A target belongs to the district or to one of a team, a town, a park; a custom metric has its name."""
    owners = [name for name in ("team", "town", "park") if body.get(name) is not None]
    for name in owners[1:]:
        body[name] = None
    if record is not None and owners:
        for name in ("team", "town", "park"):
            if name not in owners:
                body[name] = None
    if body.get("metric") == "custom" and not (body.get("custom_name") or "").strip():
        body["custom_name"] = "自定义"


def _park(body: dict[str, Any], record: Any, data: Any) -> None:
    """Only a recognised chemical park (认定化工园区) has the recognition list filled in."""
    listed = body.get("chemical_park_list", record.chemical_park_list if record is not None else "")
    chemical = body.get("is_chemical_park", record.is_chemical_park if record is not None else False)
    if isinstance(listed, str) and listed.strip() and not chemical:
        body["is_chemical_park"] = True


def _target(body: dict[str, Any], record: Any, data: Any) -> None:
    """A target enterprise's node (环节) is one of its chain's; a dropped one says why."""
    from zhaoshang.chains.models import Node

    status = body.get("status", record.status if record is not None else None)
    reason = body.get("drop_reason", record.drop_reason if record is not None else "")
    if status == "dropped" and not (reason or "").strip():
        body["drop_reason"] = "不符合条件"
    chain = body.get("chain", record.chain_id if record is not None else None)
    if body.get("node") is None or chain is None:
        return
    nodes = list(Node.objects.filter(chain_id=chain).order_by("pk").values_list("pk", flat=True))
    body["node"] = data.draw(st.sampled_from(nodes)) if nodes else None


def _project(body: dict[str, Any], record: Any, data: Any) -> None:
    """A terminated project says why; its node is of its chain; it is no increase of itself; it is declared no
    duplicate (generated names repeat: the refusal of a probable duplicate is tested in tests/projects/)."""
    body["not_a_duplicate"] = True
    status = body.get("status", record.status if record is not None else None)
    reason = body.get("status_reason", record.status_reason if record is not None else "")
    if status == "terminated" and not (reason or "").strip():
        body["status_reason"] = "投资方撤回"
    if record is not None and body.get("increase_of") == record.pk:
        body["increase_of"] = None
    node = body.get("node")
    if node is not None:
        from zhaoshang.chains.models import Node

        chain = body.get("chain", record.chain_id if record is not None else None)
        nodes = list(Node.objects.filter(chain_id=chain).order_by("pk").values_list("pk", flat=True))
        if chain is not None and node not in nodes:
            body["node"] = data.draw(st.sampled_from(nodes)) if nodes else None


#: Per API path: the rules across fields a valid body meets (see the module's docstring).
RULES = {
    "/api/edge/": _edge,
    "/api/site/": _site,
    "/api/siteunit/": _site_unit,
    "/api/sitereservation/": _reservation,
    "/api/demand/": _demand,
    "/api/blocker/": _blocker,
    "/api/task/": _task,
    "/api/district/": _district,
    "/api/goal/": _goal,
    "/api/park/": _park,
    "/api/target/": _target,
    "/api/project/": _project,
}
DISTRICTS: list[int] = []


def test_the_api_does_what_its_schema_says(org: Any, users: Any, wsgi_app: Any) -> None:
    user = users["linzi_admin"]

    def auth() -> dict[str, str]:
        # DELETE /api/auth/token/ revokes the token: every request asks for a valid one again.
        with acting_as(system_actor("test"), "system"):
            return {"Authorization": f"Token {token_issue(user=user).key}"}

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers=auth(), config=CONFIG
    )
    # The demo has no target entries; a contact log needs one (its `entry`): one of the user's district.
    TargetEntryFactory(district=org["linzi_district"])
    refs = _references(user)
    DISTRICTS[:] = refs["/api/district/"][0]  # the districts the user may see
    failures: list[str] = []
    requests: collections.Counter[str] = collections.Counter()
    operations = 0
    # While fixing, ZHAOSHANG_FUZZ_ONLY=<regex> fuzzes only the operations whose label ("POST /api/chain/") matches.
    only = os.environ.get("ZHAOSHANG_FUZZ_ONLY")
    for result in schema.get_all_operations():
        operation = result.ok()
        if only and not re.search(only, operation.label):
            continue
        operations += 1
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            _fuzz(operation, mode, refs, auth, requests, failures)
    print(
        f"\nschema fuzz: {operations} operations, {sum(requests.values())} requests "
        f"({requests['positive']} valid, {requests['negative']} invalid), {len(failures)} failures"
    )
    if os.environ.get("ZHAOSHANG_FUZZ_REPORT"):
        with open(os.environ["ZHAOSHANG_FUZZ_REPORT"], "w") as report:
            report.write("\n=====\n".join(failures))
    assert operations >= (1 if only else 150)
    assert failures == [], f"{len(failures)} failures:\n" + "\n-----\n".join(failures[:40])


def _fuzz(operation: Any, mode: Any, refs: Any, auth: Any, requests: Any, failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # Every failure is collected below, none raised: nothing to shrink.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, data: Any) -> None:
        _seed(case, mode, refs, data)
        requests[mode.value] += 1
        headers = auth()
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures.extend(_describe(case, mode, f, response) for f in group.exceptions)
        except Failure as failure:
            failures.append(_describe(case, mode, failure, response))

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation can be made invalid (no parameter, no body): no negative case.
        assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label


def _describe(case: Any, mode: Any, failure: Failure, response: Any) -> str:
    text = _text(case, mode, failure, response)
    if os.environ.get("ZHAOSHANG_FUZZ_REPORT"):  # written as found, for a run that is stopped early
        with open(os.environ["ZHAOSHANG_FUZZ_REPORT"] + ".partial", "a") as report:
            report.write(text + "\n=====\n")
    return text


def _text(case: Any, mode: Any, failure: Failure, response: Any) -> str:
    return (
        f"{case.operation.label} [{mode.value}] {failure.title}\n{failure.message}\n"
        f"answer {response.status_code}: {response.text[:300]}\n"
        f"path={case.path_parameters} query={case.query} headers={ {k: v for k, v in (case.headers or {}).items()} } "
        f"body={str(case.body)[:400]}"
    )
