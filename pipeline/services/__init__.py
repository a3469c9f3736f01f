"""Writes to the pipeline. Views, the API, the admin, bulk actions, tasks and imports come through here.

`opportunity_transition` is the ONE path that moves a deal through the gates; the import and the
admin override are the only other ways to change a stage, and both are audited in the ledger.
"""
from ..models import Competitor  # noqa: F401  (callers name it through services)
# The package re-exports every service, so callers keep `from pipeline import services` / `services.x`.
from .transitions import (  # noqa: F401
    TransitionRefused, TransitionConflict, _lock, _move, discount_limit, unmet_message, gate_facts,
    transition_problems, opportunity_transition, opportunity_override_stage, opportunity_import_stage,
)
from .deals import (  # noqa: F401
    EDITABLE_FIELDS, CREATE_ONLY_FIELDS, FROZEN_WHEN_CLOSED, opportunity_create, opportunity_update,
    opportunity_quick_create,
    frozen_changes, frozen_message, opportunity_correct_closed, opportunity_delete, opportunity_line_add,
    LINE_FIELDS, opportunity_line_update, opportunity_line_remove, checklist_tick, opportunity_activity_log,
)
from .approvals import (  # noqa: F401
    approvals_withdraw_uncovered, approval_request, approval_decide,
)
from .conversion import (  # noqa: F401
    lead_convert,
)
from .forecast import (  # noqa: F401
    opportunities_flag_stalled, model_probability_for, forecast_model_recompute, snapshot_cells,
    forecast_snapshot_take,
)
from .handoff import (  # noqa: F401
    HANDOFF_FIELDS, HandoffConflict, handoff_update, handoff_confirm_feasibility, handoff_onboarding_open,
    handoff_onboarding_catch_up, onboarding_steps,
)


__all__ = [
    "Competitor", "TransitionConflict", "TransitionRefused", "approval_decide", "approval_request",
    "approvals_withdraw_uncovered", "checklist_tick", "lead_convert", "opportunities_flag_stalled",
    "opportunity_correct_closed", "opportunity_create", "opportunity_delete", "opportunity_import_stage",
    "opportunity_line_add", "opportunity_line_remove", "opportunity_line_update", "opportunity_override_stage",
    "opportunity_transition", "opportunity_update", "opportunity_quick_create",
    "handoff_update", "handoff_confirm_feasibility", "handoff_onboarding_open",
    "transition_problems", "forecast_model_recompute", "forecast_snapshot_take", "model_probability_for",
]
from .winprob import (  # noqa: F401  (issue 16)
    win_model_request, win_model_rerun, win_model_train, win_model_activate, win_model_deactivate,
    win_probabilities_score, win_probability_rescore,
)
from .knowledge import (  # noqa: F401  (h12)
    article_deal_view_record,
)
from .board_tally import (  # noqa: F401  (issue 14: the board's totals as a tally)
    board_tally_compact, board_tally_kept, board_tally_verify,
)
