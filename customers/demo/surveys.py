"""Demo surveys: a quarterly NPS and a support CSAT survey sent to the demo accounts' contacts over the
last six months, most answered (some detractors, whose follow-up tasks stay open). Idempotent: the
answers carry no external id but the whole set is loaded once (marked by the demo surveys' invitations)."""
import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from teams.models import User

from ..models import Account, Contact, Survey, SurveyInvitation
from ..services import contact_create, survey_answer, survey_create, survey_send

NPS_NAME = "Quarterly NPS"
CSAT_NAME = "Support satisfaction (CSAT)"
MONTHS = 6
ACCOUNTS = 12
REASONS = {
    "high": ["Great onboarding and fast answers.", "The reports save us hours every week.", "产品稳定，服务及时。"],
    "mid": ["Good product, a few missing features.", "Pricing is a bit high for us.", "还不错，希望界面更简洁。"],
    "low": ["Too many outages last month.", "Support took days to answer.", "导入数据太慢，需要改进。"],
}


def _survey(name: str, kind: str, question: str, extra: list[str], by) -> Survey:
    survey = Survey.objects.filter(name=name).first()
    return survey or survey_create(by=by, name=name, kind=kind, question=question, extra_questions=extra)


def _contacts(accounts) -> list[Contact]:
    contacts = []
    for index, account in enumerate(accounts):
        contact = account.contacts.exclude(email="").order_by("pk").first()
        if contact is None:
            contact = contact_create(by=account.owner, account=account, name=f"Customer contact {index + 1}",
                                     email=f"customer.contact{index + 1}@example.com", title="Head of operations")
        contacts.append(contact)
    return contacts


def _reason(score: int, high: int, low: int, rng: random.Random) -> str:
    band = "high" if score >= high else "low" if score <= low else "mid"
    return rng.choice(REASONS[band])


@transaction.atomic
def seed_surveys(*, today) -> str:
    sender = User.objects.filter(username="admin", is_active=True).first()
    accounts = list(Account.objects.filter(external_ref__startswith="demo:account:").select_related("owner")
                    .order_by("pk")[:ACCOUNTS])
    if sender is None or not accounts:
        return _("no demo surveys (no demo accounts)")
    nps = _survey(NPS_NAME, "nps", "How likely are you to recommend us to a friend or colleague?",
                  ["What should we improve first?"], sender)
    csat = _survey(CSAT_NAME, "csat", "How satisfied are you with our support?", [], sender)
    if SurveyInvitation.objects.filter(survey__in=[nps, csat]).exists():
        return _("demo surveys already loaded")
    contacts = _contacts(accounts)
    rng = random.Random(20261201)
    answered = 0
    for months_ago in range(MONTHS - 1, -1, -1):
        day = today - timedelta(days=30 * months_ago + 3)
        sent_at = timezone.make_aware(datetime.combine(day, time(9)))
        for survey, high, low, scale in ((nps, 9, 6, range(3, 11)), (csat, 4, 2, range(1, 6))):
            outcome = survey_send(survey=survey, contact_ids=[c.pk for c in contacts], by=sender, now=sent_at,
                                  deliver=False)
            for invitation in outcome.invitations:
                if rng.random() < 0.25:  # a quarter never answer (the response rate)
                    continue
                score = rng.choice(list(scale))
                at = min(sent_at + timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 8)), timezone.now())
                answers = {q: _reason(score, high, low, rng) for q in survey.extra_questions}
                survey_answer(token=invitation.token, score=score, reason=_reason(score, high, low, rng),
                              answers=answers, now=at)
                answered += 1
    return _("%(n)d demo survey answers") % {"n": answered}
