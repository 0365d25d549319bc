"""TaskSchedules: the operator enqueues each tick's run exactly once, by CronJob's rules (k8s_tasks.schedules
holds the pure rules and the ledger; this package watches the objects, decides, acts and reports)."""
