import pytest

from customers.duplicates import normalize_domain, normalize_name
from customers.selectors import account_duplicates_for

from .factories import AccountFactory


@pytest.mark.parametrize("raw, expected", [
    ("example.com", "example.com"), (" HTTPS://www.Example.com/about?x=1 ", "example.com"),
    ("http://shop.example.co.uk:8080/", "shop.example.co.uk"), ("sales@example.com", "example.com"),
    ("example.com.", "example.com"), ("", ""), ("   ", ""),
])
def test_domains_are_written_one_way(raw, expected):
    assert normalize_domain(raw) == expected


def test_names_compare_without_case_or_extra_spaces():
    assert normalize_name("  ACME   Corp ") == normalize_name("acme corp")


@pytest.mark.django_db
class TestAccountDuplicates:
    def test_it_finds_same_name_ignoring_case_and_same_domain(self, org):
        by_name = AccountFactory(owner=org["owner"], name="Acme Corp")
        by_domain = AccountFactory(owner=org["owner"], name="Other", domain="acme.com")
        AccountFactory(owner=org["owner"], name="Acme Corporation", domain="acme.org")
        found = account_duplicates_for(user=org["owner"], name="acme corp", domain="https://www.acme.com/")
        assert {a.pk for a in found["visible"]} == {by_name.pk, by_domain.pk} and found["hidden"] == 0

    def test_it_counts_but_never_shows_duplicates_the_user_may_not_see(self, org):
        AccountFactory(owner=org["outsider"], name="Acme")
        found = account_duplicates_for(user=org["owner"], name="ACME")
        assert found == {"visible": [], "hidden": 1}

    def test_it_leaves_out_the_account_being_edited(self, org):
        account = AccountFactory(owner=org["owner"], name="Acme")
        assert account_duplicates_for(user=org["owner"], name="Acme", exclude_pk=account.pk)["visible"] == []

    def test_blank_name_and_domain_match_nothing(self, org):
        AccountFactory(owner=org["owner"], name="Acme", domain="")
        assert account_duplicates_for(user=org["owner"], name=" ", domain="") == {"visible": [], "hidden": 0}
