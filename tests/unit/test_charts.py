"""The Quality tab's pictures and their text alternative, drawn from a run's figures as the staff desk keeps them."""

from __future__ import annotations

from webui import charts

RUN = {
    "at": "2026-12-04 18:00",
    "figures": {"test": {"answers": {"fact_recall": 0.7, "kind_accuracy": 0.83}, "safety": {"crisis_recall": 1.0}}},
}
MATRIX = {"crisis": {"crisis": 36}, "emergency": {"emergency": 15}, "answer": {"answer": 40, "no_answer": 6}}
TOPICS = {"costs": 0.5, "safety": 1.0}


def test_every_chart_is_a_picture():
    for figure in (charts.history_chart([RUN, RUN]), charts.confusion_chart(MATRIX), charts.topic_chart(TOPICS)):
        assert figure.get_axes(), "an empty figure"


def test_the_text_alternative_gives_the_charts_numbers_as_tables():
    text = charts.as_text([RUN], TOPICS, MATRIX)
    assert "| 2026-12-04 18:00 |" in text and "70%" in text and "100%" in text  # facts, and the crisis recall
    assert "| costs | 50% |" in text
    assert "{" not in text and "[" not in text  # no JSON or Python lists on a page
