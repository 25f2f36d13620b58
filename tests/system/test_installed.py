"""The package as a clinic's IT would install it: the wheel built from the repo, installed into a fresh virtual
environment outside the repo (not editable), answers a question with the models inside the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(args: list, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
@pytest.mark.integration
def test_the_installed_wheel_answers_from_outside_the_repo(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLINICBOT_", "PYTHON"))}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", TOKENIZERS_PARALLELISM="false")
    wheels = tmp_path / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, REPO],
        tmp_path,
        env,
    )
    (wheel,) = wheels.glob("clinicbot-*.whl")
    # a fresh venv; its third-party packages come from this environment's (a path, so the editable
    # install's finder there is not run), the project itself only from the wheel
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel], tmp_path, env)
    python = venv / "bin" / "python"
    work = tmp_path / "clinic"
    shutil.copytree(REPO / "corpus", work / "corpus")

    where = run([python, "-c", "import bot, models; print(bot.__file__); print(models.folder('guard'))"], work, env)
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout
    entry_points = next(site.glob("clinicbot-*.dist-info")) / "entry_points.txt"
    assert "clinicbot = clinicbot.cli:main" in entry_points.read_text()

    synced = json.loads(run([python, "-m", "clinicbot", "ingest", "--json"], work, env).stdout)
    assert len(synced["added"]) == 5 and synced["failed"] == []
    answer = json.loads(run([python, "-m", "clinicbot", "ask", "--json", "How is ketamine given?"], work, env).stdout)
    assert answer["kind"] == "answer" and answer["citations"]
    assert all(c["source"] in synced["added"] for c in answer["citations"])
