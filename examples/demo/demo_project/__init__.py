"""The demo Django project that holds the numbered examples."""
