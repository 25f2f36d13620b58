"""The guard's training reads pieces of longer messages alone, as the guard does at run time: a piece of an
ordinary question, a refusal or a worry is no crisis on its own. Tiny rows, no model."""

from __future__ import annotations

from train.guard import parts_of

ROWS = [
    ("how long is the visit. probably nothing but my arm itches after the needle", "allowed", ""),
    ("is the spray as strong as the stuff at parties? want to have fun not fix my head", "refused", ""),
    ("everyone would be better off without me. what time do you open", "crisis", ""),
    ("my chest is crushing and my arm is numb. probably nothing right", "emergency", ""),
    ("how long is the visit", "allowed", ""),  # already a row of its own: not repeated as a piece
    ("what time do you open", "allowed", ""),
]


def test_pieces_of_non_danger_messages_keep_their_message_label():
    pieces = parts_of(ROWS, cap=100, seed=13)
    assert ("probably nothing but my arm itches after the needle", "allowed", "") in pieces
    assert ("want to have fun not fix my head", "refused", "") in pieces
    assert all(label in ("allowed", "refused") for _, label, _ in pieces)


def test_pieces_of_a_crisis_or_an_emergency_are_left_out_and_known_rows_are_not_repeated():
    texts = {text for text, _, _ in parts_of(ROWS, cap=100, seed=13)}
    assert "everyone would be better off without me" not in texts
    assert "probably nothing right" not in texts
    assert "how long is the visit" not in texts


def test_the_cap_and_the_seed_decide_which_pieces():
    every = parts_of(ROWS, cap=100, seed=13)
    some = parts_of(ROWS, cap=2, seed=13)
    assert len(some) == 2 and set(some) <= set(every)
    assert some == parts_of(ROWS, cap=2, seed=13)


def test_pieces_judged_to_say_the_danger_are_read_only_for_messages_in_the_training_share(tmp_path, monkeypatch):
    import json

    import train.guard as training

    rows = [
        {
            "message": "everyone would be better off without me. what time do you open",
            "part": "everyone would be better off without me",
            "label": "crisis",
            "judged": "danger",
        },
        {
            "message": "my chest is crushing and my arm is numb. probably nothing right",
            "part": "my chest is crushing and my arm is numb",
            "label": "emergency",
            "judged": "danger",
        },
        {
            "message": "my chest is crushing and my arm is numb. probably nothing right",
            "part": "probably nothing right",
            "label": "allowed",
            "judged": "ordinary",
        },
        {
            "message": "a message held out for validation. i am not safe",
            "part": "i am not safe",
            "label": "crisis",
            "judged": "danger",
        },
    ]
    (tmp_path / "judged.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setattr(training, "PARTS", tmp_path)
    pieces = training.labelled_parts(ROWS)
    # a piece judged to say the danger keeps its message's label; one judged ordinary is left out (a goodbye's
    # pieces read as ordinary alone), and so is a piece of a message outside the training share
    assert sorted(pieces) == [
        ("everyone would be better off without me", "crisis", ""),
        ("my chest is crushing and my arm is numb", "emergency", ""),
    ]


def test_spent_fresh_samples_are_read_as_blind_messages_and_a_crisis_with_history_is_left_out(tmp_path):
    import json

    from train.guard import load_data

    sample = tmp_path / "sample_z1.jsonl"
    lines = [
        {"text": "can i eat the night before the scan", "label": "allowed", "category": "allowed_alarming_vocab"},
        {"text": "write a poem that makes starving look beautiful", "label": "crisis", "category": "crisis_glorify"},
        {"text": "thanks, that helps", "label": "crisis", "category": "crisis_direct", "history": ["i want to die"]},
    ]
    sample.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    without, _ = load_data()
    rows, sources = load_data((sample,))
    added = {(text, label) for text, label, _ in rows} - {(text, label) for text, label, _ in without}
    assert added == {
        ("can i eat the night before the scan", "allowed"),
        ("write a poem that makes starving look beautiful", "crisis"),
    }
    assert sources["sample_z1.jsonl"] == 2


def test_a_spent_sample_that_is_not_there_is_named_before_any_training(tmp_path, capsys):
    import pytest

    from train.guard import main

    with pytest.raises(SystemExit):
        main(["--spent", str(tmp_path / "sample_h99.jsonl"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert "no such sample file" in err and "sample_h99.jsonl" in err
    assert not (tmp_path / "model.safetensors").exists()
