"""owner_q / scope_for_user: one owner field (the old keyword) or several, any of which counts."""
import pytest

from customers.models import Account, Activity
from teams.selectors import CHANGE, owner_q, scope_for_user
from tests.customers.factories import AccountFactory, ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(org):
    """Activities on accounts, where the one who logged it and the account owner may differ."""
    own_account = AccountFactory(owner=org["owner"], name="Own")
    west_account = AccountFactory(owner=org["outsider"], name="West")
    return {
        # logged by the owner on their own account
        "own": ActivityFactory(account=own_account, owner=org["owner"], summary="own"),
        # logged by a West rep on the owner's account (owner is only the account owner)
        "on_mine": ActivityFactory(account=own_account, owner=org["outsider"], summary="on_mine"),
        # logged by the owner on a West account (owner is only the author)
        "by_me": ActivityFactory(account=west_account, owner=org["owner"], summary="by_me"),
        # nothing to do with East
        "west": ActivityFactory(account=west_account, owner=org["outsider"], summary="west"),
    }


def _summaries(user, **kwargs):
    return set(scope_for_user(Activity.objects.all(), user=user, **kwargs).values_list("summary", flat=True))


BOTH = ("owner", "account__owner")


class TestSeveralOwnerFields:
    def test_a_rep_sees_records_where_any_field_is_them(self, org, logged):
        assert _summaries(org["owner"], owner_fields=BOTH) == {"own", "on_mine", "by_me"}
        assert _summaries(org["teammate"], owner_fields=BOTH) == set()

    def test_a_manager_sees_records_where_any_field_is_a_team_member(self, org, logged):
        assert _summaries(org["mgr"], owner_fields=BOTH) == {"own", "on_mine", "by_me"}
        assert _summaries(org["other_mgr"], owner_fields=BOTH) == {"on_mine", "by_me", "west"}

    def test_admins_see_all_and_inactive_users_nothing(self, org, logged):
        assert _summaries(org["admin"], owner_fields=BOTH) == set(logged)
        org["owner"].is_active = False
        assert _summaries(org["owner"], owner_fields=BOTH) == set()

    def test_read_all_roles_open_reading_but_not_changing(self, org, logged):
        assert _summaries(org["marketing"], owner_fields=BOTH, read_all_roles=("marketing",)) == set(logged)
        assert _summaries(org["marketing"], owner_fields=BOTH, read_all_roles=("marketing",), action=CHANGE) == set()

    def test_one_field_in_owner_fields_equals_the_single_keyword(self, org, logged):
        assert _summaries(org["owner"], owner_fields=("owner",)) == _summaries(org["owner"], owner_field="owner") \
            == {"own", "by_me"}

    def test_owner_q_combines_with_other_filters(self, org, logged):
        q = owner_q(user=org["owner"], owner_fields=BOTH)
        assert set(Activity.objects.filter(q, account__name="West").values_list("summary", flat=True)) == {"by_me"}

    @pytest.mark.parametrize("kwargs", [{"owner_field": "owner", "owner_fields": BOTH}, {"owner_fields": "owner"},
                                        {"owner_fields": ()}])
    def test_ambiguous_arguments_are_refused(self, org, kwargs):
        with pytest.raises(TypeError):
            owner_q(user=org["owner"], **kwargs)


class TestSingleOwnerFieldStillWorks:
    def test_the_default_field_is_owner(self, org):
        mine, theirs = AccountFactory(owner=org["owner"]), AccountFactory(owner=org["outsider"])
        assert list(scope_for_user(Account.objects.all(), user=org["owner"])) == [mine]
        assert set(scope_for_user(Account.objects.all(), user=org["other_mgr"])) == {theirs}

    def test_the_old_owner_field_keyword(self, org, logged):
        assert _summaries(org["owner"], owner_field="account__owner") == {"own", "on_mine"}
        assert _summaries(org["mgr"], owner_field="account__owner", action=CHANGE) == {"own", "on_mine"}


def test_the_api_and_html_mixins_accept_several_owner_fields(org, logged):
    from types import SimpleNamespace

    from teams.api.permissions import ScopedQuerysetMixin as ApiMixin
    from teams.mixins import ScopedChangeMixin

    class ApiView(ApiMixin):
        queryset = Activity.objects.all()
        scope_owner_fields = BOTH

    class PageView(ScopedChangeMixin):
        model = Activity
        scope_owner_fields = BOTH

    for view, method in ((ApiView(), "PATCH"), (PageView(), "POST")):
        view.request = SimpleNamespace(method=method, user=org["owner"])
        assert set(view.get_queryset().values_list("summary", flat=True)) == {"own", "on_mine", "by_me"}
    single = ApiView()
    single.scope_owner_fields, single.request = (), SimpleNamespace(method="GET", user=org["owner"])
    assert set(single.get_queryset().values_list("summary", flat=True)) == {"own", "by_me"}
