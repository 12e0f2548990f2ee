package localaws

// The Glue Data Catalog emulator: databases, tables with versions, and
// partitions, served over AWS JSON 1.1 (X-Amz-Target: AWSGlue.<Op>) so the
// unmodified aws-sdk-go-v2 glue client works against it. Behaviour follows
// AWS-FACTS.md section 2; where AWS behaviour had to be guessed, the code
// says so in a comment starting "Guess:".

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Glue resource quotas (AWS-FACTS.md 2.6). The database and table quotas are
// the published defaults; the partition and version quotas are not
// published in the sources the fact sheet could read.
const (
	glueMaxDatabases         = 10_000
	glueMaxTablesPerDatabase = 200_000
	glueMaxTables            = 1_000_000
	// Guess: 10 M partitions per table is the Athena-side figure
	// (AWS-FACTS.md 2.6); Glue's own is [UNVERIFIED].
	glueMaxPartitionsPerTable = 10_000_000
	// Guess: [UNVERIFIED] versions-per-table quota.
	glueMaxVersionsPerTable = 100_000
)

// glueLimits are the quotas a glueService enforces; tests lower them to
// reach ResourceNumberLimitExceededException without creating a million
// tables.
type glueLimits struct {
	databases          int
	tablesPerDatabase  int
	tables             int
	partitionsPerTable int
	versionsPerTable   int
}

// glueService is the Glue Data Catalog emulator. It keeps one catalog, the
// account's, in memory and, when given a directory, mirrors every mutation
// to JSON files under <dir>/glue so a new service on the same directory
// sees the same catalog. It is safe for concurrent requests: one mutex
// serialises them.
type glueService struct {
	region    string
	accountID string
	store     *glueDiskStore // nil: memory only
	now       func() time.Time
	limits    glueLimits

	mu         sync.Mutex
	databases  map[string]*glueDBState // by lowercased name
	tableCount int
}

// glueDBState is one database and its tables.
type glueDBState struct {
	db     glueDatabase
	tables map[string]*glueTableState // by lowercased name
}

// glueTableState is one table: its current definition, its archived
// versions and its partitions.
type glueTableState struct {
	table glueTable
	// versions holds the archived versions and the current one, oldest
	// first; every entry carries its VersionId.
	versions    []glueTable
	nextVersion int
	partitions  map[string]*gluePartitionState // by gluePartitionKey(values)
	nextSeq     int64
}

// gluePartitionState is one partition and its creation sequence number,
// which orders GetPartitions results and anchors its page tokens.
type gluePartitionState struct {
	seq int64
	p   gluePartition
}

