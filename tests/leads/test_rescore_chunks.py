"""A large rescore split into id-range chunks that any number of workers claim (issue 14, item 6):
each chunk is claimed by one worker at a time, a chunk whose worker died is claimed again after the
timeout, the job ends `done` (progress = chunks done / chunks) or `failed` with its reason, and the
scores equal those of the one-worker batch path. The PostgreSQL-only test checks SKIP LOCKED with
two connections claiming at once."""
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import EventType, Lead, LeadEvent, RescoreChunk, RescoreJob, RuleSet, ScoreChange
from leads.services import scoring as services
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db
LEADS = 24


def published() -> RuleSet:
    return RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)


@pytest.fixture
def leads(settings):
    """24 leads whose default-rule-set grades cover MQL, SQL and Lead; chunks of 5 ids."""
    settings.LEADS_RESCORE_CHUNK_SIZE = 5
    settings.LEADS_RESCORE_CHUNKED_MIN_LEADS = 10
    types = {t.code: t for t in EventType.objects.all()}
    now = timezone.now()
    made = []
    for i in range(LEADS):
        lead = LeadFactory(industry=["technology", "retail", "finance"][i % 3], company_size=[50, 5000][i % 2])
        codes = [["webinar_attended", "pricing_page_visit"], ["whitepaper_download", "webinar_attended"], []][i % 3]
        for code in codes:
            LeadEvent.objects.create(lead=lead, event_type=types[code], occurred_at=now - timedelta(days=i))
        made.append(lead)
    return made


def new_job(rule_set=None, *, chunked=True) -> RescoreJob:
    ids = Lead.objects.order_by("pk").values_list("pk", flat=True)
    job = RescoreJob.objects.create(rule_set=rule_set or published(), total=ids.count(), last_id=ids.first() - 1,
                                    max_id=ids.last())
    if chunked:
        services.rescore_job_split(job=job)
    return job


def scores() -> dict:
    return {pk: (s, g, bd) for pk, s, g, bd in Lead.objects.values_list("pk", "score", "grade", "score_breakdown")}


def reset_scores():
    Lead.objects.update(score=0, grade="", score_breakdown=[], scored_with=None, mql_at=None)
    ScoreChange.objects.all().delete()


class TestSplitAndClaim:
    def test_chunks_cover_the_id_range_once(self, leads):
        job = new_job()
        chunks = list(job.chunks.order_by("lo").values_list("lo", "hi"))
        assert job.chunks_total == len(chunks) == 5 and job.percent == 0
        assert chunks[0][0] == leads[0].pk and chunks[-1][1] == leads[-1].pk
        assert all(hi + 1 == next_lo for (_, hi), (next_lo, _) in zip(chunks, chunks[1:]))

    def test_a_claimed_chunk_is_not_claimed_again_before_the_timeout(self, leads):
        job = new_job()
        claimed = [services.rescore_chunk_claim(job_id=job.pk) for _ in range(5)]
        assert len({c.pk for c in claimed}) == 5 and all(c.attempts == 1 for c in claimed)
        assert services.rescore_chunk_claim(job_id=job.pk) is None  # all taken, none stale yet
        assert RescoreChunk.objects.filter(job=job, status="running").count() == 5

    def test_a_chunk_whose_worker_died_is_claimed_again_after_the_timeout_and_done_once(self, leads, settings):
        job = new_job()
        first = services.rescore_chunk_claim(job_id=job.pk)  # this worker "dies" here
        later = timezone.now() + timedelta(seconds=settings.LEADS_RESCORE_CHUNK_TIMEOUT + 1)
        again = services.rescore_chunk_claim(job_id=job.pk, now=later)
        assert (again.pk, again.attempts) == (first.pk, 2)
        assert services.rescore_chunk_run(chunk_id=first.pk, attempt=first.attempts) is False  # not its claim any more
        assert services.rescore_chunk_run(chunk_id=again.pk, attempt=again.attempts) is True
        assert services.rescore_chunk_run(chunk_id=again.pk, attempt=again.attempts) is False  # done: at most once
        again.refresh_from_db()
        job.refresh_from_db()
        assert again.status == "done" and job.chunks_done == 1 and job.processed == again.processed == 5

    def test_a_chunk_abandoned_too_often_fails_the_job_with_its_range(self, leads, settings):
        settings.LEADS_JOB_MAX_ATTEMPTS = 2
        job = new_job()
        step = timedelta(seconds=settings.LEADS_RESCORE_CHUNK_TIMEOUT + 1)
        now = timezone.now()
        for k in range(2):
            assert services.rescore_chunk_claim(job_id=job.pk, now=now + k * step).attempts == k + 1
        assert services.rescore_chunk_claim(job_id=job.pk, now=now + 2 * step) is None
        job.refresh_from_db()
        chunk = job.chunks.order_by("lo").first()
        assert job.status == "failed" and f"{chunk.lo}–{chunk.hi} were abandoned 2 times" in job.error
        assert chunk.status == "failed"
        assert services.rescore_chunk_claim(job_id=job.pk) is None  # a failed job hands out nothing


