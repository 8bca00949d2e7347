"""`docker_engine._types`: timestamps, JSON query parameters, request bodies, UNSET."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from typing import Any

import pytest
from docker_engine._types import (
    UNSET,
    Timestamp,
    Unset,
    encode_json_param,
    format_timestamp,
    parse_timestamp,
    to_jsonable,
)
from hypothesis import given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=300, deadline=None, database=None)

# -- parse_timestamp / format_timestamp ------------------------------------------------------------------------------


def test_nanosecond_timestamp() -> None:
    ts = parse_timestamp("2015-01-06T15:47:31.485331387Z")
    assert isinstance(ts, Timestamp)
    assert isinstance(ts, dt.datetime)
    assert (ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second) == (2015, 1, 6, 15, 47, 31)
    assert ts.microsecond == 485331
    assert ts.nanosecond == 387  # the nanoseconds within the microsecond
    assert ts.utcoffset() == dt.timedelta(0)
    assert ts.text == "2015-01-06T15:47:31.485331387Z"
    assert ts == dt.datetime(2015, 1, 6, 15, 47, 31, 485331, tzinfo=dt.UTC)


def test_zero_time() -> None:
    ts = parse_timestamp("0001-01-01T00:00:00Z")
    assert ts == dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    assert ts.microsecond == 0
    assert ts.nanosecond == 0
    assert format_timestamp(ts) == "0001-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2024-05-01T10:00:00+02:00", dt.timedelta(hours=2)),
        ("2024-05-01T10:00:00-05:30", -dt.timedelta(hours=5, minutes=30)),
        ("2024-05-01T10:00:00+00:00", dt.timedelta(0)),
        ("2024-05-01T10:00:00.123-07:00", -dt.timedelta(hours=7)),
    ],
)
def test_offsets(text: str, offset: dt.timedelta) -> None:
    ts = parse_timestamp(text)
    assert ts.utcoffset() == offset
    assert ts.hour == 10
    assert ts.astimezone(dt.UTC).replace(microsecond=0) == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC) - offset
    assert format_timestamp(ts) == text


def test_no_fraction() -> None:
    ts = parse_timestamp("2024-05-01T10:00:00Z")
    assert ts == dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC)
    assert (ts.microsecond, ts.nanosecond) == (0, 0)


@pytest.mark.parametrize(
    ("text", "micro", "nano"),
    [
        ("2024-05-01T10:00:00.5Z", 500000, 0),
        ("2024-05-01T10:00:00.000001Z", 1, 0),
        ("2024-05-01T10:00:00.0000001Z", 0, 100),
        ("2024-05-01T10:00:00.999999999Z", 999999, 999),
        ("2024-05-01T10:00:00.123456789123Z", 123456, 789),  # beyond nanoseconds: truncated
    ],
)
def test_fraction_lengths(text: str, micro: int, nano: int) -> None:
    ts = parse_timestamp(text)
    assert (ts.microsecond, ts.nanosecond) == (micro, nano)
    assert format_timestamp(ts) == text


def test_lowercase_z() -> None:
    ts = parse_timestamp("2024-05-01T10:00:00z")
    assert ts.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "2015-01-06T15:47:31.485331387Z",
        "0001-01-01T00:00:00Z",
        "2024-05-01T10:00:00+02:00",
        "2024-05-01T10:00:00-05:30",
        "2024-05-01T10:00:00Z",
        "2024-05-01T10:00:00.100000000Z",
        "9999-12-31T23:59:59.999999999Z",
    ],
)
def test_format_gives_back_the_original_text(text: str) -> None:
    assert format_timestamp(parse_timestamp(text)) == text


def test_non_rfc3339_iso_text_is_parsed_too() -> None:
    ts = parse_timestamp("2024-05-01 10:00:00+02:00")
    assert ts == dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
    assert isinstance(ts, Timestamp)
    assert format_timestamp(ts) == "2024-05-01 10:00:00+02:00"


def test_format_plain_utc_datetime_ends_with_z() -> None:
    assert format_timestamp(dt.datetime(2024, 5, 1, 10, 0, 0, tzinfo=dt.UTC)) == "2024-05-01T10:00:00Z"
    assert format_timestamp(dt.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)) == "2024-05-01T10:00:00.123456Z"
    zero = dt.timezone(dt.timedelta(0), "GMT")
    assert format_timestamp(dt.datetime(2024, 5, 1, tzinfo=zero)).endswith("Z")


def test_format_other_offsets_keep_the_offset() -> None:
    value = dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_timestamp(value) == "2024-05-01T10:00:00+02:00"


def test_arithmetic_result_is_formatted_from_its_value() -> None:
    # A derived value must not carry the original text along.
    ts = parse_timestamp("2015-01-06T15:47:31.485331387Z")
    later = ts + dt.timedelta(seconds=1)
    assert format_timestamp(later) == "2015-01-06T15:47:32.485331Z"
    assert format_timestamp(ts.replace(year=2016)) == "2016-01-06T15:47:31.485331Z"


def test_copy_and_pickle_keep_nanoseconds() -> None:
    ts = parse_timestamp("2015-01-06T15:47:31.485331387Z")
    assert format_timestamp(copy.deepcopy(ts)) == ts.text
    assert format_timestamp(pickle.loads(pickle.dumps(ts))) == ts.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a timestamp",
        "2024-13-01T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2024-05-01T25:00:00Z",
        "2024-05-01T10:00:00+24:00",
        "2024-05-01T10:00:00Zjunk",
        "yesterday",
        "1714557600",
    ],
)
def test_invalid_text_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


def test_invalid_text_message_names_the_text() -> None:
    with pytest.raises(ValueError, match="not a timestamp: 'yesterday'"):
        parse_timestamp("yesterday")


def test_public_exports() -> None:
    import docker_engine

    assert docker_engine.Timestamp is Timestamp
    assert docker_engine.UNSET is UNSET
    assert docker_engine.Unset is Unset


@FUZZ
@given(
    base=st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    fraction=st.one_of(st.just(""), st.from_regex(r"\A\d{1,9}\Z")),
    zone=st.one_of(st.sampled_from(["Z", "z"]), st.from_regex(r"\A[+-](0\d|1\d|2[0-3]):[0-5]\d\Z")),
)
def test_fuzz_rfc3339_round_trips_exactly(base: dt.datetime, fraction: str, zone: str) -> None:
    stamp = f"{base.year:04d}-{base.month:02d}-{base.day:02d}T{base.hour:02d}:{base.minute:02d}:{base.second:02d}"
    text = stamp + ("." + fraction if fraction else "") + zone
    ts = parse_timestamp(text)
    assert format_timestamp(ts) == text
    assert ts.replace(microsecond=0, tzinfo=None) == base.replace(microsecond=0)
    digits = fraction.ljust(9, "0")
    assert ts.microsecond == int(digits[:6])
    assert ts.nanosecond == int(digits[6:9])
    sign = -1 if zone[0] == "-" else 1
    minutes = 0 if zone in ("Z", "z") else int(zone[1:3]) * 60 + int(zone[4:6])
    assert ts.utcoffset() == sign * dt.timedelta(minutes=minutes)


@FUZZ
@given(st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-3, minutes=-30))])))
def test_fuzz_format_then_parse_gives_the_same_instant(value: dt.datetime) -> None:
    text = format_timestamp(value)
    assert parse_timestamp(text) == value
    if value.utcoffset() == dt.timedelta(0):
        assert text.endswith("Z")


@FUZZ
@given(st.text(max_size=40))
def test_fuzz_arbitrary_text_parses_or_raises_value_error(text: str) -> None:
    try:
        ts = parse_timestamp(text)
    except ValueError:
        return
    assert isinstance(ts, Timestamp)
    assert ts.text == text
    assert format_timestamp(ts) == text


# -- encode_json_param ------------------------------------------------------------------------------------------------


def test_encode_json_param_mapping_is_compact_json() -> None:
    assert (
        encode_json_param({"status": ["exited"], "label": ["a=b", "c"]}) == '{"status":["exited"],"label":["a=b","c"]}'
    )


def test_encode_json_param_older_map_form_and_sequences() -> None:
    assert encode_json_param({"dangling": {"true": True}}) == '{"dangling":{"true":true}}'
    assert encode_json_param(["a", 1, None]) == '["a",1,null]'
    assert encode_json_param({}) == "{}"


def test_encode_json_param_string_passes_through() -> None:
    ready = '{"status": ["running"]}'
    assert encode_json_param(ready) is ready
    assert encode_json_param("") == ""


@FUZZ
@given(st.dictionaries(st.text(max_size=10), st.lists(st.text(max_size=10), max_size=3), max_size=4))
def test_fuzz_encode_json_param_round_trips(value: dict[str, list[str]]) -> None:
    text = encode_json_param(value)
    assert json.loads(text) == value
    assert text == json.dumps(value, separators=(",", ":"))


# -- to_jsonable -------------------------------------------------------------------------------------------------------


class FakeModel:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


def test_to_jsonable_uses_to_dict() -> None:
    assert to_jsonable(FakeModel({"Image": "alpine"})) == {"Image": "alpine"}


def test_to_jsonable_nested_models() -> None:
    value = {"a": [FakeModel({"x": 1}), (FakeModel({"y": 2}), 3)], "b": {"c": FakeModel({"z": None})}, "d": "s"}
    assert to_jsonable(value) == {"a": [{"x": 1}, [{"y": 2}, 3]], "b": {"c": {"z": None}}, "d": "s"}
    json.dumps(to_jsonable(value))


def test_to_jsonable_generated_models() -> None:
    from docker_engine.v1_41.models import ContainerCreateRequest, RestartPolicy

    policy = RestartPolicy.from_dict({"Name": "on-failure", "MaximumRetryCount": 3})
    body = to_jsonable({"policies": [policy], "request": ContainerCreateRequest(image="alpine", cmd=["true"])})
    assert body["policies"] == [{"Name": "on-failure", "MaximumRetryCount": 3}]
    assert body["request"]["Image"] == "alpine"
    assert body["request"]["Cmd"] == ["true"]
    json.dumps(body)


def test_to_jsonable_plain_values_pass_through() -> None:
    marker = object()
    assert to_jsonable(marker) is marker
    assert to_jsonable("text") == "text"
    assert to_jsonable(None) is None
    assert to_jsonable(b"bytes") == b"bytes"


# -- UNSET ----------------------------------------------------------------------------------------------------------


def test_unset_is_falsy_and_reprs_as_unset() -> None:
    assert not UNSET
    assert bool(UNSET) is False
    assert repr(UNSET) == "UNSET"
    assert isinstance(UNSET, Unset)
    assert UNSET is not None


def test_unset_has_no_instance_dict() -> None:
    with pytest.raises(AttributeError):
        UNSET.anything = 1  # type: ignore[attr-defined]


def test_generated_types_module_reexports_the_runtime_ones() -> None:
    from docker_engine.v1_41 import types as v41
    from docker_engine.v1_56 import types as v56

    for module in (v41, v56):
        assert module.UNSET is UNSET
        assert module.Unset is Unset
        assert module.parse_timestamp is parse_timestamp
        assert module.format_timestamp is format_timestamp
