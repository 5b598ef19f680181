"""Alembic's environment: how `alembic` and the app run the migrations in versions/.

The app (``database.migrate``) hands over a connection already in its transaction; the
command line (``uv run alembic ...``) connects to DATABASE_URL through the app's own
Settings and async driver, so both always migrate the database the app would use.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }}.database import Base, async_url, create_engine
from {{ cookiecutter.package_name }}.settings import Settings

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
{%- if cookiecutter.database == "sqlite" %}
        # SQLite alters a table by copying it: "batch" migrations do that for us.
        render_as_batch=True,
{%- endif %}
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_on_database_url() -> None:
    engine = create_engine(Settings.from_env().database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL, touch nothing
    context.configure(
        url=async_url(Settings.from_env().database_url),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    run_migrations(connection)
else:
    asyncio.run(run_migrations_on_database_url())
