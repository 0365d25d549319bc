#!/usr/bin/env python
"""The one-command demo (`make demo`): a local cluster, the operator and every example, live and verified.

python examples/demo/run_demo.py [--example 01-hello ...] [--workdir DIR] [--deadline SECONDS]
"""

import sys
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(DEMO_DIR), str(DEMO_DIR.parent.parent)]

from demo_driver.driver import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
