package localaws

// The Athena emulator's view of the Glue catalog. Every accessor takes the
// catalog lock and goes through the Glue operations themselves, so a table
// Athena DDL creates is validated, versioned and persisted exactly as one
// the Glue API creates.

import (
	"slices"
	"strings"
)

// athenaTableSnapshot is a copy of a table and its partitions, taken under
// the catalog lock so the query can use it without holding the lock.
type athenaTableSnapshot struct {
	Table      glueTable
	Partitions []gluePartition // creation order
}

// athenaTable returns a snapshot of a table.
func (g *glueService) athenaTable(dbName, tableName string) (*athenaTableSnapshot, *awsError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, t, err := g.lookupTable(dbName, tableName)
	if err != nil {
		return nil, err
	}
	snap := &athenaTableSnapshot{Table: t.table}
	for _, p := range sortedPartitions(t) {
		snap.Partitions = append(snap.Partitions, p.p)
	}
	return snap, nil
}

// athenaDatabaseExists reports whether a database exists.
func (g *glueService) athenaDatabaseExists(name string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err := g.lookupDatabase(name)
	return err == nil
}

// athenaDatabases lists the database names in order.
func (g *glueService) athenaDatabases() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return sortedKeys(g.databases)
}

// athenaTables lists a database's table names in order.
func (g *glueService) athenaTables(dbName string) ([]string, *awsError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	db, err := g.lookupDatabase(dbName)
	if err != nil {
		return nil, err
	}
	return sortedKeys(db.tables), nil
}

// athenaCreateDatabase runs Glue's CreateDatabase.
func (g *glueService) athenaCreateDatabase(in glueDatabaseInput) *awsError {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err := g.createDatabase(&glueCreateDatabaseRequest{DatabaseInput: &in})
	return err
}

// athenaDropDatabase runs Glue's DeleteDatabase; without cascade a database
// that still has tables is refused, as Hive refuses it.
func (g *glueService) athenaDropDatabase(name string, cascade bool) *awsError {
	g.mu.Lock()
	defer g.mu.Unlock()
	db, err := g.lookupDatabase(name)
	if err != nil {
		return err
	}
	if !cascade && len(db.tables) > 0 {
		return newAWSError("InvalidOperationException", "Database %s is not empty. One or more tables exist.", db.db.Name)
	}
	_, err = g.deleteDatabase(&glueDeleteDatabaseRequest{Name: &db.db.Name})
	return err
}

// athenaCreateTable runs Glue's CreateTable.
func (g *glueService) athenaCreateTable(dbName string, in glueTableInput) *awsError {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err := g.createTable(&glueCreateTableRequest{DatabaseName: &dbName, TableInput: &in})
	return err
}

// athenaDropTable runs Glue's DeleteTable.
func (g *glueService) athenaDropTable(dbName, tableName string) *awsError {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err := g.deleteTable(&glueDeleteTableRequest{DatabaseName: &dbName, Name: &tableName})
	return err
}

// athenaAddPartitions adds partitions one by one through Glue's
// CreatePartition. With skipExisting, partitions that exist are left as
// they are; it returns the values of the partitions it added.
func (g *glueService) athenaAddPartitions(dbName, tableName string, parts []gluePartitionInput, skipExisting bool) ([][]string, *awsError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, t, err := g.lookupTable(dbName, tableName)
	if err != nil {
		return nil, err
	}
	var added [][]string
	for i := range parts {
		if _, exists := t.partitions[gluePartitionKey(parts[i].Values)]; exists && skipExisting {
			continue
		}
		_, err := g.createPartition(&glueCreatePartitionRequest{DatabaseName: &dbName, TableName: &tableName, PartitionInput: &parts[i]})
		if err != nil {
			return added, err
		}
		added = append(added, slices.Clone(parts[i].Values))
	}
	return added, nil
}

// athenaDropPartitions deletes partitions through Glue's DeletePartition;
// with ifExists, missing ones are skipped.
func (g *glueService) athenaDropPartitions(dbName, tableName string, values [][]string, ifExists bool) *awsError {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, t, err := g.lookupTable(dbName, tableName)
	if err != nil {
		return err
	}
	for _, vals := range values {
		if _, exists := t.partitions[gluePartitionKey(vals)]; !exists && ifExists {
			continue
		}
		if _, err := g.deletePartition(&glueDeletePartitionRequest{DatabaseName: &dbName, TableName: &tableName, PartitionValues: vals}); err != nil {
			return err
		}
	}
	return nil
}

// hiveColumns converts parsed column definitions to Glue columns.
func hiveColumns(defs []athenaColumnDef) []glueColumn {
	cols := make([]glueColumn, len(defs))
	for i, d := range defs {
		typ := d.Type
		cols[i] = glueColumn{Name: strings.ToLower(d.Name), Type: &typ}
		if d.Comment != "" {
			c := d.Comment
			cols[i].Comment = &c
		}
	}
	return cols
}
