"""Demo nurture data for `manage.py seed_demo`: the track "New to SalesOps" and a few enrolments.

Idempotent: the track is found by name, its steps by order, and enrolling twice changes nothing.
"""
from django.db import transaction

from teams.models import User

from ..models import Lead, NurtureStep, NurtureTrack
from ..services.nurture import nurture_enroll, nurture_top_grade

TRACK_NAME = "New to SalesOps"
STEPS = [
    (1, 0, "Welcome, {{ name }}", "Hello {{ name }},\n\nthanks for your interest in SalesOps. Here is a short "
     "tour of how teams like {{ company }} run their pipeline:\n{{ link }}\n\nThe SalesOps team",
     "https://example.com/salesops/tour"),
    (2, 3, "How {{ company }} can qualify leads faster", "Hello {{ name }},\n\nour guide to lead scoring shows "
     "how to agree on MQL rules between marketing and sales:\n{{ link }}\n\nThe SalesOps team",
     "https://example.com/salesops/lead-scoring-guide"),
    (3, 7, "A 20-minute demo for {{ company }}?", "Hello {{ name }},\n\nwould a short demo help? Pick a time "
     "that suits you:\n{{ link }}\n\nThe SalesOps team", ""),
]


@transaction.atomic
def seed_nurture(*, users: dict[str, User], enrollments: int = 12) -> int:
    """Create the demo track and enroll up to `enrollments` demo leads below the top grade; returns new ones."""
    track, _ = NurtureTrack.objects.get_or_create(
        name=TRACK_NAME, defaults={"description": "Three emails for new leads over ten days."})
    for order, delay, subject, body, link in STEPS:
        NurtureStep.objects.get_or_create(track=track, order=order, defaults={
            "delay_days": delay, "subject": subject, "body": body, "link_url": link})
    by = next((u for u in users.values() if u.role == User.Role.MARKETING), None) or \
        next((u for u in users.values() if u.is_admin_role), None)
    if by is None:
        return 0
    leads = Lead.objects.filter(email__startswith="demo.lead").exclude(enrollments__track=track).order_by("email")
    top = nurture_top_grade()
    if top:
        leads = leads.exclude(grade=top)
    added = 0
    for lead in leads[:max(0, enrollments - track.enrollments.count())]:
        nurture_enroll(lead=lead, track=track, by=by)
        added += 1
    return added
