"""Every job's name, in one place. A name is also the job's scheduler id, so a job is found,
replaced and removed by id, without scanning the others (`JobQueue.get_jobs_by_name` walks
every job: with thousands of coachees that turns start-up quadratic)."""

from __future__ import annotations

from telegram.ext import Application

RETENTION = "retention"
DIGESTS = "coach-digests"  # the look for coaches' weekly digests that are due


def reminders(user_id: int) -> str:
    """The one job that wakes for a coachee's next reminder (bot.telegram.jobs)."""
    return f"reminders:{user_id}"


def followup(user_id: int) -> str:
    """The next-day question after a crisis or GP advice."""
    return f"followup:{user_id}"


def exercise_step(chat_id: int) -> str:
    """The timer of the running exercise's next step in a chat."""
    return f"exercise:{chat_id}"


def of_person(user_id: int, chat_id: int) -> tuple[str, ...]:
    """Every job that acts for one person: what /delete, erasure and a block stop."""
    return reminders(user_id), followup(user_id), exercise_step(chat_id)


def remove_job(application: Application, name: str) -> None:
    """Remove the job with this name (its id), if any, without scanning the others."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    scheduler = job_queue.scheduler
    if scheduler.get_job(name) is not None:
        scheduler.remove_job(name)


def has_job(application: Application, name: str) -> bool:
    """Whether a job with this name (its id) is planned, without scanning the others."""
    job_queue = application.job_queue
    return job_queue is not None and job_queue.scheduler.get_job(name) is not None
