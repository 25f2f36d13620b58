"""clinicbot evaluation: golden sets, runner, metrics and report."""
