"""BM25 computed in SQL over a postings table (bench only): one code path for SQLite and PostgreSQL.

Tables (prefixed `bench_kw_`, dropped before and after a run):
- chunks(chunk_no, chunk_id, text, terms, length): what a catalog keeps per chunk;
- postings(term, chunk_no, tf, dl): one row per distinct term of a chunk, with the chunk's
  length copied in (chunks never change in place: a file's chunks are replaced whole), keyed
  by (term, chunk_no) so a query term's postings are one index range;
- df(term, df) and stats(n, avgdl): the document frequencies and collection figures.

Scores are the same BM25 as the in-memory index (bm25s, "lucene" variant):
idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf part = tf / (tf + k1 (1 - b + b dl / avgdl)),
summed over the query's terms (a term asked twice counts twice, as in bm25s). The idf of
the query's few terms is worked out once (a materialised step, in double precision), not
once per posting row.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Engine, text

PREFIX = "bench_kw_"

_DDL_COMMON = [
    f"CREATE TABLE {PREFIX}chunks (chunk_no INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, text TEXT NOT NULL, "
    "terms TEXT NOT NULL, length INTEGER NOT NULL)",
    f"CREATE TABLE {PREFIX}df (term TEXT PRIMARY KEY, df INTEGER NOT NULL)",
    f"CREATE TABLE {PREFIX}stats (n INTEGER NOT NULL, avgdl DOUBLE PRECISION NOT NULL)",
]
_POSTINGS = {
    # SQLite: a clustered (WITHOUT ROWID) table, so one term's postings are contiguous.
    "sqlite": f"CREATE TABLE {PREFIX}postings (term TEXT NOT NULL, chunk_no INTEGER NOT NULL, tf INTEGER NOT NULL, "
              "dl INTEGER NOT NULL, PRIMARY KEY (term, chunk_no)) WITHOUT ROWID",
    # PostgreSQL: tf and dl carried in the key's index, so a query is an index-only scan.
    "postgresql": f"CREATE TABLE {PREFIX}postings (term TEXT NOT NULL, chunk_no INTEGER NOT NULL, "
                  "tf INTEGER NOT NULL, dl INTEGER NOT NULL, PRIMARY KEY (term, chunk_no) INCLUDE (tf, dl))",
}
_TABLES = ("postings", "df", "stats", "chunks")


class SqlBm25:
    """`load` a corpus of (chunk id, text, terms); `top(terms, k)` ranks chunk numbers in SQL."""

    def __init__(self, engine: Engine, *, k1: float = 1.2, b: float = 0.75):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.k1, self.b = k1, b

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for table in _TABLES:
                conn.execute(text(f"DROP TABLE IF EXISTS {PREFIX}{table}"))

    def create(self) -> None:
        self.drop()
        with self.engine.begin() as conn:
            for ddl in [*_DDL_COMMON, _POSTINGS[self.dialect]]:
                conn.execute(text(ddl))

    def load(self, corpus: Sequence[tuple[str, str, list[str]]]) -> None:
        """Write the chunks, their postings, the document frequencies and the collection figures."""
        chunks, postings, df = [], [], Counter[str]()
        for no, (chunk_id, body, given) in enumerate(corpus):
            stored = " ".join(given)  # as the catalog keeps them: a term with a space comes back as two
            terms = stored.split(" ") if stored else []
            length = len(terms) or 1  # an empty chunk counts as one empty term (as the in-memory index)
            chunks.append((no, chunk_id, body, stored, length))
            counts = Counter(terms)
            postings.extend((term, no, tf, length) for term, tf in counts.items())
            df.update(counts.keys())
        avgdl = sum(c[4] for c in chunks) / len(chunks) if chunks else 1.0
        rows = {"chunks": chunks, "postings": postings, "df": list(df.items()), "stats": [(len(chunks), avgdl)]}
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            for table, values in rows.items():
                self._bulk(cur, table, values)
            raw.commit()
            cur.close()
        finally:
            raw.close()
        if self.dialect == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in _TABLES:
                    conn.execute(text(f"VACUUM ANALYZE {PREFIX}{table}"))
        else:
            with self.engine.begin() as conn:
                conn.execute(text("ANALYZE"))

    def _bulk(self, cur: object, table: str, values: list[tuple]) -> None:
        if not values:
            return
        if self.dialect == "postgresql":
            buffer = io.StringIO()
            for row in values:
                buffer.write("\t".join(_copy_field(v) for v in row) + "\n")
            with cur.copy(f"COPY {PREFIX}{table} FROM STDIN") as copy:  # type: ignore[attr-defined]
                copy.write(buffer.getvalue())
            return
        marks = ",".join("?" * len(values[0]))
        cur.executemany(f"INSERT INTO {PREFIX}{table} VALUES ({marks})", values)  # type: ignore[attr-defined]

    def terms(self) -> list[list[str]]:
        """Every chunk's terms in chunk order: what an in-memory index is rebuilt from."""
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT terms FROM {PREFIX}chunks ORDER BY chunk_no"))
            return [t.split(" ") if t else [] for (t,) in rows]

    def top(self, query_terms: list[str], k: int) -> list[tuple[int, float]]:
        """The k best chunks (number, score) for the query's terms, best first."""
        asked = Counter(t for t in query_terms if t)
        if not asked:
            return []
        params: dict[str, object] = {"k1": self.k1, "b": self.b, "k": k}
        selects = []
        for i, (term, qtf) in enumerate(asked.items()):
            selects.append(f"SELECT CAST(:t{i} AS TEXT) AS term, CAST(:w{i} AS INTEGER) AS qtf")
            params[f"t{i}"], params[f"w{i}"] = term, qtf
        sql = f"""
            WITH q AS ({" UNION ALL ".join(selects)}),
            s AS (SELECT n, avgdl FROM {PREFIX}stats),
            w AS MATERIALIZED (
                SELECT q.term, q.qtf * ln(1.0 + (CAST(s.n - f.df AS DOUBLE PRECISION) + 0.5)
                                              / (CAST(f.df AS DOUBLE PRECISION) + 0.5)) AS idf
                FROM q JOIN {PREFIX}df f ON f.term = q.term CROSS JOIN s)
            SELECT p.chunk_no,
                   SUM(w.idf * p.tf / (p.tf + :k1 * (1.0 - :b + :b * p.dl / s.avgdl))) AS score
            FROM w JOIN {PREFIX}postings p ON p.term = w.term CROSS JOIN s
            GROUP BY p.chunk_no
            ORDER BY score DESC, p.chunk_no
            LIMIT :k
        """
        with self.engine.connect() as conn:
            return [(int(no), float(score)) for no, score in conn.execute(text(sql), params)]


def _copy_field(value: object) -> str:
    """One value in COPY's text format."""
    s = str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