// newGlueService returns a Glue emulator for the given region and account.
// dir == "" keeps the catalog in memory; otherwise it is loaded from and
// persisted to <dir>/glue.
func newGlueService(dir, region, accountID string) (*glueService, error) {
	g := &glueService{
		region:    region,
		accountID: accountID,
		now:       time.Now,
		limits: glueLimits{
			databases:          glueMaxDatabases,
			tablesPerDatabase:  glueMaxTablesPerDatabase,
			tables:             glueMaxTables,
			partitionsPerTable: glueMaxPartitionsPerTable,
			versionsPerTable:   glueMaxVersionsPerTable,
		},
		databases: map[string]*glueDBState{},
	}
	if dir != "" {
		store, err := openGlueDiskStore(dir)
		if err != nil {
			return nil, err
		}
		g.store = store
		if err := store.load(g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// glueHandler serves one operation: it decodes the request and returns the
// response value or a modeled error.
type glueHandler func(g *glueService, r *http.Request) (any, *awsError)

// glueOp adapts a typed operation to a glueHandler: it decodes the request
// into In and runs op under the catalog lock.
func glueOp[In any](op func(g *glueService, in *In) (any, *awsError)) glueHandler {
	return func(g *glueService, r *http.Request) (any, *awsError) {
		var in In
		if err := decodeAWSJSON(r, &in); err != nil {
			return nil, err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		return op(g, &in)
	}
}

// glueOperations maps X-Amz-Target operation names to their handlers.
var glueOperations = map[string]glueHandler{
	"CreateDatabase": glueOp((*glueService).createDatabase),
	"GetDatabase":    glueOp((*glueService).getDatabase),
	"GetDatabases":   glueOp((*glueService).getDatabases),
	"UpdateDatabase": glueOp((*glueService).updateDatabase),
	"DeleteDatabase": glueOp((*glueService).deleteDatabase),

	"CreateTable":      glueOp((*glueService).createTable),
	"GetTable":         glueOp((*glueService).getTable),
	"GetTables":        glueOp((*glueService).getTables),
	"UpdateTable":      glueOp((*glueService).updateTable),
	"DeleteTable":      glueOp((*glueService).deleteTable),
	"BatchDeleteTable": glueOp((*glueService).batchDeleteTable),
	"GetTableVersions": glueOp((*glueService).getTableVersions),
	"GetTableVersion":  glueOp((*glueService).getTableVersion),

	"CreatePartition":      glueOp((*glueService).createPartition),
	"BatchCreatePartition": glueOp((*glueService).batchCreatePartition),
	"GetPartition":         glueOp((*glueService).getPartition),
	"GetPartitions":        glueOp((*glueService).getPartitions),
	"BatchGetPartition":    glueOp((*glueService).batchGetPartition),
	"UpdatePartition":      glueOp((*glueService).updatePartition),
	"DeletePartition":      glueOp((*glueService).deletePartition),
	"BatchDeletePartition": glueOp((*glueService).batchDeletePartition),
}

// ServeHTTP serves one AWS JSON 1.1 request, dispatching on the
// X-Amz-Target header (AWSGlue.<Operation>).
func (g *glueService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newAWSRequestID()
	target := r.Header.Get("X-Amz-Target")
	service, op, _ := strings.Cut(target, ".")
	handler, ok := glueOperations[op]
	if service != "AWSGlue" || !ok {
		writeAWSError(w, requestID, newAWSError("UnknownOperationException",
			"Operation %q is not supported by this Glue endpoint", target))
		return
	}
	if r.Method != http.MethodPost {
		writeAWSError(w, requestID, newAWSError("SerializationException",
			"AWS JSON requests use POST, not %s", r.Method))
		return
	}
	out, err := handler(g, r)
	if err != nil {
		writeAWSError(w, requestID, err)
		return
	}
	writeAWSJSON(w, requestID, out)
}

// checkCatalog accepts a request's CatalogId when it is absent or the
// account's own. Guess: another account's catalog is answered as not found;
// the emulator has no cross-account sharing.
func (g *glueService) checkCatalog(catalogID *string) *awsError {
	if catalogID == nil || *catalogID == g.accountID {
		return nil
	}
	v := &glueValidator{}
	v.name("catalogId", *catalogID)
	if err := v.err(); err != nil {
		return err
	}
	return newAWSError("EntityNotFoundException", "Catalog %s not found.", *catalogID)
}

// lookupDatabase finds a database by name, folded to lowercase as Glue
// folds the names it stores.
func (g *glueService) lookupDatabase(name string) (*glueDBState, *awsError) {
	db, ok := g.databases[strings.ToLower(name)]
	if !ok {
		return nil, newAWSError("EntityNotFoundException", "Database %s not found.", strings.ToLower(name))
	}
	return db, nil
}

// lookupTable finds a table of a database.
func (g *glueService) lookupTable(dbName, tableName string) (*glueDBState, *glueTableState, *awsError) {
	db, err := g.lookupDatabase(dbName)
	if err != nil {
		return nil, nil, err
	}
	t, ok := db.tables[strings.ToLower(tableName)]
	if !ok {
		return nil, nil, newAWSError("EntityNotFoundException", "Table %s not found.", strings.ToLower(tableName))
	}
	return db, t, nil
}

// persistDatabases writes the database list, if the catalog persists.
func (g *glueService) persistDatabases() *awsError {
	if g.store == nil {
		return nil
	}
	dbs := make([]glueDatabase, 0, len(g.databases))
	for _, name := range sortedKeys(g.databases) {
		dbs = append(dbs, g.databases[name].db)
	}
	if err := g.store.saveDatabases(dbs); err != nil {
		return glueStorageError(err)
	}
	return nil
}

// persistTable writes one table with its versions and partitions.
func (g *glueService) persistTable(t *glueTableState) *awsError {
	if g.store == nil {
		return nil
	}
	if err := g.store.saveTable(t); err != nil {
		return glueStorageError(err)
	}
	return nil
}

// unpersistTable removes one table's file.
func (g *glueService) unpersistTable(dbName, tableName string) *awsError {
	if g.store == nil {
		return nil
	}
	if err := g.store.removeTable(dbName, tableName); err != nil {
		return glueStorageError(err)
	}
	return nil
}

// glueStorageError reports a failure to persist the catalog as the fault
// AWS reports for its own failures. The in-memory catalog keeps the change.
func glueStorageError(err error) *awsError {
	return &awsError{Status: http.StatusInternalServerError, Code: "InternalServiceException",
		Message: "localaws: cannot persist the catalog: " + err.Error()}
}

// sortedKeys returns a map's keys in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
