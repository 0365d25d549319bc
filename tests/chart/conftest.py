"""Chart tests: the real helm binary renders the chart; no cluster, no database."""
