"""docker-compose.yml cannot be run here (no Docker engine); check that it is wired as documented."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_web_worker_and_beat_on_postgres_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("redis://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "gunicorn salesops.wsgi" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "salesops", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "salesops", "beat"]


def test_the_env_example_names_every_variable_the_compose_file_needs():
    example = (ROOT / ".env.example").read_text()
    assert "SECRET_KEY=" in example
