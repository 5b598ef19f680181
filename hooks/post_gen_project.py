"""Tidy up after a bake: remove the migrations folders when no file was rendered into them.

A folder whose name renders empty stops cookiecutter ("directory already exists"), so
``src/<package>/migrations/`` always exists and its files carry the condition (services
with a database). Without a database the folders stay empty; this removes them. Like the
pre-generation hook it imports only what the interpreter has already loaded (``os``).
"""

import os

MIGRATIONS = os.path.join("src", {{ cookiecutter.package_name | tojson }}, "migrations")

for folder in (os.path.join(MIGRATIONS, "versions"), MIGRATIONS):
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)
