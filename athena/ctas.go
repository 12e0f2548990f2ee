package athena

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// ctasTablePrefix starts the name of every temporary CTAS table, so that
// one left behind (the DROP TABLE failed) is recognisable.
const ctasTablePrefix = "wrangler_ctas_"

// scanCTAS runs a SELECT as CREATE TABLE AS SELECT to Parquet (AWS-FACTS.md
// 1.8): a temporary table in CTASDatabase (or Database) whose
// external_location is a fresh prefix under the output location, reads the
// files through s3io's Parquet reader, then drops the table and deletes
// the files. Once the CTAS query has been started the clean-up runs
// whatever happens next: the query failing, the read failing, the caller
// breaking out of the loop or cancelling ctx.
func (c *Client) scanCTAS(ctx context.Context, sql string, optFns []func(*Options), size *resultSize, yield func(arrow.RecordBatch, error) bool) {
	o := c.resolve(optFns)
	if err := c.parquetUsable("CTAS", o); err != nil {
		yield(nil, err)
		return
	}
	db := o.CTASDatabase
	if db == "" {
		db = o.Database
	}
	if db == "" {
		yield(nil, fmt.Errorf("athena: CTAS results need a database for the temporary table: set Options.CTASDatabase or Database"))
		return
	}
	table := ctasTableName()
	prefix := tempPrefix(o.OutputLocation, "ctas", table)
	// The query goes on lines of its own, so that a trailing -- comment
	// stays a comment of its own line.
	ctas := fmt.Sprintf("CREATE TABLE %s.%s\nWITH (format = 'PARQUET', parquet_compression = 'SNAPPY', external_location = %s)\nAS\n%s\n",
		quoteIdent(db), quoteIdent(table), quoteString(prefix), trimSQL(sql))
	e, err := c.Start(ctx, ctas, optFns...)
	if err != nil {
		yield(nil, err)
		return
	}
	defer func() {
		// On a context of its own: the caller's may be done.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		c.dropTable(cctx, o, optFns, db, table)
		c.removePrefix(cctx, o, prefix)
	}()
	if _, err := e.Wait(ctx); err != nil {
		yield(nil, err)
		return
	}
	c.scanParquetOutput(ctx, "CTAS", prefix, sql, optFns, size, yield)
}

// dropTable drops a temporary CTAS table with an Athena DROP TABLE query.
// A failure is logged: the result has been delivered or its error
// reported, and the table's name says what it was.
func (c *Client) dropTable(ctx context.Context, o Options, optFns []func(*Options), db, table string) {
	// DROP TABLE is Hive DDL: identifiers in backquotes.
	drop := "DROP TABLE IF EXISTS " + quoteHiveIdent(db) + "." + quoteHiveIdent(table)
	if _, err := c.Run(ctx, drop, auxiliary(optFns, false)...); err != nil {
		c.warn(o, "could not drop the temporary CTAS table", slog.String("database", db),
			slog.String("table", table), slog.String("error", err.Error()))
	}
}

// ctasTableName is a fresh table name: lowercase letters, digits and
// underscores, as Glue keeps table names (AWS-FACTS.md 2.5).
func ctasTableName() string {
	var b [10]byte
	rand.Read(b[:])
	return ctasTablePrefix + time.Now().UTC().Format("20060102_150405") + "_" + hex.EncodeToString(b[:])
}

// quoteIdent writes a Trino (DML) identifier in double quotes.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteHiveIdent writes a Hive (DDL) identifier in backquotes.
func quoteHiveIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
