"""The CI gate: Clerk's metrics against the floors in eval/thresholds.json."""

import json
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"
THRESHOLDS_LOBO = Path(__file__).resolve().parent / "thresholds_lobo.json"  # {"Clerk": {"pooled": ...}}


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    checked: int = 0
    skipped: list[str] = field(default_factory=list)  # floors for splits this run left out


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    """{system: {split: {metric: floor}}}; keys starting with "_" are notes."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def check(metrics: dict[str, dict[str, dict]], floors: dict) -> GateResult:
    """Every floor for a system and split that the run measured; a missing figure fails."""
    gate = GateResult()
    for system, per_split in floors.items():
        for split, limits in per_split.items():
            measured = metrics.get(system, {}).get(split)
            if measured is None:
                gate.skipped.append(f"{system} {split}")
                continue
            for metric, floor in limits.items():
                gate.checked += 1
                value = measured.get(metric)
                if value is None or value < floor:
                    shown = "n/a" if value is None else f"{value:.3f}"
                    gate.failures.append(f"{system} {split} {metric}: {shown} < floor {floor}")
    return gate


FLOORED = ("answer_accuracy", "citation_accuracy", "hit@5", "abstention_recall")


def raise_floors(floors: dict, metrics: dict[str, dict[str, dict]], system: str = "Clerk",
                 splits: tuple[str, ...] = ("test", "all"), margin: float = 0.03) -> dict:
    """New floors: each measured figure less ``margin``, rounded down; a floor never falls."""
    from eval.metrics import floor_to

    new = {name: {split: dict(limits) for split, limits in per.items()}
           for name, per in floors.items()}
    for split in splits:
        limits = new.setdefault(system, {}).setdefault(split, {})
        for metric in FLOORED:
            value = metrics.get(system, {}).get(split, {}).get(metric)
            if value is not None:
                limits[metric] = max(limits.get(metric, 0.0), floor_to(max(value - margin, 0.0)))
    return new
