"""The task queue end to end: django-tasks' database backend and its worker, in-process."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jobs.models import Job
from jobs.services import enqueue_after_commit, retry_delay

from .sample_tasks import fail_times, note

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    """What `manage.py db_worker --batch` does: every task that is due, then stop."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test-worker",
           excluded_queue_names=[]).run()


def test_a_task_queued_in_a_committed_transaction_runs_in_the_worker(tmp_path):
    out = tmp_path / "out.txt"
    with transaction.atomic():
        enqueue_after_commit(note, str(out), "sold", key="note:1")
        assert not DBTaskResult.objects.exists()  # handed over only at the commit
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert out.read_text() == "sold\n"
    job = Job.objects.get(key="note:1")
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
    assert job.finished_at is not None


def test_a_task_queued_in_a_transaction_that_rolls_back_never_runs(tmp_path):
    out = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(note, str(out), "never", key="note:rolled-back")
        raise RuntimeError("the sale failed")
    run_worker()
    assert not out.exists()
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_the_same_key_queued_twice_runs_once(tmp_path):
    out = tmp_path / "out.txt"
    first = enqueue_after_commit(note, str(out), "once", key="fiscal:sale:abc")
    again = enqueue_after_commit(note, str(out), "twice", key="fiscal:sale:abc")
    assert first.pk == again.pk
    run_worker()
    run_worker()
    assert out.read_text() == "once\n"


def test_a_failing_task_is_retried_with_backoff(tmp_path, settings):
    settings.JOBS_RETRY_BASE_SECONDS = 30
    out = tmp_path / "runs.txt"
    before = timezone.now()
    enqueue_after_commit(fail_times, str(out), 5, key="flaky:1")
    run_worker()  # the first attempt fails; its retry is not due for 30 s
    job = Job.objects.get(key="flaky:1")
    assert (job.status, job.attempts) == (Job.Status.RETRYING, 1)
    assert "ConnectionError: provider down (run 1)" in job.last_error
    assert before + timedelta(seconds=30) <= job.next_attempt_at
    assert job.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    retry = DBTaskResult.objects.ready().exists(), DBTaskResult.objects.filter(status="READY").get()
    assert retry[0] is False  # not due yet: the worker left it waiting
    assert retry[1].run_after == job.next_attempt_at
    assert out.read_text() == "run\n"


def test_the_backoff_doubles_up_to_its_ceiling(settings):
    settings.JOBS_RETRY_BASE_SECONDS, settings.JOBS_RETRY_MAX_SECONDS = 30, 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 12)] == [
        30, 60, 120, 1920, 3600, 3600]


def test_a_task_that_keeps_failing_is_failed_and_shown_to_the_admin(tmp_path, settings, admin_client):
    settings.JOBS_RETRY_BASE_SECONDS = 0  # every retry due at once, so one batch tries them all
    out = tmp_path / "runs.txt"
    enqueue_after_commit(fail_times, str(out), 10, key="flaky:2", max_attempts=3)
    run_worker()
    job = Job.objects.get(key="flaky:2")
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert len(out.read_text().splitlines()) == 3  # and no fourth run
    assert "provider down (run 3)" in job.last_error
    page = admin_client.get("/admin/jobs/job/", {"status__exact": "failed"})
    assert page.status_code == 200
    assert "flaky:2" in page.content.decode()
    detail = admin_client.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert "provider down (run 3)" in detail


def test_a_task_that_recovers_within_its_attempts_is_done(tmp_path, settings):
    settings.JOBS_RETRY_BASE_SECONDS = 0
    out = tmp_path / "runs.txt"
    enqueue_after_commit(fail_times, str(out), 2, key="flaky:3", max_attempts=5)
    run_worker()
    job = Job.objects.get(key="flaky:3")
    assert (job.status, job.attempts) == (Job.Status.DONE, 3)


def test_the_admin_tries_a_failed_task_again(tmp_path, settings, admin_client):
    settings.JOBS_RETRY_BASE_SECONDS = 0
    out = tmp_path / "runs.txt"
    enqueue_after_commit(fail_times, str(out), 1, key="flaky:4", max_attempts=1)
    run_worker()
    job = Job.objects.get(key="flaky:4")
    assert job.status == Job.Status.FAILED
    response = admin_client.post("/admin/jobs/job/", {"action": "try_again",
                                                      "_selected_action": [job.pk]})
    assert response.status_code == 302
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 1)
