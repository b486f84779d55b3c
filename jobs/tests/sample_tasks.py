"""Tasks the queue's tests run: each leaves a line in a file, so a run is seen from outside."""

from pathlib import Path

from django_tasks import task


@task()
def note(path: str, text: str) -> None:
    with Path(path).open("a") as file:
        file.write(text + "\n")


@task()
def fail_times(path: str, failures: int) -> None:
    """Fails its first `failures` runs (counted in the file), then succeeds."""
    file = Path(path)
    runs = len(file.read_text().splitlines()) if file.exists() else 0
    with file.open("a") as out:
        out.write("run\n")
    if runs < failures:
        raise ConnectionError(f"provider down (run {runs + 1})")
