"""Migrations: one head, upgrade from empty works, and they describe exactly the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app, migrations_directory
from app.extensions import db
from tests.conftest import settings_for


def test_migrations_have_a_single_head():
    script = ScriptDirectory(migrations_directory())
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(fresh_database_url):
    app = create_app(settings_for(fresh_database_url()))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {table.name for table in db.metadata.sorted_tables} <= tables
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert differences == [], "models changed without a migration: run `flask db migrate -m ...`"
