"""Who may DO what: the one place for action rules, next to `teams.selectors` (who may SEE what).

Every entry point — HTML views, API permissions and actions, the admin, services, imports and
tasks — asks these named predicates instead of looking at `user.role` itself. A predicate takes
the acting user first and the object(s) concerned after, answers a bool, and never raises.

Record visibility (which rows a user may read or change at all) stays in
`teams.selectors.scope_for_user()` / `owner_q()`; a predicate about one record combines its own
rule with that scope (e.g. a manager may assign a lead only within their team's scope).
"""
from __future__ import annotations

from django.conf import settings

from .models import User

Role = User.Role


# --- building blocks --------------------------------------------------------------------------

def is_active_user(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user) -> bool:
    return is_active_user(user) and user.is_admin_role


def has_role(user, *roles: str) -> bool:
    """True for an active user with one of `roles`; admins pass every role check."""
    if not is_active_user(user):
        return False
    return user.is_admin_role or user.role in roles


def is_manager_or_admin(user) -> bool:
    return has_role(user, Role.MANAGER)


def manages(user, other) -> bool:
    """`user` is the manager of `other`'s team (not of themselves)."""
    if not is_active_user(user) or other is None:
        return False
    team = getattr(other, "team", None)
    return bool(team is not None and team.manager_id == user.pk)


def owns_or_manages(user, owner) -> bool:
    """The one-record form of the CHANGE scope of `teams.selectors.owner_q`: admins, the owner
    themselves, and the manager of the owner's team."""
    if not is_active_user(user):
        return False
    if user.is_admin_role:
        return True
    return owner is not None and (owner.pk == user.pk or manages(user, owner))


# --- people and organisation ------------------------------------------------------------------

def can_manage_organisation(user) -> bool:
    """Create and change teams, territories and people (administrators)."""
    return is_admin(user)


def may_lead_team(user) -> bool:
    """Who can be made a team's manager: active managers and administrators."""
    return bool(user is not None and user.is_active and (user.is_admin_role or user.role == Role.MANAGER))


def can_give_records_to(user, to) -> bool:
    """`user` may make `to` the owner of a record: admins anyone active, managers themselves and
    their team's members, everyone else only themselves."""
    if not is_active_user(user) or to is None or not to.is_active:
        return False
    if user.is_admin_role:
        return True
    if to.pk == user.pk:
        return True
    return user.role == Role.MANAGER and manages(user, to)


# --- leads ------------------------------------------------------------------------------------

def can_manage_scoring(user) -> bool:
    """Marketing tunes scoring rule sets (and admins)."""
    return has_role(user, Role.MARKETING)


def can_backtest_scoring(user) -> bool:
    """Marketing, managers and admins may run what-if backtests (on leads in their scope)."""
    return has_role(user, Role.MARKETING, Role.MANAGER)


def can_manage_nurture(user) -> bool:
    """Marketing edits nurture tracks (and admins)."""
    return has_role(user, Role.MARKETING)


def can_enroll_any_lead_in_nurture(user) -> bool:
    """Marketing (and admins) enroll any lead they can read; others only leads they may change."""
    return has_role(user, Role.MARKETING)


def can_record_events_for_any_lead(user) -> bool:
    """Marketing and admins post behaviour events for any lead; others only for their own leads."""
    return has_role(user, Role.MARKETING)


def can_create_leads_from_events(user) -> bool:
    """An event for an unknown email may create its lead (policy "create") for marketing and admins."""
    return has_role(user, Role.MARKETING)


def can_work_lead_queue(user) -> bool:
    """Managers and admins see the managers' queue (the pool) and hand out leads."""
    return is_manager_or_admin(user)


def can_assign_lead(user, lead, to=None) -> bool:
    """`user` may hand `lead` to `to` (or, with `to` None, may assign this lead at all).

    Admins: any lead to anyone active. Managers: their team's leads and unowned leads, to
    themselves or their team's members. Nobody else assigns (reps take leads through routing).
    A lead being created (no pk yet) is the creator's: they may own it, or give it to whom they
    may give records (`to` None: left unowned, for routing).
    """
    if lead is not None and lead.pk is None:
        return is_active_user(user) and (to is None or can_give_records_to(user, to))
    if not is_manager_or_admin(user):
        return False
    if not user.is_admin_role and lead is not None and lead.owner_id is not None:
        if lead.owner_id != user.pk and not manages(user, lead.owner):
            return False
    return to is None or can_give_records_to(user, to)


