"""salesops.db_router: marked reads go to the replica when one is configured; writes never do."""
import pytest
from django.conf import settings
from django.test import override_settings

from leads.models import Lead
from salesops.db_router import PRIMARY, REPLICA, ReplicaRouter, reads_from_replica, replica_reads

WITH_REPLICA = {"DATABASES": {**settings.DATABASES, REPLICA: {**settings.DATABASES["default"]}},
                "READ_REPLICA_ROUTING": True}
router = ReplicaRouter()
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # settings only, no connection


@override_settings(**WITH_REPLICA)
def test_reads_inside_replica_reads_go_to_the_replica_and_writes_to_the_primary():
    assert router.db_for_read(Lead) == PRIMARY
    with replica_reads():
        assert router.db_for_read(Lead) == REPLICA
        assert router.db_for_write(Lead) == PRIMARY
    assert router.db_for_read(Lead) == PRIMARY


@override_settings(**WITH_REPLICA)
def test_a_marked_view_reads_from_the_replica_only_while_it_runs():
    seen = []
    view = reads_from_replica(lambda request: seen.append(router.db_for_read(Lead)) or "page")
    assert view(None) == "page" and seen == [REPLICA]
    assert router.db_for_read(Lead) == PRIMARY


def test_without_a_replica_alias_everything_reads_the_primary():
    with override_settings(DATABASES={"default": settings.DATABASES["default"]}, READ_REPLICA_ROUTING=True):
        with replica_reads():
            assert router.db_for_read(Lead) == PRIMARY


def test_routing_is_off_in_tests_and_the_replica_is_never_migrated():
    assert settings.READ_REPLICA_ROUTING is False
    with replica_reads():
        assert router.db_for_read(Lead) == PRIMARY
    assert router.allow_migrate(REPLICA, "leads") is False and router.allow_migrate(PRIMARY, "leads") is None


@pytest.mark.django_db
def test_a_replica_alias_mirrors_the_test_database(api, org):
    """With DATABASE_REPLICA_URL set, settings give the alias TEST MIRROR: no second test database."""
    from salesops import settings as project

    if REPLICA in project.DATABASES:
        assert project.DATABASES[REPLICA]["TEST"]["MIRROR"] == "default"
    assert api.as_user(org["owner"]).get("/api/v1/metrics/lead_volume/").json()["count"] == 0
