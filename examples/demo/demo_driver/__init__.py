"""The one-command demo: local cluster + operator + examples, shown live and verified (run_demo.py)."""
