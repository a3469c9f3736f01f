"""A small history for suggestion tests: the origin "Partner referral" decides conversion (90 % vs
10 %), a demo request helps; the default rule set knows neither (it scores industry and size)."""
from datetime import timedelta

from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent


def make_history(owner, n=400, start=None):
    start = start or timezone.now() - timedelta(days=60)
    leads = []
    for i in range(1, n + 1):
        partner = i % 3 == 0
        demo = i % 4 == 0
        r = (i * 7919) % 10
        leads.append(Lead(
            name=f"Lead {i}", email=f"s{i}@example.com", owner=owner,
            industry=("technology", "finance", "retail", "education")[i % 4],
            company_size=(i * 37) % 2000 + 1, origin="Partner referral" if partner else "Landing page",
            created_at=start + timedelta(hours=i),
            imported_converted=(r < 9) if partner else (r < (4 if demo else 1))))
    leads = Lead.objects.bulk_create(leads)
    demo = EventType.objects.get(code="demo_request")
    LeadEvent.objects.bulk_create([LeadEvent(lead=lead, event_type=demo, occurred_at=lead.created_at)
                                   for i, lead in enumerate(leads, start=1) if i % 4 == 0])
    return leads
