"""What the benchmark scripts that measure in a fresh interpreter share: run the script again as a worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def run_worker(script: str, arguments: list[str]) -> dict[str, Any]:
    """Run ``script`` (a benchmark's ``__file__``) with ``--worker ...`` in a fresh interpreter from the repository
    folder and return the JSON it prints last (its figures)."""
    command = [sys.executable, str(Path(script).resolve()), "--worker", *arguments]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark worker failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
