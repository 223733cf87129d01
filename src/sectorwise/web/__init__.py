"""The Django project: one env-driven settings module, URLs, WSGI/ASGI entry points."""
