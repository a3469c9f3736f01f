"""The embedded broker of bin/run (kombu's filesystem transport) and task results (not stored)."""
import json
from pathlib import Path

from django.conf import settings

from salesops.celery import app as celery_app
from tests.salesops.test_settings import ROOT, run_manage

SEND = (
    "import json; from salesops.celery import app; from leads.tasks import leads_flag_sla_breaches_task as t; "
    "t.delay(); print(json.dumps({'eager': app.conf.task_always_eager, "
    "'options': app.conf.broker_transport_options, 'backend': app.conf.result_backend}))"
)


def test_with_the_filesystem_broker_tasks_are_queued_as_files_not_run_eagerly(tmp_path):
    result = run_manage("shell", "-c", SEND, DEBUG="1", CELERY_BROKER_URL="filesystem://",
                        CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    assert conf["eager"] is False and conf["backend"] is None
    assert conf["options"]["data_folder_in"] == conf["options"]["data_folder_out"] == str(tmp_path / "queue")
    messages = list((tmp_path / "queue").glob("*.msg"))
    assert len(messages) == 1
    body = json.loads(messages[0].read_text())
    assert body["headers"]["task"] == "leads.tasks.leads_flag_sla_breaches_task"
    assert (tmp_path / "queue").stat().st_mode & 0o077 == 0  # the folder is private to its user


def test_without_a_broker_tasks_stay_eager_and_no_results_are_stored():
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.CELERY_BROKER_URL)
    assert celery_app.conf.task_ignore_result is True
    assert not celery_app.conf.result_backend


def test_bin_run_starts_a_worker_with_beat_and_stops_it_on_exit():
    script = (ROOT / "bin" / "run").read_text()
    assert "CELERY_BROKER_URL=${CELERY_BROKER_URL:-filesystem://}" in script
    assert "worker --beat" in script and "trap stop EXIT" in script


def test_the_beat_schedule_names_only_registered_tasks():
    celery_app.loader.import_default_modules()
    missing = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - set(celery_app.tasks)
    assert missing == set()
    assert Path(ROOT / ".gitignore").read_text().count("var/") == 1
