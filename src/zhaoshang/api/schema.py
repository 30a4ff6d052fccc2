"""The API's OpenAPI description, true to what the views answer (checked by the schema fuzz, tests/api/).

drf-spectacular describes the success of each operation from its serializer; this schema class adds what the
viewsets also do, so that a client (and schemathesis) can rely on the document:

- the errors every operation can answer: 400 (the body or a filter is invalid, with the reasons per field),
  401 (no or an expired token), 403 (the role lacks the action's right), 404 (no such record in the user's
  districts), 409 (a delete refused because other records still refer to this one), 412 (a stale ``If-Match``);
- optimistic locking: ``GET`` of a record sends ``ETag: "<version>"``; ``PUT``/``PATCH``/``DELETE`` take it back in
  ``If-Match`` and answer 412 when the record changed since;
- money, areas and counts that may not be negative: their decimal-string pattern has no minus sign;
- bodies are JSON (`application/json`, the only parser of the records' views, settings.REST_FRAMEWORK): another
  or no media type is a 415, as null, the value of an empty reference or amount, has no form encoding;
- a slug (a chain's or group's `code`) has its pattern, as DRF checks it after trimming the text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from zhaoshang.core.api import StoredFileField
from zhaoshang.core.validators import NonNegative, validate_project_code


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal other than a validation error: one sentence in `detail`."""

    detail = serializers.CharField(help_text=_("原因"))


VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": str(
        _("按字段列出的原因(每个字段一组文字);non_field_errors 为整条记录的原因;detail 为无法读取的请求。")
    ),
    "additionalProperties": {},
}

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    response=["200", "201"],
    pattern=r'^"[0-9]+"$',
    description=_('记录的版本,如 "7";修改或删除时放入 If-Match,防止覆盖他人的修改。'),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_('读取时得到的 ETag(如 "7");记录已被他人修改时回答 412。不带此头则不做检查(与以前相同)。'),
)

ERRORS: dict[str, Any] = {
    "400": _("请求无效:字段、筛选条件或记录规则不满足"),
    "401": _("未登录、令牌无效或已过期"),
    "403": _("角色没有此操作的权限"),
    "404": _("记录不存在,或不在本人可见的区县内"),
    "409": _("仍被其他记录引用,无法删除"),
    "412": _("记录已被他人修改(If-Match 与当前版本不符)"),
    "415": _("请求体的媒体类型不受支持(请使用 application/json)"),
    "429": _("登录失败次数过多,已暂时锁定"),
}


