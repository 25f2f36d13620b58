"""Benchmarks: ingest speed and memory, and the plain LangChain baseline clinicbot is compared with."""


def side_by_side(headers: tuple[str, str], left: dict, right: dict, rows=None) -> None:
    """Print one metric per line, the baseline's figure beside the other's."""
    columns(headers, (left, right), rows)


def columns(headers: tuple[str, ...], figures: tuple[dict, ...], rows=None) -> None:
    """Print one metric per line, each system's figure in its own column."""
    width = max(16, *(len(h) + 2 for h in headers))  # a long header never runs into its neighbour
    print(f"{'metric':<20}" + "".join(f"{h:>{width}}" for h in headers))
    for row in rows or figures[0]:
        print(f"{row:<20}" + "".join(f"{f[row]:>{width}.3f}" for f in figures))
