"""Benchmark: a 100,000-row lead CSV imported through the app's import job, at 0 and at N existing leads.

    .venv/bin/python bench/import.py                      # 100,000 rows, at 0 and at 1,000,000 leads
    .venv/bin/python bench/import.py --reuse --rows 100000 --existing 1000000

Databases (created if missing, PostgreSQL only): `salesops_bench_w3` holds the N existing leads
(bench/_setup.py generate_leads, no events; REPLACED unless `--reuse` finds N there; the rows an
import adds are deleted again after the run), `salesops_bench_w3_empty` the 0-lead run (emptied
before it). DATABASE_URL names the first; the second is its name + "_empty".

Each run is a child process (so its memory is its own): it reads the generated CSV file, starts a
LeadImportJob as the upload page and the API do (lead_import_job_start: checks the header, stages
the file) and runs it as the Celery task does (lead_import_job_run), by a manager who owns the new
leads (so their assignment audit rows, "lead.created" changes and initial scores are all written).
Measured: wall time of the job run (rows/s = file rows / time) and peak memory as the growth of
the process's peak resident set (resource.getrusage ru_maxrss after the run minus before it; the
CSV bytes are already read before). 1% of the rows repeat an earlier row's email and, at N
leads, 1% an existing lead's: they are reported as duplicates, not imported.

Wall time on a shared machine says as much about the neighbours as about the import, so each run
also prints the CPU seconds of the process and of its PostgreSQL backend (/proc) and rows per CPU
second (what the import would do alone, I/O waits aside), and the load average. `db_bound_rows_per_s`
is rows per CPU second of the PostgreSQL backend alone: the most this machine's database does with
these writes even if the import's Python took no time at all (parsed elsewhere, in parallel).

Prints one line per run and ends with
`RESULT name=import rows=... rows_per_s_0=... peak_mb_0=... rows_per_s_n=... peak_mb_n=... targets_met=0|1`.
Targets (issue 14): at least 20,000 rows/s and under 200 MB, in both runs.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# bench/ is on sys.path
from _setup import ROOT, configure, ensure_database, generate_leads

configure(database="salesops_bench_w3")
TARGET_ROWS_PER_S = 20_000
TARGET_PEAK_MB = 200
HEADER = "Full Name,E-mail,Phone,Company,Sector,Employees,Area,Channel,Job title,Visits,Seconds on site,Opt out\n"
SECTORS = ("Technology", "Finance", "Retail", "Manufacturing", "Healthcare", "")
AREAS = ("East", "North", "South", "Central", "Overseas")
CHANNELS = ("website", "referral", "paid_search", "webinar", "other")


def write_csv(path: Path, *, rows: int, existing: int) -> None:
    """`rows` leads; 1% repeat an earlier row's email, at `existing` > 0 another 1% an existing lead's."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            if i % 100 == 99:
                email = f"import{i - 50}@bench.example"  # same as an earlier row of the file
            elif existing and i % 100 == 49:
                email = f"lead{1 + (i * 7919) % existing}@bench.example"  # an existing lead (generate_leads)
            else:
                email = f"import{i}@bench.example"
            handle.write(f"Person {i},{email},+86 21 5555 {i % 10000:04d},\"Company {i % 7000}, Ltd\","
                         f"{SECTORS[i % 6]},{1 + (i * 37) % 5000},{AREAS[i % 5]},{CHANNELS[i % 5]},"
                         f"Buyer,{i % 40},{(i * 13) % 3600},{'yes' if i % 50 == 0 else 'no'}\n")


MAPPING = {"name": "bench", "columns": {
    "name": "Full Name", "email": "E-mail", "phone": "Phone", "company": "Company", "industry": "Sector",
    "company_size": "Employees", "region": "Area", "source": "Channel", "job_title": "Job title",
    "total_visits": "Visits", "time_on_site": "Seconds on site", "do_not_email": "Opt out"}}


