"""Health models in the admin: model, components and bands saved together through the service."""
import pytest
from django.urls import reverse

from customers.models import HealthModel

pytestmark = pytest.mark.django_db


def management(prefix, total=0, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def model_form(*, bands):
    data = {"name": "Enterprise", "segment": "default", "onboarding_days": "90", "is_active": "on", "priority": "5",
            **management("components", 1), **management("bands", len(bands)),
            "components-0-code": "nps", "components-0-weight": "2", "components-0-parameters": '{"window_days": 90}'}
    for i, (code, lo, hi) in enumerate(bands):
        data.update({f"bands-{i}-code": code, f"bands-{i}-min": str(lo), f"bands-{i}-max": str(hi)})
    return data


@pytest.fixture
def admin_client(client, org):
    client.force_login(org["admin"])
    return client


def test_a_model_is_added_with_its_components_and_bands(admin_client):
    response = admin_client.post(reverse("admin:customers_healthmodel_add"),
                                 model_form(bands=[("healthy", 60, 100), ("critical", 0, 59)]))
    assert response.status_code == 302
    model = HealthModel.objects.get(name="Enterprise")
    assert list(model.components.values_list("code", "weight", "parameters")) == [("nps", 2, {"window_days": 90})]
    assert model.bands.count() == 2


def test_bands_with_a_gap_are_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post(reverse("admin:customers_healthmodel_add"),
                                 model_form(bands=[("healthy", 60, 100), ("critical", 0, 50)]), follow=True)
    assert response.status_code == 200
    assert "Bands must cover 0–100 without gaps or overlaps." in response.content.decode()
    assert not HealthModel.objects.filter(name="Enterprise").exists()


def test_a_rep_with_staff_access_cannot_change_models(client, org):
    org["owner"].is_staff = True
    org["owner"].save()
    client.force_login(org["owner"])
    assert client.post(reverse("admin:customers_healthmodel_add"), model_form(bands=[])).status_code == 403