def keeps_lead_at_routing(owner) -> bool:
    """A lead that reaches the top grade stays with an owner who sells (rep or manager, active);
    leads owned by anyone else (marketing, an integration user, nobody) are routed."""
    return bool(owner is not None and owner.is_active and owner.role in (Role.REP, Role.MANAGER))


def can_change_lead(user, lead) -> bool:
    """Edit a lead and move it through its manual transitions (qualify, nurture, disqualify): its
    owner, the owner's team manager, admins (the CHANGE scope of teams.selectors.owner_q)."""
    return lead is not None and owns_or_manages(user, lead.owner)


def can_delete_lead(user, lead) -> bool:
    """Deleting a lead is for admins only (it is audited; reps and managers disqualify instead)."""
    return is_admin(user)


# --- pipeline ---------------------------------------------------------------------------------

def can_override_stage(user) -> bool:
    """Put a deal in any stage without the gates (audited as an override): admins."""
    return is_admin(user)


def can_correct_closed_deal(user) -> bool:
    """Correct a closed deal's commercial fields without reopening it (audited): admins."""
    return is_admin(user)


def can_delete_opportunity(user, opportunity) -> bool:
    return is_admin(user)


def can_decide_approval(user, opportunity) -> bool:
    """The owner's team manager or an admin decides (never the person who asked, unless admin)."""
    if not is_active_user(user):
        return False
    if user.is_admin_role:
        return True
    owner = opportunity.owner
    return bool(owner is not None and manages(user, owner) and opportunity.owner_id != user.pk)


def can_train_win_model(user) -> bool:
    """Train the deal win-probability model on closed deals (a background job; issue 16): managers
    and admins. It reads every team's closed deals, but only its aggregate figures are shown."""
    return is_manager_or_admin(user)


def can_activate_win_model(user) -> bool:
    """Make a trained win-probability model the source of every open deal's model probability (or
    go back to the win-rate table): admins, since it changes every team's forecast."""
    return is_admin(user)


def can_see_team_figures(user) -> bool:
    """Per-team breakdowns in forecasts and funnels: managers (their teams) and admins."""
    return is_manager_or_admin(user)


def can_see_everyones_figures(user) -> bool:
    """Organisation-wide figures (every team's rows, the "everyone" forecast rows): admins."""
    return is_admin(user)


# --- customers --------------------------------------------------------------------------------

def can_delete_account(user, account) -> bool:
    """Deleting an account (with its contacts and activity log) is for admins; never one with deals."""
    return is_admin(user)


def can_delete_contact(user, contact) -> bool:
    """Whoever may change the contact's account (can_change_account)."""
    return can_change_contact(user, contact)


def can_delete_activity(user, activity) -> bool:
    """The person who logged it, their manager and admins (an account owner only reads others' entries)."""
    return owns_or_manages(user, activity.owner)


# Roles that read every account's customer-360 page and change nothing (customers.selectors too).
CUSTOMER_READ_ONLY_ROLES = (Role.SUPPORT, Role.PRODUCT)


def can_change_customer_records(user) -> bool:
    """Write to customers at all (accounts, contacts): every active user but support and product,
    who only read. The API answers their writes with 403."""
    return is_active_user(user) and (user.is_admin_role or user.role not in CUSTOMER_READ_ONLY_ROLES)


def can_create_account(user) -> bool:
    """Create an account (reps, managers, customer success, marketing converting leads, admins)."""
    return can_change_customer_records(user)


def can_change_account(user, account) -> bool:
    """Edit an account and its contacts: its sales owner or success owner, the manager of either's
    team, admins (the CHANGE scope of customers.selectors.account_queryset_for); never support/product."""
    if account is None or not can_change_customer_records(user):
        return False
    return owns_or_manages(user, account.owner) or (
        account.success_owner_id is not None and owns_or_manages(user, account.success_owner))


def can_change_contact(user, contact) -> bool:
    """Create, edit and delete the contacts of an account you may change."""
    return contact is not None and can_change_account(user, contact.account)


# --- dashboards: monthly review pack -----------------------------------------------------------

# Who is mailed the monthly marketing–sales review pack (dashboards.review).
REVIEW_PACK_RECIPIENT_ROLES = (Role.MANAGER, Role.MARKETING)


