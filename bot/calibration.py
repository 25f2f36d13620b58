"""Composer weights and the abstention threshold, as calibrated on the eval dev split."""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from bot.compose import Weights

PATH = Path(__file__).with_name("data") / "calibration.json"


def load_weights(path: Path = PATH) -> Weights:
    """Calibrated weights if `python -m evals calibrate` wrote them, else the defaults."""
    if not path.exists():
        return Weights()
    data = json.loads(path.read_text())
    names = {f.name for f in fields(Weights)}
    return Weights(**{k: v for k, v in data.get("weights", {}).items() if k in names})


def save_weights(weights: Weights, evidence: dict, path: Path = PATH) -> None:
    path.write_text(json.dumps({"weights": asdict(weights), "calibrated_on": evidence}, indent=2) + "\n")
