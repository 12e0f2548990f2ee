package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"
)

// openDuckDB opens an in-memory DuckDB with its default settings (as many
// threads as CPUs) and returns it with its thread count.
func openDuckDB(ctx context.Context) (*sql.DB, int, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, 0, err
	}
	var threads int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		db.Close()
		return nil, 0, err
	}
	return db, threads, nil
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// duckDigest computes the digest of a DuckDB table holding the generated
// columns. sum(ts) overflows int64, as the Go readers' wrapping sums do:
// DuckDB sums into a HUGEINT, reduced here to the same wrapped int64.
func duckDigest(ctx context.Context, db *sql.DB, table string) (digest, error) {
	d := digest{typed: true}
	var tsSum any
	err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(id), 0)::BIGINT, coalesce(sum(strlen(city)), 0)::BIGINT,
		coalesce(sum(v), 0), coalesce(sum(epoch_us(ts)::HUGEINT), 0)::HUGEINT, count(qty), coalesce(sum(qty), 0)::BIGINT FROM `+table).
		Scan(&d.rows, &d.idSum, &d.cityBytes, &d.vSum, &tsSum, &d.qtyValid, &d.qtySum)
	if err != nil {
		return d, err
	}
	switch v := tsSum.(type) {
	case *big.Int:
		// Two's complement wrap to 64 bits, as Go's int64 addition does.
		m := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0)))
		d.tsSum = int64(m.Uint64())
	case int64:
		d.tsSum = v
	default:
		return d, fmt.Errorf("sum(ts): unexpected %T from DuckDB", tsSum)
	}
	return d, nil
}