class TestJob:
    def test_a_chunked_job_ends_done_with_the_scores_of_the_batch_path(self, leads):
        single = new_job(chunked=False)
        services.rescore_job_run(job_id=single.pk)
        expected, history = scores(), ScoreChange.objects.count()
        reset_scores()
        job = new_job()
        RescoreJob.objects.filter(pk=job.pk).update(created_at=single.created_at)  # same as-of time
        with mock.patch("leads.services.scoring._queue_routing") as routing:
            job = services.rescore_chunks_work(job_id=job.pk)
        assert (job.status, job.chunks_done, job.percent, job.processed) == ("done", 5, 100, LEADS)
        assert scores() == expected and ScoreChange.objects.count() == history == job.changed
        assert {g for _, g, _ in expected.values()} == {"MQL", "SQL", "Lead"}
        mqls = sorted(Lead.objects.filter(grade="MQL", mql_at__isnull=False).values_list("pk", flat=True))
        assert mqls and sorted(pk for call in routing.call_args_list for pk in call.args[0]) == mqls
        # scoring a range twice gives the same result: a second job changes nothing
        again = new_job()
        assert services.rescore_chunks_work(job_id=again.pk).changed == 0 and scores() == expected

    def test_one_chunk_per_task_and_the_last_one_ends_the_job(self, leads):
        job = new_job()
        for k in range(4):
            job = services.rescore_chunks_work(job_id=job.pk, max_chunks=1)
            assert (job.status, job.chunks_done, job.percent) == ("running", k + 1, (k + 1) * 20)
        job = services.rescore_chunks_work(job_id=job.pk, max_chunks=1)
        assert (job.status, job.percent) == ("done", 100) and job.finished_at

    def test_a_failing_chunk_fails_the_job_and_the_previous_set_scores_again(self, leads, org,
                                                                            django_capture_on_commit_callbacks):
        old = published()
        services.rescore_chunks_work(job_id=new_job().pk)
        draft = services.rule_set_create_draft(by=org["marketing"], name="Retail push", copy_from=old)
        draft.attribute_rules.filter(field="industry").update(value=["retail"], points=30)
        real, calls = services._rescore_range_sql, []

        def rescore(compiled, **kwargs):
            calls.append(kwargs["lo"])
            if kwargs["rule_set_id"] == draft.pk and len(calls) == 3:
                raise RuntimeError("disk on fire")
            return real(compiled, **kwargs)

        with mock.patch("leads.services.scoring._rescore_range_sql", side_effect=rescore), \
                django_capture_on_commit_callbacks(execute=True):
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        job.refresh_from_db()
        assert job.chunks_total == 5 and job.status == "failed"
        assert job.error.startswith(f"Lead ids {calls[2]}–") and "RuntimeError: disk on fire" in job.error
        assert job.chunks.get(lo=calls[2]).status == "failed"
        assert published() == old and RuleSet.objects.get(pk=draft.pk).status == "draft"
        restore = RescoreJob.objects.exclude(pk=job.pk).filter(rule_set=old).latest("created_at")
        assert (restore.status, restore.chunks_total) == ("done", 5)
        assert not Lead.objects.exclude(scored_with=old).exists()

    def test_publishing_uses_chunks_for_a_large_table_and_routes_the_new_mqls(self, leads, org,
                                                                             django_capture_on_commit_callbacks):
        draft = services.rule_set_create_draft(by=org["marketing"], name="Copy", copy_from=published())
        with mock.patch("leads.services.scoring._queue_routing") as routing, \
                django_capture_on_commit_callbacks(execute=True) as callbacks:
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        job.refresh_from_db()
        assert (job.status, job.chunks_total, job.chunks_done) == ("done", 5, 5)
        assert len(callbacks) >= 5  # one message per chunk
        routed = sorted(pk for call in routing.call_args_list for pk in call.args[0])
        assert routed and routed == sorted(Lead.objects.filter(grade="MQL").values_list("pk", flat=True))

    def test_a_small_table_keeps_the_one_worker_batch_path(self, leads, org, settings,
                                                          django_capture_on_commit_callbacks):
        settings.LEADS_RESCORE_CHUNKED_MIN_LEADS = LEADS + 1
        draft = services.rule_set_create_draft(by=org["marketing"], name="Copy", copy_from=published())
        with django_capture_on_commit_callbacks(execute=True):
            job = services.rule_set_publish(rule_set=draft, by=org["marketing"])
        job.refresh_from_db()
        assert (job.status, job.chunks_total, job.processed) == ("done", 0, LEADS)

    def test_a_superseded_job_stops(self, leads, org):
        job = new_job()
        draft = services.rule_set_create_draft(by=org["marketing"], name="Newer", copy_from=published())
        RuleSet.objects.filter(status="published").update(status="archived")
        RuleSet.objects.filter(pk=draft.pk).update(status="published")
        job = services.rescore_chunks_work(job_id=job.pk)
        assert job.status == "failed" and "Superseded" in job.error and job.chunks_done == 0

    def test_the_sweeper_requeues_one_message_per_chunk_left(self, leads, settings):
        job = new_job()
        services.rescore_chunks_work(job_id=job.pk, max_chunks=2)
        RescoreJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        with mock.patch("leads.services.scoring.enqueue") as enqueue:
            assert services.rescore_jobs_resume_stale() == [job.pk]
        assert [c.args[0].name for c in enqueue.call_args_list] == ["leads.tasks.rescore_chunk_task"] * 3
        # and the old whole-job task resumes a chunked job by draining its chunks
        assert services.rescore_job_run(job_id=job.pk).status == "done"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SKIP LOCKED needs PostgreSQL; SQLite has one writer and claims plainly")
