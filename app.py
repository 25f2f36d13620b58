"""clinicbot web app: `python app.py [--host HOST] [--port PORT]` serves patients (/) and staff (/staff).

The wiring lives in webui/server.py, so that an installed copy serves the same app (`clinicbot serve`).
"""

from __future__ import annotations

import sys

from webui.server import create_app, ensure_index, main

__all__ = ["create_app", "ensure_index", "main"]

if __name__ == "__main__":
    sys.exit(main())