class ApiSchema(AutoSchema):
    """AutoSchema with the errors, the ETag/If-Match headers and non-negative decimals (see the module)."""

    def _versioned(self) -> bool:
        config = getattr(self.view, "config", None)
        model = getattr(config, "model", None)
        return model is not None and any(f.name == "edit_version" for f in model._meta.concrete_fields)

    def _is_detail(self) -> bool:
        return "{" in self.path

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._versioned():
            if self.method in ("PUT", "PATCH", "DELETE"):
                parameters.append(IF_MATCH)
            if (self.method == "GET" and self._is_detail()) or self.method in ("PUT", "PATCH", "POST"):
                parameters.append(ETAG)
        return parameters

    def _error_codes(self) -> list[str]:
        """The refusals this operation can answer, as the view and its services raise them."""
        declared = getattr(self.view, "schema_error_codes", None)
        if declared is not None:
            return list(declared.get(self.method, declared.get("*", [])))
        codes = self._own_error_codes()
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            # DRF reads a body in the media types of its parsers: any other, or none at all, is a 415.
            codes.append("415")
        return codes

    def _own_error_codes(self) -> list[str]:
        # 400: a body or a filter to refuse (a record's GET has neither); 403: a write the role may not make
        # (reads outside one's scope are 404, as if the record did not exist).
        codes = ["401"]
        if self.method != "GET" or not self._is_detail():
            codes.insert(0, "400")
        if self.method != "GET":
            codes.append("403")
        if self._is_detail() or self.method == "POST":
            # A new record is checked like any other: one that would lie outside the user's districts (a new
            # district, for one) is a 404, as if its district did not exist for the user (core.scope).
            codes.append("404")
        if self._versioned() and self.method in ("PUT", "PATCH", "DELETE"):
            codes.append("412")
        if self.method == "DELETE":
            codes.append("409")
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            if code == "400":
                body: Any = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description=str(ERRORS[code]))
            else:
                body = OpenApiResponse(ErrorSerializer, description=str(ERRORS[code]))
            responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses

    def get_request_serializer(self) -> Any:
        serializer = super().get_request_serializer()
        names = getattr(serializer, "read_only_on_update", ())
        if self.method in ("PUT", "PATCH") and names and isinstance(serializer, serializers.Serializer):
            # The fields a change may not touch are read-only in the change's request: a body of their own.
            return _update_serializer(type(serializer))(context={**serializer.context, "updating": True})
        return serializer

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and any(v is validate_project_code for v in field.validators):
            # 项目代码 (standards.codes.validate_project_code): empty, or year-area-industry-kind-serial with the
            # hyphens offices type; DRF trims the text first.
            schema["pattern"] = f"^{_STRIPPED}*(?:{_PROJECT_CODE})?{_STRIPPED}*$"
        elif (
            direction == "request"
            and isinstance(field, serializers.SlugField)
            and schema.get("type") == "string"
        ):
            # DRF trims the text (str.strip) before its slug check: what it then accepts, with any such spaces.
            schema["pattern"] = f"^{_STRIPPED}*[-a-zA-Z0-9_]+{_STRIPPED}*$"
        elif (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            # DRF refuses a NUL character in any text (PostgreSQL cannot store one) and, where a text is
            # required, one of spaces only (it trims them).
            if field.allow_blank:
                schema["pattern"] = "^[^\\u0000]*$"
            else:
                schema["pattern"] = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
        if isinstance(field, StoredFileField) and direction == "response":
            # An empty file field reads as null (StoredFileField.to_representation), not as an empty address.
            schema["nullable"] = True
        # Amounts, areas and counts that may not be negative (the models' `non_negative`, or a min_value of 0):
        # a decimal string gets no minus sign in its pattern, a number a minimum of 0.
        minimum = getattr(field, "min_value", None)
        unsigned = any(isinstance(v, NonNegative) for v in field.validators) or (
            minimum is not None and minimum >= 0
        )
        if isinstance(field, serializers.DecimalField) and isinstance(schema.get("pattern"), str):
            schema["pattern"] = _decimal_pattern(
                field, signed=not unsigned, positive=minimum is not None and minimum > 0
            )
        elif unsigned and schema.get("type") in ("integer", "number"):
            if schema.get("minimum") is None or schema["minimum"] < 0:
                schema["minimum"] = 0
                schema.pop("exclusiveMinimum", None)
        return schema


_UPDATE_SERIALIZERS: dict[type, type] = {}

#: The characters Python's str.strip() removes (str.isspace), which ECMA's \s does not exactly match.
_PROJECT_CODE = "(?:20[0-9][0-9]|2100)[-—－][0-9]{6}[-—－][0-9]{2}[-—－]0[1-3][-—－][0-9]{6}"
_STRIPPED = "[\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"


def _update_serializer(cls: type) -> type:
    if cls not in _UPDATE_SERIALIZERS:
        name = cls.__name__.removesuffix("Serializer") + "UpdateSerializer"
        _UPDATE_SERIALIZERS[cls] = type(name, (cls,), {"__module__": cls.__module__})
    return _UPDATE_SERIALIZERS[cls]


def _decimal_pattern(field: serializers.DecimalField, *, signed: bool, positive: bool = False) -> str:
    """The decimal strings DRF reads: digits with at most `max_whole_digits` before the point and
    `decimal_places` after it ("12.5", "12.", ".5"; not "" or "."), and a sign unless the value may not be
    negative; DRF trims the text first. A value above 0 (a minimum of one unit of the last place) has a digit
    other than 0, within those bounds. A nullable field also reads an empty (or blank) text as null."""
    whole = field.max_whole_digits or 0
    places = field.decimal_places or 0
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else r"\.?"
    forms = []
    if positive:
        if whole:  # a whole part other than 0: a first digit 1-9 after at most k zeros, W digits in all
            nonzero = "|".join(rf"0{{0,{k}}}[1-9]\d{{0,{whole - 1 - k}}}" for k in range(whole))
            forms.append(f"(?:{nonzero}){fraction}")
        if places:  # or a whole part of zeros and a fraction other than 0
            nonzero = "|".join(rf"0{{{k}}}[1-9]\d{{0,{places - 1 - k}}}" for k in range(places))
            forms.append(rf"0{{0,{whole}}}\.(?:{nonzero})")
        number = "(?:" + "|".join(forms or ["[1-9]"]) + ")"
    else:
        if whole:
            forms.append(rf"\d{{1,{whole}}}" + fraction)
        if places:
            forms.append(rf"\.\d{{1,{places}}}")
        number = ("-?" if signed else "") + "(?:" + "|".join(forms or ["0"]) + ")"
    pattern = f"{_STRIPPED}*{number}{_STRIPPED}*"
    if field.allow_null:
        pattern = f"(?:{pattern}|{_STRIPPED}*)"
    return f"^{pattern}$"
