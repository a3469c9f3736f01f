from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

from teams.models import User
from teams.selectors import VIEW, scope_for_user

from .models import Lead
from .quality import PROFILE_FIELDS

# Marketing reads every lead (lead quality, nurture); only owners, their managers and admins change them.
LEAD_READ_ALL_ROLES = (User.Role.MARKETING,)


def lead_queryset_for(*, user, action: str = VIEW) -> QuerySet[Lead]:
    return scope_for_user(Lead.objects.select_related("owner"), user=user, action=action,
                          read_all_roles=LEAD_READ_ALL_ROLES)


def completeness_expression():
    """SQL twin of leads.quality.completeness_percent, for one set-based UPDATE."""
    terms = []
    for name in PROFILE_FIELDS:
        field = Lead._meta.get_field(name)
        if field.get_internal_type() in {"CharField", "EmailField"}:
            filled = GreaterThan(Length(Trim(F(name))), 0)  # NULL and blanks count as empty
        else:
            filled = Q(**{f"{name}__isnull": False})
        terms.append(Case(When(filled, then=Value(1)), default=Value(0), output_field=IntegerField()))
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total * Value(100) / Value(len(PROFILE_FIELDS))


def lead_completeness_average(*, queryset: QuerySet[Lead]) -> float | None:
    from django.db.models import Avg
    return queryset.aggregate(avg=Avg("completeness"))["avg"]
