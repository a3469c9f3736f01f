"""`{% nurture_section lead %}`: the Nurture card of the lead detail page (enrolments, sends, enroll form)."""
from django import template

from ..services.nurture import nurture_can_enroll, nurture_enrollments_for_lead
from ..views.nurture import NurtureEnrollForm

register = template.Library()


@register.inclusion_tag("leads/_nurture.html", takes_context=True)
def nurture_section(context, lead):
    user = context["request"].user
    can_enroll = nurture_can_enroll(user=user, lead=lead)
    return {
        "lead": lead,
        "enrollments": nurture_enrollments_for_lead(lead=lead),
        "can_enroll": can_enroll,
        "form": NurtureEnrollForm() if can_enroll else None,
    }
