package localaws

// Persistence of the Glue catalog under <dir>/glue:
//
//	<dir>/glue/databases.json            every database
//	<dir>/glue/tables/<sha256>.json      one table: definition, versions, partitions
//
// A table file is named by the SHA-256 of "<database>\x00<table>", because
// Glue names may hold any printable character, "/" and ".." included, and
// may be longer than a file name can be. Every write goes to a temporary
// file in the same directory, then renames over the old one, so a reader
// (or a crash) sees the old or the new file, never half of one. A mutation
// rewrites only what it touched: the database list, or one table.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// glueDiskStore reads and writes the catalog files.
type glueDiskStore struct {
	root string // <dir>/glue
}

// glueDatabasesFile is the content of databases.json.
type glueDatabasesFile struct {
	Databases []glueDatabase `json:"Databases"`
}

// glueTableFile is the content of one table file.
type glueTableFile struct {
	Table       glueTable             `json:"Table"`
	Versions    []glueTable           `json:"Versions"`
	NextVersion int                   `json:"NextVersion"`
	NextSeq     int64                 `json:"NextSeq"`
	Partitions  []glueStoredPartition `json:"Partitions"`
}

// glueStoredPartition is a partition with its creation sequence number.
type glueStoredPartition struct {
	Seq       int64         `json:"Seq"`
	Partition gluePartition `json:"Partition"`
}

// openGlueDiskStore makes <dir>/glue and its tables directory.
func openGlueDiskStore(dir string) (*glueDiskStore, error) {
	root := filepath.Join(dir, "glue")
	if err := os.MkdirAll(filepath.Join(root, "tables"), 0o755); err != nil {
		return nil, fmt.Errorf("glue catalog directory: %w", err)
	}
	return &glueDiskStore{root: root}, nil
}

// tablePath names a table's file.
func (s *glueDiskStore) tablePath(dbName, tableName string) string {
	sum := sha256.Sum256([]byte(dbName + "\x00" + tableName))
	return filepath.Join(s.root, "tables", hex.EncodeToString(sum[:])+".json")
}

// writeAtomically writes data to path through a temporary file and a
// rename.
func writeAtomically(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// saveDatabases writes the database list.
func (s *glueDiskStore) saveDatabases(dbs []glueDatabase) error {
	data, err := json.Marshal(glueDatabasesFile{Databases: dbs})
	if err != nil {
		return err
	}
	return writeAtomically(filepath.Join(s.root, "databases.json"), data)
}

// saveTable writes one table.
func (s *glueDiskStore) saveTable(t *glueTableState) error {
	file := glueTableFile{
		Table:       t.table,
		Versions:    t.versions,
		NextVersion: t.nextVersion,
		NextSeq:     t.nextSeq,
		Partitions:  make([]glueStoredPartition, 0, len(t.partitions)),
	}
	for _, p := range sortedPartitions(t) {
		file.Partitions = append(file.Partitions, glueStoredPartition{Seq: p.seq, Partition: p.p})
	}
	data, err := json.Marshal(file)
	if err != nil {
		return err
	}
	return writeAtomically(s.tablePath(t.table.DatabaseName, t.table.Name), data)
}

// removeTable deletes one table's file; a missing file is not an error.
func (s *glueDiskStore) removeTable(dbName, tableName string) error {
	err := os.Remove(s.tablePath(dbName, tableName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// load reads the catalog into g. Table files of databases that no longer
// exist (a crash between deleting a database and its tables) are removed.
func (s *glueDiskStore) load(g *glueService) error {
	data, err := os.ReadFile(filepath.Join(s.root, "databases.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new catalog.
	case err != nil:
		return fmt.Errorf("read the Glue catalog: %w", err)
	default:
		var file glueDatabasesFile
		if err := json.Unmarshal(data, &file); err != nil {
			return fmt.Errorf("read the Glue catalog %s: %w", filepath.Join(s.root, "databases.json"), err)
		}
		for _, db := range file.Databases {
			g.databases[db.Name] = &glueDBState{db: db, tables: map[string]*glueTableState{}}
		}
	}
	entries, err := os.ReadDir(filepath.Join(s.root, "tables"))
	if err != nil {
		return fmt.Errorf("read the Glue catalog: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".tmp-") {
			continue
		}
		path := filepath.Join(s.root, "tables", name)
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read the Glue catalog: %w", err)
		}
		var file glueTableFile
		if err := json.Unmarshal(data, &file); err != nil {
			return fmt.Errorf("read the Glue catalog table file %s: %w", path, err)
		}
		db, ok := g.databases[file.Table.DatabaseName]
		if !ok {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("remove the orphaned Glue table file %s: %w", path, err)
			}
			continue
		}
		t := &glueTableState{
			table:       file.Table,
			versions:    file.Versions,
			nextVersion: file.NextVersion,
			nextSeq:     file.NextSeq,
			partitions:  make(map[string]*gluePartitionState, len(file.Partitions)),
		}
		if len(t.versions) == 0 {
			t.versions = []glueTable{t.table}
		}
		if cur, err := strconv.Atoi(t.table.VersionId); err == nil && t.nextVersion <= cur {
			t.nextVersion = cur + 1
		}
		for _, sp := range file.Partitions {
			t.partitions[gluePartitionKey(sp.Partition.Values)] = &gluePartitionState{seq: sp.Seq, p: sp.Partition}
			t.nextSeq = max(t.nextSeq, sp.Seq)
		}
		db.tables[t.table.Name] = t
		g.tableCount++
	}
	return nil
}
