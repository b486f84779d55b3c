"""The one django-tasks task the worker runs: a Job, with its retries and backoff."""

import traceback

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import Job
from .services import _hand_to_worker, retry_delay


@task()
def job_run(job_id: int) -> str:
    """Run one attempt of a job. A done or failed job is not run again (a task result enqueued
    twice, or a worker that picked up a stale retry, changes nothing)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (Job.Status.PENDING, Job.Status.RETRYING):
            return job.status if job else "missing"
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.save(update_fields=["status", "attempts"])
    try:
        import_string(job.task_path).call(*job.args)
    except Exception:
        job.last_error = traceback.format_exc()
        if job.attempts >= job.max_attempts:
            job.status, job.next_attempt_at = Job.Status.FAILED, None
            job.finished_at = timezone.now()
        else:
            job.status = Job.Status.RETRYING
            job.next_attempt_at = timezone.now() + retry_delay(job.attempts)
        job.save(update_fields=["status", "last_error", "next_attempt_at", "finished_at"])
        if job.status == Job.Status.RETRYING:
            _hand_to_worker(job.pk, run_after=job.next_attempt_at)
        return job.status
    job.status, job.next_attempt_at, job.finished_at = Job.Status.DONE, None, timezone.now()
    job.save(update_fields=["status", "next_attempt_at", "finished_at"])
    return job.status