def test_two_connections_claiming_at_once_never_get_the_same_chunk(leads):
    from django.db import connections, transaction

    job = new_job()
    got, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():  # hold the first claim's lock while the other claims
                    chunk = services.rescore_chunk_claim(job_id=job.pk)
                    if chunk is None:
                        return
                    got.append(chunk.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(got) == sorted(job.chunks.values_list("pk", flat=True))  # each of the 5 exactly once


@pytest.mark.parametrize("chunked", [False, True])
def test_a_publishs_rescore_job_publishes_each_score_change_once(leads, chunked):
    """The rescore a publish starts (one worker's batches, or chunks) sends "lead.scored" for every lead
    whose score or grade it changed and "lead.grade_changed" where the grade moved, as a range rescore
    does (README's event table): integrations hear of a publish's new MQLs. A rerun changes nothing and
    sends nothing."""
    from integrations.models import ChangeEvent

    reset_scores()
    ChangeEvent.objects.all().delete()
    job = new_job(chunked=chunked)
    if chunked:
        services.rescore_chunks_work(job_id=job.pk)
    else:
        services.rescore_job_run(job_id=job.pk, batch_size=7)
    job.refresh_from_db()
    scored = ChangeEvent.objects.filter(event_type="lead.scored")
    assert job.changed == LEADS == scored.count()
    assert sorted(scored.values_list("object_id", flat=True)) == sorted(lead.pk for lead in leads)
    grades = dict(Lead.objects.values_list("pk", "grade"))
    changed = ChangeEvent.objects.filter(event_type="lead.grade_changed")
    assert changed.count() == LEADS  # from no grade to one
    assert {c.object_id: c.payload["grade"] for c in changed} == grades
    assert {c.payload["previous_grade"] for c in changed} == {""}
    again = new_job(chunked=chunked)
    services.rescore_chunks_work(job_id=again.pk) if chunked else services.rescore_job_run(job_id=again.pk)
    assert ChangeEvent.objects.filter(event_type__in=["lead.scored", "lead.grade_changed"]).count() == 2 * LEADS
