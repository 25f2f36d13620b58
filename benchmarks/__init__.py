"""Benchmarks: ingest speed and memory, and the plain LangChain baseline clinicbot is compared with."""


def side_by_side(headers: tuple[str, str], left: dict, right: dict, rows=None) -> None:
    """Print one metric per line, the baseline's figure beside the other's."""
    print(f"{'metric':<20}{headers[0]:>16}{headers[1]:>16}")
    for row in rows or left:
        print(f"{row:<20}{left[row]:>16.3f}{right[row]:>16.3f}")
