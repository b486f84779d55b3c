"""The task queue the rest of Bibarys uses (docs/deploy.md, "Background tasks").

    from django_tasks import task          # django.tasks on Django 6
    from jobs.services import enqueue_after_commit

    @task()
    def receipt_fiscalise(sale_id: int) -> None: ...

    enqueue_after_commit(receipt_fiscalise, sale.pk, key=f"fiscal:sale:{sale.idempotency_key}")

The work is recorded (a Job row) in the caller's transaction and handed to the worker only
when that transaction commits: a rolled-back sale leaves no job behind, and the worker never
runs ahead of the data it reads. The key is unique in the database: the same key queued twice
is one job. A failure is retried with exponential backoff up to JOBS_MAX_ATTEMPTS; then the
job is FAILED and shown in Django admin (Background tasks, filtered by status)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction

from .models import Job


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: base · 2^(n−1), at most JOBS_RETRY_MAX_SECONDS."""
    base = settings.JOBS_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), settings.JOBS_RETRY_MAX_SECONDS))


def enqueue_after_commit(task, *args, key: str, max_attempts: int | None = None) -> Job:
    """Queue `task(*args)` (a django-tasks Task; args JSON-serialisable) once per `key`, after
    the current transaction commits (at once outside a transaction). Returns the job, the
    existing one when the key was queued before."""
    job, created = Job.objects.get_or_create(
        key=key,
        defaults={"task_path": task.module_path, "args": list(args),
                  "max_attempts": max_attempts or settings.JOBS_MAX_ATTEMPTS},
    )
    if created:
        transaction.on_commit(partial(_hand_to_worker, job.pk))
    return job


def _hand_to_worker(job_id: int, run_after=None) -> None:
    from .tasks import job_run  # the task module imports this one

    (job_run.using(run_after=run_after) if run_after else job_run).enqueue(job_id)


def job_requeue(*, job: Job) -> None:
    """An admin's "try again" for a failed job: one more round of attempts, from now."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.PENDING, attempts=0, next_attempt_at=None, finished_at=None)
        if updated:
            transaction.on_commit(partial(_hand_to_worker, job.pk))
