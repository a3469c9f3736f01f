"""salesops.ingest: the shared bulk-ingest core (no database needed)."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from salesops.ingest import (
    BatchError, ItemErrors, batch_error_body, first_occurrences, parse_decimal, parse_external_id, parse_id,
    parse_int_between, request_items, validate_batch,
)


def resolve(raw):
    errors = ItemErrors()
    if not isinstance(raw, int):
        errors.fail("value", "not a number")
    return raw, errors


class TestValidateBatch:
    def test_errors_are_collected_by_index(self):
        with pytest.raises(BatchError) as info:
            validate_batch([1, "a", 2, None], resolve=resolve)
        assert info.value.item_errors == {1: {"value": ["not a number"]}, 3: {"value": ["not a number"]}}
        assert info.value.total == 4

    def test_a_valid_batch_is_returned_in_order(self):
        assert validate_batch([3, 1], resolve=resolve) == [3, 1]

    @pytest.mark.parametrize("items", [[], None, {"a": 1}, "text"])
    def test_an_empty_or_non_list_batch_is_refused(self, items):
        with pytest.raises(ValidationError):
            validate_batch(items, resolve=resolve)

    def test_the_size_is_bounded(self):
        with pytest.raises(ValidationError) as info:
            validate_batch([1, 2, 3], resolve=resolve, max_batch=2)
        assert "2" in info.value.messages[0]


def test_first_occurrences():
    assert first_occurrences(["a", "b", "a", None, None, "c"], stored={"c"}) == [True, True, False, True, True, False]


def test_parsers():
    assert parse_id("12") == 12 and parse_id(True) is None and parse_id(0) is None and parse_id(2**63) is None
    assert parse_external_id(" x ") == "x" and parse_external_id("") is None and parse_external_id(7) == "7"
    with pytest.raises(ValidationError):
        parse_external_id("x" * 11, max_length=10)
    assert parse_decimal("1.50", max_digits=14, decimal_places=2) == Decimal("1.50")
    assert parse_decimal(2, max_digits=14, decimal_places=2) == Decimal("2.00")
    for bad in ("1.234", "-1", "NaN", "Infinity", True, None, "1e20", [1]):
        with pytest.raises(ValidationError):
            parse_decimal(bad, max_digits=14, decimal_places=2)
    assert parse_int_between(5, minimum=1, maximum=5) == 5
    for bad in (0, 6, 2.5, True, "x"):
        with pytest.raises(ValidationError):
            parse_int_between(bad, minimum=1, maximum=5)


def test_the_api_helpers():
    assert request_items([1, 2]) == ([1, 2], True)
    assert request_items({"a": 1}) == ([{"a": 1}], False)
    exc = BatchError({0: {"a": ["bad"]}}, total=1)
    codes = {"code": "invalid", "codes": {"a": ["invalid"]}}
    assert batch_error_body(exc, many=False, detail="x") == {"a": ["bad"], **codes}
    assert batch_error_body(exc, many=True, detail="x") == {"detail": "x", "code": "invalid_items",
                                                            "items": {"0": {"a": ["bad"], **codes}}}
