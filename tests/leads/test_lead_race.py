"""Concurrency of lead writes: assign racing a PATCH on one lead loses neither (issue 7)."""
import functools
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.models import Assignment, Lead
from tests.leads.factories import LeadFactory

ROUNDS = 40


def _client(user):
    from rest_framework.authtoken.models import Token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _run(barrier, codes, name, call):
    """One racing request in its own thread (and its own database connection, closed after)."""
    from django.db import connection as thread_connection
    try:
        barrier.wait()
        codes[name] = call().status_code
    finally:
        thread_connection.close()


@pytest.mark.django_db(transaction=True)
def test_assign_racing_a_patch_loses_no_update(org):
    if connection.vendor != "postgresql":
        pytest.skip("Real row locks need PostgreSQL (SQLite serialises whole-database writes); "
                    "the stale-version 409 is tested on every database in test_lead_write_entries.")
    mgr, admin = org["mgr"], org["admin"]
    assigner, patcher = _client(mgr), _client(admin)
    lost, statuses, versions = [], [], []
    for round_ in range(ROUNDS):
        lead = LeadFactory(owner=org["owner"], phone="before")
        barrier = threading.Barrier(2)
        codes = {}
        assign = functools.partial(assigner.post, f"/api/v1/leads/{lead.pk}/assign/",
                                   {"rep": org["teammate"].pk}, format="json")
        patch = functools.partial(patcher.patch, f"/api/v1/leads/{lead.pk}/", {"phone": f"after-{round_}"},
                                  format="json")
        threads = [threading.Thread(target=_run, args=(barrier, codes, "assign", assign)),
                   threading.Thread(target=_run, args=(barrier, codes, "patch", patch))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses.append(codes)
        lead = Lead.objects.get(pk=lead.pk)
        if (lead.owner_id, lead.phone) != (org["teammate"].pk, f"after-{round_}"):
            lost.append(round_)
        # both writes counted, one audit row
        versions.append((lead.version, Assignment.objects.filter(lead=lead).count()))
    assert lost == [], f"{len(lost)} of {ROUNDS} rounds lost an update"
    assert all(codes == {"assign": 200, "patch": 200} for codes in statuses), statuses
    assert set(versions) == {(3, 1)}
