"""Background jobs of the directory. Jobs take ids and call services (docs/adr/0002)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .io import import_organisations
from .models import DirectoryImport


@task()
def run_directory_import(import_id: int) -> dict:
    """Apply an uploaded directory file. Safe to run twice: a finished import is skipped."""
    with transaction.atomic():
        job = DirectoryImport.objects.select_for_update().get(pk=import_id)
        if job.status in {DirectoryImport.Status.DONE, DirectoryImport.Status.REJECTED}:
            return job.report
        job.status = DirectoryImport.Status.RUNNING
        job.save(update_fields=["status"])
    actor = job.created_by if job.created_by is not None else "system"
    try:
        report = import_organisations(
            bytes(job.content), job.filename, actor=actor, dry_run=job.dry_run
        )
    except Exception as exc:
        DirectoryImport.objects.filter(pk=import_id).update(
            status=DirectoryImport.Status.FAILED,
            finished_at=timezone.now(),
            report={"errors": [{"row": 0, "column": "", "message": str(exc)}]},
        )
        raise
    DirectoryImport.objects.filter(pk=import_id).update(
        status=DirectoryImport.Status.DONE if report.ok else DirectoryImport.Status.REJECTED,
        report=report.as_dict(),
        finished_at=timezone.now(),
    )
    return report.as_dict()


def enqueue_directory_import(job: DirectoryImport) -> None:
    """Queue the import once the upload is committed (a rolled-back upload queues nothing)."""
    transaction.on_commit(lambda: run_directory_import.enqueue(job.pk))
