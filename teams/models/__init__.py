"""Teams models: people and organisation (core), plus one module per area."""
from .core import Notification, Quota, Team, Territory, User  # noqa: F401

# --- knowledge base (h12) ---
from .knowledge import Article, ArticleView, Tag  # noqa: F401,E402