def child(path: str) -> None:
    """One measured import (a process of its own)."""
    import django

    django.setup()
    from unittest import mock

    from django.db import connection

    from leads.models import Lead, LeadImportJob
    from leads.services import imports
    from teams.models import User

    user, _ = User.objects.get_or_create(username="bench-importer", defaults={"role": User.Role.MANAGER})
    data = Path(path).read_bytes()
    with mock.patch.object(imports, "_queue"):  # the task is run here, in this process
        job = imports.lead_import_job_start(by=user, data=data, file_name="bench.csv", mapping=MAPPING,
                                            preview=False)
    from leads.services.imports import chunks

    phases: dict[str, float] = {}

    def timed(name, fn):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start
        return run

    timed_rescore = timed("rescore", imports.leads_rescore_range)
    from leads.services import scoring

    patches = [mock.patch.object(chunks, "existing_keys", timed("dedupe_lookup", chunks.existing_keys)),
               mock.patch.object(chunks.LeadWriter, "_insert_copy", timed("copy", chunks.LeadWriter._insert_copy)),
               mock.patch.object(chunks.LeadWriter, "_stage_copy", timed("copy", chunks.LeadWriter._stage_copy)),
               mock.patch.object(scoring, "leads_score_staged", timed("score", scoring.leads_score_staged)),
               mock.patch.object(scoring, "leads_record_staged_scores",
                                 timed("history_and_scored_changes", scoring.leads_record_staged_scores)),
               mock.patch.object(chunks.LeadWriter, "_score_and_insert",
                                 timed("score_insert_changes_audit", chunks.LeadWriter._score_and_insert)),
               mock.patch.object(chunks.LeadWriter, "_after_insert",
                                 timed("audit_and_changes", chunks.LeadWriter._after_insert)),
               mock.patch.object(chunks.LeadWriter, "refresh_statistics",
                                 timed("analyze", chunks.LeadWriter.refresh_statistics)),
               mock.patch.object(chunks, "publish_select", timed("created_changes", chunks.publish_select)),
               mock.patch.object(chunks, "leads_record_imported_owners_from",
                                 timed("audit", chunks.leads_record_imported_owners_from)),
               mock.patch.object(connection, "commit", timed("commit", connection.commit))]
    for patch in patches:
        patch.start()

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before, db_before = process_cpu(), backend_cpu(backend)
    start = time.perf_counter()
    with mock.patch.object(imports, "leads_rescore_range", timed_rescore):
        imports.lead_import_job_run(job_id=job.pk)
    elapsed = time.perf_counter() - start
    cpu, db_cpu = process_cpu() - cpu_before, backend_cpu(backend) - db_before
    after_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = LeadImportJob.objects.get(pk=job.pk)
    outcome = job.outcome
    print(json.dumps({
        "status": job.status, "error": job.error, "rows": outcome.total_rows, "created": outcome.created,
        "duplicates": len(outcome.duplicates), "errors": outcome.error_count, "seconds": elapsed,
        "rescore_s": phases.get("rescore", 0.0), "phases": {k: round(v, 2) for k, v in phases.items()},
        "python_cpu_s": cpu, "db_cpu_s": db_cpu, "peak_rss_growth_mb": (after_kb - before_kb) / 1024,
        "peak_rss_mb": after_kb / 1024, "leads_after": Lead.objects.count(),
        "assigned": outcome.counts.get("assigned"), "rescored": outcome.counts.get("rescored")}), flush=True)


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend serving this process (same machine: /proc), or 0."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def delete_above(max_id: int) -> None:
    """Remove what a run added to the reused database: leads above `max_id` and the rows pointing
    at them (every model's foreign key to Lead, constraint in the database or not)."""
    from django.db import connection

    from leads.models import Lead

    with connection.cursor() as cursor:
        for relation in Lead._meta.related_objects:
            if relation.one_to_many or relation.one_to_one:
                table, column = relation.related_model._meta.db_table, relation.field.column
                cursor.execute(f'DELETE FROM {table} WHERE "{column}" > %s', [max_id])
        cursor.execute("DELETE FROM leads_lead WHERE id > %s", [max_id])
        cursor.execute("DELETE FROM integrations_changeevent WHERE object_type = 'lead' AND object_id > %s", [max_id])
        cursor.execute("DELETE FROM leads_leadimportjob")
        # as a table that never had them: the deleted rows' dead index entries would slow the next
        # run's reads at the tables' ends (the change feed's last id: 10 ms instead of 0.1)
        for table in ("leads_lead", "integrations_changeevent", "leads_scorechange", "leads_assignment"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def prepare(database_url: str, *, existing: int, reuse: bool) -> None:
    """Migrate the database and give it exactly `existing` generated leads."""
    os.environ["DATABASE_URL"] = database_url
    ensure_database("bench/import.py")
    env = {**os.environ, "BENCH_IMPORT_PREPARE": str(existing), "BENCH_IMPORT_REUSE": "1" if reuse else ""}
    subprocess.run([sys.executable, __file__, "--prepare-only"], check=True, env=env, cwd=ROOT)


def prepare_here() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from leads.models import Lead

    call_command("migrate", verbosity=0)
    existing = int(os.environ["BENCH_IMPORT_PREPARE"])
    if existing and os.environ.get("BENCH_IMPORT_REUSE") and Lead.objects.filter(pk__lte=existing).count() == existing:
        delete_above(existing)
        print(f"existing={existing} generate_s=reused", flush=True)
        return
    start = time.perf_counter()
    if existing:
        generate_leads(existing, events_per_lead=0)
    else:
        with connection.cursor() as cursor:
            # the log tables by name: their references to leads are no constraints (leads/0021), so
            # CASCADE does not reach them
            cursor.execute("TRUNCATE leads_lead, leads_scorechange, leads_assignment, integrations_changeevent"
                           " RESTART IDENTITY CASCADE")
            cursor.execute("ANALYZE leads_lead")
    print(f"existing={existing} generate_s={time.perf_counter() - start:.1f}", flush=True)


def run(database_url: str, path: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, env=env, cwd=ROOT,
                          capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = os.getloadavg()[0]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the N generated leads when they are there")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    if args.prepare_only:
        return prepare_here()

    base_url = os.environ["DATABASE_URL"]
    empty_url = base_url.rsplit("/", 1)[0] + "/" + base_url.rsplit("/", 1)[1] + "_empty"
    folder = Path(os.environ.get("BENCH_IMPORT_DIR", "/tmp"))
    results = {}
    for label, url, existing in (("0", empty_url, 0), ("n", base_url, args.existing)):
        prepare(url, existing=existing, reuse=args.reuse)
        path = folder / f"bench_import_{args.rows}_{existing}.csv"
        write_csv(path, rows=args.rows, existing=existing)
        figures = run(url, path)
        figures["rows_per_s"] = figures["rows"] / figures["seconds"]
        results[label] = figures
        print(f"existing={existing} status={figures['status']} rows={figures['rows']} created={figures['created']} "
              f"duplicates={figures['duplicates']} errors={figures['errors']} seconds={figures['seconds']:.2f} "
              f"rows_per_s={figures['rows_per_s']:.0f} rescore_s={figures['rescore_s']:.2f} "
              f"python_cpu_s={figures['python_cpu_s']:.2f} db_cpu_s={figures['db_cpu_s']:.2f} "
              f"rows_per_cpu_s={figures['rows'] / (figures['python_cpu_s'] + figures['db_cpu_s']):.0f} "
              f"db_bound_rows_per_s={figures['rows'] / figures['db_cpu_s'] if figures['db_cpu_s'] else 0:.0f} "
              f"peak_rss_growth_mb={figures['peak_rss_growth_mb']:.0f} peak_rss_mb={figures['peak_rss_mb']:.0f} "
              f"assigned={figures['assigned']} load1={figures['load']:.2f} {figures['error']}".rstrip(), flush=True)
        print(f"existing={existing} phases_s=" + ",".join(f"{k}:{v}" for k, v in figures["phases"].items()), flush=True)
        path.unlink()
    met = all(r["status"] == "done" and r["rows_per_s"] >= TARGET_ROWS_PER_S
              and r["peak_rss_growth_mb"] < TARGET_PEAK_MB for r in results.values())
    zero, n = results["0"], results["n"]
    print(f"RESULT name=import rows={args.rows} existing={args.existing} rows_per_s_0={zero['rows_per_s']:.0f} "
          f"peak_mb_0={zero['peak_rss_growth_mb']:.0f} rows_per_s_n={n['rows_per_s']:.0f} "
          f"peak_mb_n={n['peak_rss_growth_mb']:.0f} memory=ru_maxrss_growth load1={os.getloadavg()[0]:.2f} "
          f"targets_met={int(met)}", flush=True)


if __name__ == "__main__":
    main()
