"""Staff and editor services above the engine: chat service, desks, chat log, throttles, gaps, quality."""