def can_see_review_pack(user) -> bool:
    """The monthly marketing–sales review pack: managers, marketing and admins (each sees the
    figures of the records in their own scope)."""
    return has_role(user, Role.MANAGER, Role.MARKETING)


def receives_review_pack(user) -> bool:
    """Mailed the pack each month: active managers and marketing people with an email address."""
    return bool(is_active_user(user) and user.role in REVIEW_PACK_RECIPIENT_ROLES and user.email)


# --- imports ----------------------------------------------------------------------------------

def can_import(user, kind: str) -> bool:
    """Who may run a CSV import of `kind` ("leads", "opportunities"): administrators, plus the roles
    `settings.SALESOPS_IMPORT_ROLES[kind]` names — by default marketing and managers import leads,
    nobody else imports deals; customer success imports nothing. An unknown kind: admins only."""
    if is_admin(user):
        return True
    roles = (getattr(settings, "SALESOPS_IMPORT_ROLES", {}) or {}).get(kind) or ()
    return bool(roles) and has_role(user, *roles)


# --- dashboards -------------------------------------------------------------------------------

# The dashboards a user can land on (dashboards.views renders each by name).
SALES_DASHBOARD = "sales"
MARKETING_DASHBOARD = "marketing"
EXECUTIVE_DASHBOARD = "executive"
SUCCESS_DASHBOARD = "success"


def default_dashboard_for(user) -> str:
    """The dashboard `/` opens: marketing their lead dashboard; administrators the executive one (key
    KPIs and goals); customer success, support and product the customer-success one (health, NPS,
    retention, renewals); managers and reps the sales one (a rep's figures are their own)."""
    if is_admin(user):
        return EXECUTIVE_DASHBOARD
    if has_role(user, Role.MARKETING):
        return MARKETING_DASHBOARD
    if has_role(user, Role.SUCCESS, Role.SUPPORT, Role.PRODUCT):
        return SUCCESS_DASHBOARD
    return SALES_DASHBOARD


def may_narrow_dashboards_to_anyone(user) -> bool:
    """The team and rep pickers of the dashboards offer every team and seller to administrators,
    marketing (who read every lead) and customer success; a manager gets the teams they manage
    and their members, a rep only themselves. Narrowing never widens what the metrics count."""
    return has_role(user, Role.MARKETING, Role.SUCCESS)


# --- dashboards: KPI snapshots and goals ------------------------------------------------------

def can_run_snapshots(user) -> bool:
    """Take KPI snapshots on demand (a background job over every metric and scope): managers and admins."""
    return is_manager_or_admin(user)


def can_see_scope_figures(user, *, team=None, owner=None) -> bool:
    """Organisation figures: everyone active. A team's: its members, its manager, admins. A rep's:
    the rep, the manager of the rep's team, admins."""
    if not is_active_user(user):
        return False
    if user.is_admin_role:
        return True
    if owner is not None:
        return owner.pk == user.pk or manages(user, owner)
    if team is not None:
        return team.manager_id == user.pk or (user.team_id is not None and user.team_id == team.pk)
    return True


def can_set_goal(user, *, scope: str, team=None, owner=None, metric_app: str = "") -> bool:
    """Set (or change, or remove) a goal for a scope. Admins: any. Managers: the teams they manage and
    the reps in them. Marketing: organisation goals on the leads metrics (`metric_app` "leads").
    Reps and customer success set none."""
    if not is_active_user(user):
        return False
    if user.is_admin_role:
        return True
    if user.role == Role.MANAGER:
        if scope == "team":
            return team is not None and team.manager_id == user.pk
        if scope == "rep":
            return owner is not None and (owner.pk == user.pk or manages(user, owner))
        return False
    if user.role == Role.MARKETING:
        return scope == "organisation" and metric_app == "leads"
    return False


# --- customers: NPS and CSAT surveys ----------------------------------------------------------

def can_manage_surveys(user) -> bool:
    """Create and change NPS/CSAT surveys: customer success, marketing and admins."""
    return has_role(user, Role.SUCCESS, Role.MARKETING)


def can_send_surveys(user) -> bool:
    """Send a survey to contacts (of the accounts they may see): those who manage surveys and
    sales managers."""
    return has_role(user, Role.SUCCESS, Role.MARKETING, Role.MANAGER)


def can_record_survey_responses(user) -> bool:
    """Record answers collected elsewhere (API, integrations) for the accounts they may see:
    customer success, marketing, managers and admins (support and product only read)."""
    return has_role(user, Role.SUCCESS, Role.MARKETING, Role.MANAGER)
