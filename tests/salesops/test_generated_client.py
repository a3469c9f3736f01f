"""Issue 15: a Python client generated from the schema by openapi-python-client works.

The schema comes from `manage.py spectacular` and is not touched; the client is generated into a
temporary directory; every operation module must import; then a smoke script talks to a live test
server through the client only: a token, a lead, an event batch, a deal moved (unmet criteria,
then a version conflict, then ticked and moved), and a sync paged to its end with the cursor.
"""
import importlib
import pkgutil
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command

from tests.pipeline.factories import log_meeting
from tests.teams.factories import UserFactory

pytestmark = [pytest.mark.generated_client, pytest.mark.timeout(300)]
PASSWORD = "pw-for-tests-1"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    """Generate the schema and the client once; returns the imported package."""
    base = tmp_path_factory.mktemp("generated_client")
    schema = base / "schema.yaml"
    call_command("spectacular", "--file", str(schema), "--validate", "--fail-on-warn")
    config = base / "config.yaml"
    config.write_text("post_hooks: []\n")
    name = f"salesops_client_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema), "--meta", "none",
         "--output-path", str(base / name), "--config", str(config)],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # nothing skipped: every operation generated
    sys.path.insert(0, str(base))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(base))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_every_generated_operation_imports(client_package):
    api = importlib.import_module(f"{client_package.__name__}.api")
    modules = [m.name for m in pkgutil.walk_packages(api.__path__, f"{api.__name__}.") if not m.ispkg]
    failed = {}
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 (every failure is reported)
            failed[module] = repr(exc)
    assert len(modules) > 200 and not failed, failed


def _module(package, path):
    return importlib.import_module(f"{package.__name__}.{path}")


def test_a_smoke_script_through_the_generated_client(client_package, live_server, org):
    pkg = client_package
    models = _module(pkg, "models")
    client_module = _module(pkg, "client")
    user = UserFactory(username="integration", team=org["east"])  # password: PASSWORD

    # log in: a token for the integration's user
    anonymous = client_module.Client(base_url=live_server.url)
    token = _module(pkg, "api.auth.v1_auth_token_create").sync_detailed(
        client=anonymous, body=models.AuthTokenRequest.from_dict({"username": user.username, "password": PASSWORD}))
    assert token.status_code == 200, token.content
    assert token.headers["X-Request-ID"]
    client = client_module.AuthenticatedClient(base_url=live_server.url, token=token.parsed.token, prefix="Token")

    # create a lead; creating it again is a 409 naming the first one
    leads_create = _module(pkg, "api.leads.v1_leads_create")
    body = models.LeadRequest.from_dict({"name": "Ada Lovelace", "email": "ada@example.com", "company": "AE",
                                         "external_ref": "hs-1", "source_system": "hubspot"})
    created = leads_create.sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    lead = created.parsed
    again = leads_create.sync_detailed(client=client, body=body)
    assert again.status_code == 409 and again.parsed.additional_properties["existing_id"] == lead.id

    # an event batch (a JSON list body), then the same batch again: nothing new
    events = [models.LeadEventInputRequest.from_dict({"lead": lead.id, "type": "site_visit",
                                                      "occurred_at": f"2026-03-0{n}T10:00:00Z",
                                                      "external_id": f"evt-{n}"}) for n in (1, 2)]
    send = _module(pkg, "api.lead_events.v1_lead_events_create")
    first = send.sync_detailed(client=client, body=events)
    assert first.status_code == 201, first.content
    assert send.sync_detailed(client=client, body=events).status_code == 201
    naive = send.sync_detailed(client=client, body=models.LeadEventInputRequest.from_dict(
        {"lead": lead.id, "type": "site_visit", "occurred_at": "2026-03-01T10:00:00"}))
    assert naive.status_code == 400 and b"naive_datetime" in naive.content

    # upsert: the same record twice is created, then unchanged
    upsert = _module(pkg, "api.leads.v1_leads_upsert_create")
    items = [models.LeadUpsertItemRequest.from_dict({"source_system": "hubspot", "external_ref": "hs-2",
                                                     "name": "Grace Hopper"})]
    assert upsert.sync(client=client, body=items).results[0].status == "created"
    assert upsert.sync(client=client, body=items).results[0].status == "unchanged"

    # a deal: move it, meet unmet criteria (400 with codes), a stale version (409), tick, move on
    account = _module(pkg, "api.accounts.v1_accounts_create").sync(
        client=client, body=models.AccountRequest.from_dict({"name": "Analytical Engines"}))
    deal = _module(pkg, "api.opportunities.v1_opportunities_create").sync(
        client=client, body=models.OpportunityRequest.from_dict({
            "name": "AE rollout", "account": account.id, "amount": "12000", "confirmed_needs": "A CRM"}))
    transition = _module(pkg, "api.opportunities.v1_opportunities_transition_create")

    def move(stage, version=None):
        data = {"stage": stage, **({"version": version} if version else {})}
        return transition.sync_detailed(deal.id, client=client, body=models.TransitionRequest.from_dict(data))

    assert move("needs_confirmed").status_code == 200
    moved = move("solution_demo")
    assert moved.status_code == 200, moved.content
    log_meeting(deal_model(deal.id))
    refused = move("negotiation")
    assert refused.status_code == 400 and isinstance(refused.parsed, models.TransitionRefused)
    assert [u.code for u in refused.parsed.unmet] == ["checklist_item:solution_accepted"]
    stale = move("negotiation", version=1)
    assert stale.status_code == 409 and isinstance(stale.parsed, models.TransitionConflict)
    ticked = _module(pkg, "api.opportunities.v1_opportunities_checklist_create").sync_detailed(
        deal.id, client=client, body=models.ChecklistTickInputRequest.from_dict({"item": "solution_accepted"}))
    assert ticked.status_code == 200, ticked.content
    done = move("negotiation", version=stale.parsed.version)
    assert done.status_code == 200 and done.parsed.stage_code == "negotiation"

    # sync: page through the leads with the cursor, two at a time, while a lead arrives
    sync = _module(pkg, "api.leads.v1_leads_sync_list")
    seen, cursor, pages = [], "", 0
    while True:
        page = sync.sync(client=client, cursor=cursor, page_size=1)
        seen += [row.id for row in page.results]
        cursor, pages = page.next_cursor, pages + 1
        if pages == 1:
            leads_create.sync(client=client, body=models.LeadRequest.from_dict({"name": "Late arrival"}))
        if not page.has_more:
            break
    assert len(seen) == len(set(seen)) == 3 and pages >= 3


def deal_model(pk):
    from pipeline.models import Opportunity

    return Opportunity.objects.get(pk=pk)
