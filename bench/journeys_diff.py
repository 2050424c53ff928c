"""Which journeys differ between two dumps of `journeys` (bench/journeys_same.py run --dump), per column.

    .venv/bin/python bench/journeys_diff.py old.parquet new.parquet
"""

import sys

import duckdb


def main(old: str, new: str) -> int:
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{old}'").fetchall() if r[0] != "journey_id"]
    n = con.execute(f"SELECT count(*) FROM '{old}' o FULL JOIN '{new}' n USING (journey_id) "
                    "WHERE o.journey_id IS NULL OR n.journey_id IS NULL").fetchone()[0]
    print(f"journeys in only one of them: {n}")
    bad = 0
    for c in cols:
        k = con.execute(f'SELECT count(*) FROM \'{old}\' o JOIN \'{new}\' n USING (journey_id) '
                        f'WHERE o."{c}" IS DISTINCT FROM n."{c}"').fetchone()[0]
        if k:
            bad += 1
            ex = con.execute(f'SELECT o."{c}", n."{c}", count(*) FROM \'{old}\' o JOIN \'{new}\' n USING (journey_id) '
                             f'WHERE o."{c}" IS DISTINCT FROM n."{c}" GROUP BY ALL ORDER BY 3 DESC LIMIT 5').fetchall()
            print(f"{c}: {k} differ, e.g. {ex}")
    return 1 if bad or n else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
