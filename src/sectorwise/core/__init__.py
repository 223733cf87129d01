"""Shared foundations of the web apps: base models, roles and the one permission authority, base templates."""
