from tests.teams.compensation_fixtures import fake_metrics, plan  # noqa: F401
