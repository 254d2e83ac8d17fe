"""Background jobs go through the django.tasks API on both engines: the embedded database
queue (default) and Redis workers (large deployments), the latter against the real Redis
on 127.0.0.1:6379."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.management import call_command

from ttdn.directory.models import DirectoryImport, Organisation
from ttdn.directory.tasks import enqueue_directory_import, run_directory_import

CSV = "name,kind\nTỉnh Hàng Đợi,province\n".encode()


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def use_backend(settings):
    # django-tasks drops its backend instances when the TASKS setting changes
    def use(config: dict) -> None:
        settings.TASKS = {"default": config}

    return use


# The workers close and reopen database connections as they do in production, so
# these tests commit for real (transactional_db) instead of running inside one transaction.
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_and_the_worker_runs_the_job(use_backend):
    use_backend({"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]})
    job = DirectoryImport.objects.create(filename="x.csv", content=CSV)
    enqueue_directory_import(job)  # outside a transaction: on_commit runs at once
    job.refresh_from_db()
    assert job.status == DirectoryImport.Status.QUEUED  # waiting for the worker
    call_command("db_worker", "--batch", "--queue-name", "*", verbosity=0)
    job.refresh_from_db()
    assert job.status == DirectoryImport.Status.DONE
    assert Organisation.objects.filter(name="Tỉnh Hàng Đợi").count() == 1


def test_a_job_run_twice_does_not_import_twice(db):
    job = DirectoryImport.objects.create(filename="x.csv", content=CSV)
    run_directory_import.call(job.pk)
    run_directory_import.call(job.pk)
    assert Organisation.objects.filter(name="Tỉnh Hàng Đợi").count() == 1


@pytest.mark.redis
@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_redis_backend_runs_the_job_on_an_rq_worker(use_backend, settings):
    queue = f"ttdn-test-{uuid.uuid4().hex[:8]}"
    test_redis = {"URL": "redis://127.0.0.1:6379/15", "DEFAULT_TIMEOUT": 60}
    settings.RQ_QUEUES = {"default": test_redis, queue: test_redis}
    use_backend({"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]})
    import django_rq

    job = DirectoryImport.objects.create(filename="x.csv", content=CSV)
    result = run_directory_import.using(queue_name=queue).enqueue(job.pk)
    rq_queue = django_rq.get_queue(queue)
    try:
        assert rq_queue.count == 1  # really in Redis
        # SimpleWorker runs the job in this process, so it sees the test database
        call_command(
            "rqworker",
            queue,
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
            "--worker-class",
            "rq.worker.SimpleWorker",
            verbosity=0,
        )
        job.refresh_from_db()
        assert job.status == DirectoryImport.Status.DONE
        result.refresh()
        assert result.status == "SUCCESSFUL"
        assert result.return_value["inserted"] == 1
    finally:
        rq_queue.empty()
        rq_queue.connection.delete(*rq_queue.connection.keys(f"rq:*{queue}*") or ["x"])
