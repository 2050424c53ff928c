"""The store: migrations, and the schema they build matches the declarations and the golden file."""

from pathlib import Path

from mxlog.schema import CORE_TABLES, create_table_sql, parser_columns, reference
from mxlog.store import connect, migrations, table_columns
from parsers import REGISTRY

GOLDEN = Path(__file__).parent / "golden" / "schema.txt"


def schema_text() -> str:
    lines = []
    for t in reference():
        for name, typ, _ in t["columns"]:
            lines.append(f"{t['table']}.{name} {typ}")
    return "\n".join(lines) + "\n"


def test_migrations_are_recorded_and_idempotent(db):
    con = connect(db)
    n = len(migrations())
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == n
    con.close()
    con = connect(db)  # a second open applies nothing
    assert con.execute("SELECT count(*), max(version) FROM schema_migrations").fetchone() == (n, n)
    con.close()


def test_event_tables_match_their_declarations():
    con = connect(":memory:")
    for parser in REGISTRY:
        got = [c for c, _ in table_columns(con, parser.table)]
        assert got == [c for c, _, _ in parser_columns(parser)], (
            f"{parser.table} differs from its declaration; add a migration. Declared:\n{create_table_sql(parser)}"
        )


def test_every_public_column_is_described():
    for t in reference():
        for name, _, desc in t["columns"]:
            assert desc, f"{t['table']}.{name} has no description"
    assert set(CORE_TABLES) <= {t["table"] for t in reference()}


def test_schema_matches_golden_file():
    """The public SQL surface changes only on purpose: regenerate tests/golden/schema.txt."""
    assert schema_text() == GOLDEN.read_text()


def test_schema_reference_doc_is_current():
    """docs/schema.md is `mxlog schema --format markdown`; regenerate it when this fails."""
    from mxlog.schema import markdown

    assert (Path(__file__).parent.parent / "docs" / "schema.md").read_text() == markdown() + "\n"