# --- pipeline: sales-to-success handoff (h7) --------------------------------------------------

def can_confirm_feasibility(user, opportunity=None) -> bool:
    """Confirm that what a deal sells is feasible (the handoff checklist): the product role (and admins)."""
    return has_role(user, Role.PRODUCT)


def can_change_handoff(user, opportunity) -> bool:
    """Fill in a deal's handoff checklist: whoever may change the deal (its owner, the owner's manager,
    admins) and the account's success owner (and their manager), who takes the customer over."""
    if opportunity is None:
        return False
    account = getattr(opportunity, "account", None)
    return owns_or_manages(user, opportunity.owner) or bool(
        account is not None and account.success_owner_id and owns_or_manages(user, account.success_owner))
# --- customers: contracts (h3) ------------------------------------------------------------------

def can_delete_contract(user, contract) -> bool:
    """Deleting a contract rewrites retention history: admins and the managers of the account's sales
    or success owner. Owners end a contract or record its renewal outcome instead."""
    if is_admin(user):
        return True
    account = contract.account
    return has_role(user, Role.MANAGER) and (manages(user, account.owner) or manages(user, account.success_owner))
# --- customers: retention (h6) -------------------------------------------------------------------

def can_record_spend(user) -> bool:
    """Record, correct and remove sales and marketing spend (the CAC input), and read it: administrators,
    managers and marketing."""
    return has_role(user, Role.MANAGER, Role.MARKETING)


def can_see_cac(user) -> bool:
    """CAC, LTV:CAC and CAC payback are organisation figures (spend is not recorded per team): whoever
    may record spend reads them, over every new customer of the period."""
    return can_record_spend(user)
# --- customers: activities and tasks (h2) -------------------------------------------------------

def can_log_activity(user) -> bool:
    """Log a call, meeting, email, note or task (on records one may see): every active user except
    the read-only support and product roles, who read customer-360 pages and change nothing."""
    return is_active_user(user) and (user.is_admin_role or user.role not in (Role.SUPPORT, Role.PRODUCT))


def can_complete_task(user, task) -> bool:
    """Mark a task done: its owner, the owner's team manager, admins."""
    return owns_or_manages(user, task.owner)


def can_see_team_tasks(user) -> bool:
    """The per-rep overdue list of one's teams (a manager) or of everyone (an admin)."""
    return is_manager_or_admin(user)
def can_manage_health_models(user) -> bool:
    """Create, change and delete customer-health models (components, weights, bands): customer
    success and administrators; everyone else reads them."""
    return has_role(user, Role.SUCCESS)
# --- h8: KPI cards compare with snapshots -------------------------------------------------------
def can_compare_with_snapshots(user, *, team=None, owner=None) -> bool:
    """Whether `user`'s own figures for a scope are the scope's KPI snapshots (taken over every
    record, narrowed to the scope): administrators for any scope; a manager for the teams they
    manage and those teams' reps; anyone for their own figures. Others compare with figures computed
    over what they see."""
    if owner is None and not is_admin(user):
        return team is not None and is_active_user(user) and team.manager_id == user.pk
    return can_see_scope_figures(user, team=team, owner=owner)


# --- teams: onboarding (h10) ------------------------------------------------------------------
# A plan is read by its hire, their mentor, the manager of the hire's team and admins; the hire ticks
# their own steps, the mentor signs off; the manager manages the plans of the team.

def can_edit_onboarding_templates(user) -> bool:
    """Create and change onboarding plan templates: managers and admins."""
    return is_manager_or_admin(user)


def can_manage_onboarding_plan(user, hire) -> bool:
    """Make, change (mentor) and close the onboarding plan of `hire`: admins and the hire's manager."""
    if not is_active_user(user) or hire is None:
        return False
    return user.is_admin_role or (user.role == Role.MANAGER and manages(user, hire))


def is_mentor_of(user, plan) -> bool:
    return is_active_user(user) and plan is not None and plan.mentor_id == user.pk


def can_view_onboarding_plan(user, plan) -> bool:
    if not is_active_user(user) or plan is None:
        return False
    return plan.hire_id == user.pk or is_mentor_of(user, plan) or can_manage_onboarding_plan(user, plan.hire)


