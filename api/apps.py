from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"
    # The token scheme is registered with drf-spectacular by api/urls.py, which serves the schema
    # (and which `manage.py spectacular` loads too): importing drf-spectacular here cost every
    # process half a second of its start, the workers and `import_agreement` included.
