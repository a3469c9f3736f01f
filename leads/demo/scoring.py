"""Demo behaviour events, scored with the published rule set (idempotent by external id)."""
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from ..models import EventType, Lead, LeadEvent, ScoreChange
from ..services.scoring import leads_rescore_range

# source -> how likely a lead from it did each thing (so lead quality differs by source)
BEHAVIOUR = {
    "webinar": {"webinar_attended": 0.9, "whitepaper_download": 0.4, "pricing_page_visit": 0.3},
    "website": {"site_visit": 0.9, "pricing_page_visit": 0.35, "whitepaper_download": 0.3},
    "paid_search": {"site_visit": 0.8, "pricing_page_visit": 0.25},
    "referral": {"demo_request": 0.3, "pricing_page_visit": 0.5, "webinar_attended": 0.3},
    "trade_show": {"whitepaper_download": 0.5, "webinar_attended": 0.2},
}
DEFAULT_BEHAVIOUR = {"site_visit": 0.5, "email_click": 0.3, "whitepaper_download": 0.15}


@transaction.atomic
def seed_events() -> int:
    rng = random.Random(42)
    types = {t.code: t for t in EventType.objects.all()}
    existing = set(LeadEvent.objects.filter(external_id__startswith="demo-").values_list("external_id", flat=True))
    now = timezone.now()
    new = []
    for lead in Lead.objects.filter(email__startswith="demo.lead").only("id", "source").order_by("id"):
        for code, chance in BEHAVIOUR.get(lead.source, DEFAULT_BEHAVIOUR).items():
            external_id = f"demo-{lead.pk}-{code}"
            # drawn for every pair, so a re-run makes the same choices
            roll, age = rng.random(), timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
            if external_id not in existing and roll < chance:
                new.append(LeadEvent(lead=lead, event_type=types[code], external_id=external_id, occurred_at=now - age))
    LeadEvent.objects.bulk_create(new, batch_size=1000)
    bounds = Lead.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is not None:
        leads_rescore_range(lo=bounds["lo"], hi=bounds["hi"], reason=ScoreChange.Reason.IMPORT)
    _seed_outcomes()
    return len(new)


CONVERSION = {"MQL": (0.45, 0.5), "SQL": (0.2, 0.4), "Lead": (0.05, 0.3)}  # grade -> (to opportunity, then won)


def _seed_outcomes() -> None:
    """Historical outcomes for the demo leads, better for better grades (what a backtest should show)."""
    converted, won = [], []
    for lead in Lead.objects.filter(email__startswith="demo.lead", converted_at__isnull=True).order_by("id"):
        to_opportunity, to_won = CONVERSION.get(lead.grade, (0.05, 0.3))
        lead_rng = random.Random(lead.pk)  # the same decision on every run: idempotent
        if lead_rng.random() < to_opportunity:
            converted.append(lead.pk)
            if lead_rng.random() < to_won:
                won.append(lead.pk)
    now = timezone.now()
    Lead.objects.filter(pk__in=converted).update(converted_at=now - timedelta(days=20), status=Lead.Status.CONVERTED)
    Lead.objects.filter(pk__in=won).update(won_at=now - timedelta(days=5))