def can_tick_onboarding_task(user, task) -> bool:
    """Tick (or untick) a task by hand: the hire their own steps, the mentor the mentor's steps, the
    manager and admins any step. Milestones tick themselves (from the metric registry): nobody ticks
    those by hand."""
    if not is_active_user(user) or task is None or task.milestone_metric:
        return False
    plan = task.plan
    if can_manage_onboarding_plan(user, plan.hire):
        return True
    if plan.closed_at is not None:
        return False
    if plan.hire_id == user.pk:
        return task.performer == "hire"
    return is_mentor_of(user, plan) and task.performer in ("hire", "mentor")


def can_sign_off_onboarding_task(user, task) -> bool:
    """Sign off a task: the mentor and the hire's manager (and admins); never the hire themselves."""
    if not is_active_user(user) or task is None:
        return False
    plan = task.plan
    if plan.hire_id == user.pk and not user.is_admin_role:
        return False
    return is_mentor_of(user, plan) or can_manage_onboarding_plan(user, plan.hire)


def can_see_onboarding_figures(user) -> bool:
    """Time to first deal and ramp by cohort and mentor: managers and admins."""
    return is_manager_or_admin(user)


# --- teams: training, certification and awards (h11) -----------------------------------------

def can_manage_training(user) -> bool:
    """Create and change courses, exams and certifications: administrators."""
    return is_admin(user)


def can_take_exam(user, exam=None) -> bool:
    """Take an exam: every active user (retake rules are the service's, in teams.exams)."""
    return is_active_user(user)


def can_see_training_of(user, person) -> bool:
    """Read a person's attempts and certificates: the person, their team's manager, admins."""
    return person is not None and owns_or_manages(user, person)


def can_see_team_training(user) -> bool:
    """The team certification matrix and pass rates: managers (their teams) and admins."""
    return is_manager_or_admin(user)


def can_compute_awards(user) -> bool:
    """Compute the best newcomer of a period (also the monthly beat job): managers and admins."""
    return is_manager_or_admin(user)


def can_nominate(user, nominee) -> bool:
    """Nominate a peer for best collaboration: an active member of the same team, not oneself."""
    if not is_active_user(user) or nominee is None or not nominee.is_active or nominee.pk == user.pk:
        return False
    return user.team_id is not None and user.team_id == nominee.team_id


def can_choose_award(user, team) -> bool:
    """Choose a team's best collaboration among its nominations: the team's manager, admins."""
    if not is_active_user(user) or team is None:
        return False
    return user.is_admin_role or team.manager_id == user.pk
# --- teams: knowledge base (h12) --------------------------------------------------------------

def can_edit_knowledge(user) -> bool:
    """Write, publish and delete knowledge-base articles and read drafts: managers, marketing, admins."""
    return has_role(user, Role.MANAGER, Role.MARKETING)


def can_read_article(user, article) -> bool:
    """Everyone signed in reads published articles; drafts only those who edit the knowledge base."""
    return article is not None and is_active_user(user) and (article.is_published or can_edit_knowledge(user))


# --- compensation (h9) ---------------------------------------------------------------------------

def can_manage_compensation_plans(user) -> bool:
    """Create, edit, publish and assign bonus plans: administrators."""
    return is_admin(user)


def can_review_payouts(user) -> bool:
    """The payouts review page (their team's statements): managers and administrators."""
    return is_manager_or_admin(user)


def can_approve_payout(user, payout) -> bool:
    """The manager of the payout's person (never their own payout) or an administrator."""
    if not is_active_user(user) or payout is None:
        return False
    if user.is_admin_role:
        return True
    return payout.user_id != user.pk and manages(user, payout.user)


def can_mark_payout_paid(user, payout) -> bool:
    """Payroll marks approved payouts paid: administrators."""
    return is_admin(user)


def can_dispute_payout_line(user, line) -> bool:
    """Only the person paid flags a line of their own statement."""
    return is_active_user(user) and line is not None and line.payout.user_id == user.pk


def can_answer_payout_dispute(user, dispute) -> bool:
    """Whoever may approve the payout answers its disputes."""
    return dispute is not None and can_approve_payout(user, dispute.line.payout)


# --- integrations (issue 15): webhooks, integration keys, web-to-lead forms ----------------------------

def can_manage_integrations(user) -> bool:
    """Integration keys and webhook subscriptions: administrators."""
    return is_admin(user)


def can_manage_web_forms(user) -> bool:
    """Web-to-lead forms: marketing and administrators."""
    return has_role(user, Role.MARKETING)
