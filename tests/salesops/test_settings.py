"""Production behaviour of the settings, checked in fresh processes (settings load once)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE",
                                                             "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                        SECRET_KEY="x8#k2!qv9z" * 6, ALLOWED_HOSTS="salesops.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_do_not_change_when_pytest_is_loaded():
    code = ("import pytest, django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.PASSWORD_HASHERS[0].rsplit('.', 1)[1])")
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**base, "DJANGO_SETTINGS_MODULE": "salesops.settings", "DEBUG": "0",
                                 "SECRET_KEY": "x8#k2!qv9z" * 6})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "PBKDF2PasswordHasher"]


def test_the_suite_runs_on_the_test_settings(settings):
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "salesops.settings_test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    from salesops.settings_test import _TEST_SECRET_KEY
    assert os.environ.get("SECRET_KEY") != _TEST_SECRET_KEY  # lent to settings.py while it loaded, then taken back
