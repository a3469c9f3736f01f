"""The integration pages are reachable from the menu, for those the predicates allow."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, integrations, web_forms", [
    ("admin", True, True), ("marketing", False, True), ("owner", False, False), ("mgr", False, False),
])
def test_the_menu_links_integrations_and_web_forms_by_predicate(client, org, who, integrations, web_forms):
    client.force_login(org[who])
    html = client.get("/leads/").content.decode()
    assert ('data-nav="integrations"' in html) is integrations
    assert ('data-nav="web-forms"' in html) is web_forms
    if integrations:
        assert client.get("/org/integrations/").status_code == 200
    if web_forms:
        assert client.get("/leads/forms/").status_code == 200
