"""PostgreSQL: migration 0021's index of the search table by district and id is there, and the
span query of a search (the other organisations' matches) finds the same rows with it."""

from __future__ import annotations

from setacare_desktop.services import Database
from setacare_desktop.store import postgresql as pg_store


def test_the_search_table_is_indexed_by_district_and_id(pg_owner_db: Database) -> None:
    with pg_owner_db.engine.begin() as connection:
        for statement in pg_store.SEARCH_DISTRICT_DDL:  # re-running it changes nothing
            connection.exec_driver_sql(statement)
        definitions = connection.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_pg'"
            " AND indexname = 'search_pg_district_newest'").scalars().all()
    assert definitions == [
        "CREATE INDEX search_pg_district_newest ON public.search_pg"
        " USING btree (district_code, consultation_id)"]


def test_the_span_query_uses_it_when_the_word_is_common(pg_owner_db: Database) -> None:
    """Many rows with the word in many districts: the district's rows of the span are read
    through the new index, not the word's whole posting list (what made it slow)."""
    districts = [f"d{n:02}" for n in range(28)]
    rows = [(i, districts[i % 28], 1 + i % 90) for i in range(1, 20_001)]
    with pg_owner_db.engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK
        connection.exec_driver_sql(
            "INSERT INTO search_pg (consultation_id, district_code, organisation_id, g1, g2)"
            " VALUES (%s, %s, %s, 'a b', '''介護'':1')", rows)
        connection.exec_driver_sql("ANALYZE search_pg")
        query = ("SELECT consultation_id FROM search_pg WHERE district_code = ANY(%s)"
                 " AND g2 @@ %s::tsquery AND consultation_id < %s AND consultation_id > %s"
                 " ORDER BY consultation_id DESC")
        args = (["d01"], "'介護'", 19_000, 2_000)
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + query, args).scalars())
        found = connection.exec_driver_sql(query, args).scalars().all()
        connection.exec_driver_sql("DELETE FROM search_pg")
    assert "search_pg_district_newest" in plan
    assert found == [i for i in range(18_999, 2_000, -1) if i % 28 == 1]
