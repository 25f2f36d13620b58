"""Benchmarks: ingest speed and memory, and the plain LangChain baseline clinicbot is compared with."""


def side_by_side(headers: tuple[str, str], left: dict, right: dict, rows=None) -> None:
    """Print one metric per line, the baseline's figure beside the other's."""
    width = max(16, *(len(h) + 2 for h in headers))  # a long header never runs into its neighbour
    print(f"{'metric':<20}{headers[0]:>{width}}{headers[1]:>{width}}")
    for row in rows or left:
        print(f"{row:<20}{left[row]:>{width}.3f}{right[row]:>{width}.3f}")
