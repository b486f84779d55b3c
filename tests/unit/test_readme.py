"""The README's quick start says what a newcomer meets, and what it says is true: the port is
chosen with PORT=, and manage.py commands outside `make` need DEBUG=1 (the settings refuse to
start without a SECRET_KEY when DEBUG is off, as in production)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUICK_START = README[README.index("## Quick start"):README.index("## Screenshots")]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_quick_start_names_port_and_make_honours_it():
    assert "make run PORT=8001" in QUICK_START
    plan = subprocess.run(["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout
    assert "runserver 127.0.0.1:8001" in plan


def test_the_quick_start_says_manage_py_needs_debug_and_why():
    assert "DEBUG=1 .venv/bin/python manage.py check_stock" in QUICK_START
    # The message the README quotes is the one a command without DEBUG stops with.
    env = {key: value for key, value in os.environ.items()
           if key not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(ROOT)
    if (ROOT / ".env").exists():
        pytest.skip("a local .env decides DEBUG here")
    refused = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
    assert refused.returncode != 0
    message = "SECRET_KEY is required when DEBUG is off."
    assert message in refused.stderr and message in QUICK_START
    allowed = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                             env={**env, "DEBUG": "1"}, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr


def test_the_accounts_table_gives_the_balance_the_demo_leaves():
    # orders/tests/test_demo.py checks that the seeded shoppers end with this balance.
    from accounts.demo import WELCOME_BALANCE

    assert WELCOME_BALANCE == 50000
    assert "(50 000 ₸ each)" in QUICK_START
    assert "tops each\nwallet back up to 50 000 ₸" in QUICK_START
