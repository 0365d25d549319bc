from django.apps import AppConfig


class K8sTasksConfig(AppConfig):
    name = "k8s_tasks"
    verbose_name = "Kubernetes tasks"
    default_auto_field = "django.db.models.BigAutoField"
