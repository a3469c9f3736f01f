"""Pipeline: opportunities moving through stages whose gates are data (configured in the admin).

Writes go through pipeline.services (one transition service guards every path: pages, API, admin,
bulk actions, import). Gate logic itself is pure: pipeline.gates.
"""

from .stages import (  # noqa: F401
    PERCENT, Stage, ChecklistItem, GateCriterion, SpinQuestion, Competitor, LossReason,
)
from .deals import (  # noqa: F401
    Product, Opportunity, OpportunityLine, ChecklistTick, OpportunityActivity, StageTransition,
)
from .approvals import (  # noqa: F401
    Approval,
)
from .forecast import (  # noqa: F401
    StageWinRate, ForecastSnapshot,
)
from .imports import (  # noqa: F401
    OpportunityImportJob,
)
from .handoff import (  # noqa: F401
    Handoff, HandoffStakeholder,
)
from .knowledge import (  # noqa: F401  (h12)
    ArticleDealView,
)
from .winprob import (  # noqa: F401  (issue 16: the learnt win probability)
    WinProbabilityModel, OpportunityWinFactors,
)
from .board import (  # noqa: F401  (issue 14: the board's totals as a tally)
    BoardTally,
)
