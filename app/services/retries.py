"""How long the worker waits before trying an outbox item again (a webhook delivery, an email), and when it
gives up: quickly at first, then less and less often, for a day."""

from datetime import timedelta

# After the first attempt, the waits before each next one; the last repeats until a day has passed.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
)
GIVE_UP_AFTER = timedelta(days=1)


def wait_after(attempts: int) -> timedelta:
    return BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
