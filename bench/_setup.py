"""Shared set-up of the benchmark scripts: environment defaults and a PostgreSQL bench database."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configure(*, database: str) -> None:
    """Settings for a bench run (production-like, DEBUG off) unless the caller's environment says otherwise."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def ensure_database(script: str) -> None:
    """Create the database named in DATABASE_URL if missing; benchmarks measure PostgreSQL only."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://...")
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
