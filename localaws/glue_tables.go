package localaws

// Glue tables and table versions: CreateTable, GetTable, GetTables,
// UpdateTable, DeleteTable, BatchDeleteTable, GetTableVersions,
// GetTableVersion (AWS-FACTS.md 2.3).

import (
	"regexp"
	"strconv"
	"strings"
)

// glueFirstVersion is the VersionId of a new table; each UpdateTable adds
// one (AWS-FACTS.md 2.3: monotonically increasing integers from 1).
const glueFirstVersion = 1

// validateTableInput checks a TableInput against the model.
func validateTableInput(v *glueValidator, in *glueTableInput) {
	v.name("tableInput.name", in.Name)
	v.str("tableInput.description", in.Description, 0, glueDescriptionMax, true)
	v.str("tableInput.owner", in.Owner, 1, glueNameMax, false)
	v.intRange("tableInput.retention", in.Retention, 0, 1<<31-1)
	v.storageDescriptor("tableInput.storageDescriptor", in.StorageDescriptor)
	v.columns("tableInput.partitionKeys", in.PartitionKeys)
	v.str("tableInput.viewOriginalText", in.ViewOriginalText, 0, glueViewTextMax, true)
	v.str("tableInput.viewExpandedText", in.ViewExpandedText, 0, glueViewTextMax, true)
	v.str("tableInput.tableType", in.TableType, 0, glueTableTypeMax, false)
	v.params("tableInput.parameters", in.Parameters)
}

// checkPartitionKeyTypes refuses complex partition key types: "Only
// primitive types are supported as partition keys" (AWS-FACTS.md 2.3).
// Guess: the wording of the error.
func checkPartitionKeyTypes(keys []glueColumn) *awsError {
	for _, k := range keys {
		if k.Type == nil {
			continue
		}
		t := strings.ToLower(strings.TrimSpace(*k.Type))
		if strings.HasPrefix(t, "array") || strings.HasPrefix(t, "map") ||
			strings.HasPrefix(t, "struct") || strings.HasPrefix(t, "uniontype") {
			return newAWSError("InvalidInputException",
				"Partition key %s has type %s: only primitive types are supported as partition keys", k.Name, *k.Type)
		}
	}
	return nil
}

// glueNormalizeStorageDescriptor fills the members Glue always reports for
// a storage descriptor: Compressed, NumberOfBuckets, SortColumns and
// StoredAsSubDirectories. Guess, from fixtures/glue: every recorded table,
// including console-made ones that never set them, carries
// "Compressed": false, "NumberOfBuckets": 0, "SortColumns": [] and
// "StoredAsSubDirectories": false, while the Go SDK never sends a false or
// 0 for these non-pointer members. Columns, BucketColumns and Parameters
// are returned only when sent (the aws-cli fixture has tables without
// them).
func glueNormalizeStorageDescriptor(sd *glueStorageDescriptor) *glueStorageDescriptor {
	if sd == nil {
		return nil
	}
	out := *sd
	out.Columns = glueFoldColumns(sd.Columns)
	if out.Compressed == nil {
		f := false
		out.Compressed = &f
	}
	if out.NumberOfBuckets == nil {
		var n int32
		out.NumberOfBuckets = &n
	}
	if out.SortColumns == nil {
		out.SortColumns = []glueOrder{}
	}
	if out.StoredAsSubDirectories == nil {
		f := false
		out.StoredAsSubDirectories = &f
	}
	return &out
}

// tableFromInput builds the stored table from a TableInput and the
// server-set members.
func (g *glueService) tableFromInput(dbName string, in *glueTableInput) glueTable {
	var retention int32
	if in.Retention != nil {
		retention = *in.Retention
	}
	return glueTable{
		Name:              glueFoldName(in.Name),
		DatabaseName:      dbName,
		Description:       in.Description,
		Owner:             in.Owner,
		LastAccessTime:    in.LastAccessTime,
		LastAnalyzedTime:  in.LastAnalyzedTime,
		Retention:         &retention, // Glue reports "Retention": 0 when unset (all fixtures)
		StorageDescriptor: glueNormalizeStorageDescriptor(in.StorageDescriptor),
		PartitionKeys:     glueFoldColumns(in.PartitionKeys),
		ViewOriginalText:  in.ViewOriginalText,
		ViewExpandedText:  in.ViewExpandedText,
		TableType:         in.TableType,
		Parameters:        in.Parameters,
		TargetTable:       in.TargetTable,
		FederatedTable:    in.FederatedTable,
		ViewDefinition:    in.ViewDefinition,
		CatalogId:         g.accountID,
		// Guess: the emulator checks no signatures and so knows no caller;
		// it reports the account root, as the s3-selectable fixture shows
		// for a table Athena created with root credentials.
		CreatedBy: "arn:aws:iam::" + g.accountID + ":root",
	}
}

type glueCreateTableRequest struct {
	CatalogId            *string         `json:"CatalogId"`
	DatabaseName         *string         `json:"DatabaseName"`
	Name                 *string         `json:"Name"`
	TableInput           *glueTableInput `json:"TableInput"`
	TransactionId        *string         `json:"TransactionId"`
	OpenTableFormatInput map[string]any  `json:"OpenTableFormatInput"`
}

func (g *glueService) createTable(in *glueCreateTableRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	if in.TableInput != nil {
		validateTableInput(v, in.TableInput)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.TableInput == nil {
		// The model makes TableInput optional because Iceberg tables may be
		// created from OpenTableFormatInput instead; the emulator keeps Hive
		// tables only.
		return nil, newAWSError("InvalidInputException", "TableInput is required: localaws creates Hive tables from a TableInput only")
	}
	if err := checkPartitionKeyTypes(in.TableInput.PartitionKeys); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, err := g.lookupDatabase(*in.DatabaseName)
	if err != nil {
		return nil, err
	}
	name := glueFoldName(in.TableInput.Name)
	if _, exists := db.tables[name]; exists {
		return nil, newAWSError("AlreadyExistsException", "Table already exists.")
	}
	if len(db.tables) >= g.limits.tablesPerDatabase {
		// Guess: the wording; code and default quota are AWS's.
		return nil, newAWSError("ResourceNumberLimitExceededException",
			"Number of tables in database %s exceeds the limit of %d", db.db.Name, g.limits.tablesPerDatabase)
	}
	if g.tableCount >= g.limits.tables {
		return nil, newAWSError("ResourceNumberLimitExceededException",
			"Number of tables exceeds the limit of %d for this account", g.limits.tables)
	}
	t := g.tableFromInput(db.db.Name, in.TableInput)
	now := newAWSTime(g.now())
	t.CreateTime, t.UpdateTime = now, now
	t.VersionId = strconv.Itoa(glueFirstVersion)
	ts := &glueTableState{
		table:       t,
		versions:    []glueTable{t},
		nextVersion: glueFirstVersion + 1,
		partitions:  map[string]*gluePartitionState{},
	}
	db.tables[name] = ts
	g.tableCount++
	if err := g.persistTable(ts); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// requireName checks a required NameString member.
func requireName(v *glueValidator, path string, s *string) {
	if s == nil {
		v.required(path)
		return
	}
	v.name(path, *s)
}

type glueGetTableRequest struct {
	CatalogId    *string `json:"CatalogId"`
	DatabaseName *string `json:"DatabaseName"`
	Name         *string `json:"Name"`
}

func (g *glueService) getTable(in *glueGetTableRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "name", in.Name)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	_, t, err := g.lookupTable(*in.DatabaseName, *in.Name)
	if err != nil {
		return nil, err
	}
	return struct {
		Table glueTable `json:"Table"`
	}{t.table}, nil
}

type glueGetTablesRequest struct {
	CatalogId       *string  `json:"CatalogId"`
	DatabaseName    *string  `json:"DatabaseName"`
	Expression      *string  `json:"Expression"`
	NextToken       *string  `json:"NextToken"`
	MaxResults      *int32   `json:"MaxResults"`
	AttributesToGet []string `json:"AttributesToGet"`
}

// glueTableNamePattern compiles a GetTables Expression. The model calls it
// "a regular expression pattern"; Hive metastores, whose pattern language
// Glue inherits, use `*` as the wildcard and `|` for alternatives and match
// case-insensitively over the whole name. The emulator therefore treats the
// expression as a case-insensitive regular expression anchored at both
// ends, in which a `*` that does not follow `.` (or a backslash) means `.*`:
// "sales_*" and "sales_.*" both match "sales_2024", "a*|b*" matches names
// starting with a or b. Guess: AWS documents neither the anchoring nor the
// case rule.
func glueTableNamePattern(expr string) (*regexp.Regexp, *awsError) {
	var b strings.Builder
	escaped := false
	for i, r := range expr {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*' && (i == 0 || expr[i-1] != '.'):
			b.WriteString(".*")
			continue
		}
		b.WriteRune(r)
	}
	re, err := regexp.Compile("(?is)^(?:" + b.String() + ")$")
	if err != nil {
		return nil, newAWSError("InvalidInputException", "Expression %q is not a valid pattern: %v", expr, err)
	}
	return re, nil
}

func (g *glueService) getTables(in *glueGetTablesRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	v.str("expression", in.Expression, 0, glueExpressionMax, false)
	v.intRange("maxResults", in.MaxResults, 1, glueMaxPageTables)
	for i := range in.AttributesToGet {
		if a := in.AttributesToGet[i]; a != "NAME" && a != "TABLE_TYPE" {
			v.add(&in.AttributesToGet[i], "attributesToGet.member", "satisfy enum value set: [NAME, TABLE_TYPE]")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	withName, withType := false, false
	for _, a := range in.AttributesToGet {
		withName = withName || a == "NAME"
		withType = withType || a == "TABLE_TYPE"
	}
	if withType && !withName {
		// The model: "TABLE_TYPE cannot be used without NAME".
		return nil, newAWSError("InvalidInputException", "AttributesToGet TABLE_TYPE requires NAME")
	}
	db, err := g.lookupDatabase(*in.DatabaseName)
	if err != nil {
		return nil, err
	}
	var pattern *regexp.Regexp
	if in.Expression != nil && *in.Expression != "" {
		if pattern, err = glueTableNamePattern(*in.Expression); err != nil {
			return nil, err
		}
	}
	after, hasAfter, err := glueDecodeToken(in.NextToken, "tables")
	if err != nil {
		return nil, err
	}
	limit := glueMaxPageTables
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	list := []any{}
	var last string
	more := false
	for _, name := range sortedKeys(db.tables) {
		if hasAfter && name <= after {
			continue
		}
		if pattern != nil && !pattern.MatchString(name) {
			continue
		}
		if len(list) == limit {
			more = true
			break
		}
		t := db.tables[name].table
		switch {
		case withType:
			list = append(list, struct {
				Name      string  `json:"Name"`
				TableType *string `json:"TableType,omitempty"`
			}{t.Name, t.TableType})
		case withName:
			list = append(list, struct {
				Name string `json:"Name"`
			}{t.Name})
		default:
			list = append(list, t)
		}
		last = name
	}
	out := struct {
		TableList []any   `json:"TableList"`
		NextToken *string `json:"NextToken,omitempty"`
	}{TableList: list}
	if more {
		tok := glueEncodeToken("tables", last)
		out.NextToken = &tok
	}
	return out, nil
}

type glueUpdateTableRequest struct {
	CatalogId     *string         `json:"CatalogId"`
	DatabaseName  *string         `json:"DatabaseName"`
	Name          *string         `json:"Name"`
	TableInput    *glueTableInput `json:"TableInput"`
	SkipArchive   *bool           `json:"SkipArchive"`
	TransactionId *string         `json:"TransactionId"`
	VersionId     *string         `json:"VersionId"`
}

// updateTable replaces a table's definition. The table is named by
// TableInput.Name. A VersionId that is not the current one fails with
// ConcurrentModificationException, the optimistic lock concurrent writers
// (Iceberg among them) rely on. The previous definition is archived as a
// version unless SkipArchive is set.
func (g *glueService) updateTable(in *glueUpdateTableRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	v.str("versionId", in.VersionId, 1, glueVersionMax, false)
	if in.TableInput == nil {
		v.required("tableInput")
	} else {
		validateTableInput(v, in.TableInput)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkPartitionKeyTypes(in.TableInput.PartitionKeys); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, t, err := g.lookupTable(*in.DatabaseName, in.TableInput.Name)
	if err != nil {
		return nil, err
	}
	if in.VersionId != nil && *in.VersionId != t.table.VersionId {
		// Message as reported from real Glue (AWS-FACTS.md 2.3).
		return nil, newAWSError("ConcurrentModificationException", "Update table failed due to concurrent modifications.")
	}
	skipArchive := in.SkipArchive != nil && *in.SkipArchive
	if !skipArchive && len(t.versions) >= g.limits.versionsPerTable {
		// Guess: code and wording; the quota itself is [UNVERIFIED].
		return nil, newAWSError("ResourceNumberLimitExceededException",
			"Number of table versions exceeds the limit of %d for table %s", g.limits.versionsPerTable, t.table.Name)
	}
	updated := g.tableFromInput(db.db.Name, in.TableInput)
	updated.CreateTime = t.table.CreateTime
	updated.CreatedBy = t.table.CreatedBy
	updated.UpdateTime = newAWSTime(g.now())
	updated.VersionId = strconv.Itoa(t.nextVersion)
	t.nextVersion++
	if skipArchive {
		// The previous definition is not archived: it leaves the history.
		t.versions[len(t.versions)-1] = updated
	} else {
		t.versions = append(t.versions, updated)
	}
	t.table = updated
	if err := g.persistTable(t); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueDeleteTableRequest struct {
	CatalogId     *string `json:"CatalogId"`
	DatabaseName  *string `json:"DatabaseName"`
	Name          *string `json:"Name"`
	TransactionId *string `json:"TransactionId"`
}

// deleteTable removes a table with its versions and partitions, at once
// (AWS does it asynchronously; AWS-FACTS.md 2.3).
func (g *glueService) deleteTable(in *glueDeleteTableRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "name", in.Name)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, t, err := g.lookupTable(*in.DatabaseName, *in.Name)
	if err != nil {
		return nil, err
	}
	delete(db.tables, t.table.Name)
	g.tableCount--
	if err := g.unpersistTable(db.db.Name, t.table.Name); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueBatchDeleteTableRequest struct {
	CatalogId      *string  `json:"CatalogId"`
	DatabaseName   *string  `json:"DatabaseName"`
	TablesToDelete []string `json:"TablesToDelete"`
	TransactionId  *string  `json:"TransactionId"`
}

// batchDeleteTable deletes up to 100 tables; a table that does not exist is
// reported in Errors and does not fail the others.
func (g *glueService) batchDeleteTable(in *glueBatchDeleteTableRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	if in.TablesToDelete == nil {
		v.required("tablesToDelete")
	} else {
		v.listLen("tablesToDelete", len(in.TablesToDelete), 0, glueMaxBatchDeleteTables)
	}
	for i, name := range in.TablesToDelete {
		v.name("tablesToDelete."+strconv.Itoa(i+1)+".member", name)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, err := g.lookupDatabase(*in.DatabaseName)
	if err != nil {
		return nil, err
	}
	errs := []glueTableError{}
	for _, name := range in.TablesToDelete {
		folded := glueFoldName(name)
		if _, ok := db.tables[folded]; !ok {
			errs = append(errs, glueTableError{TableName: name, ErrorDetail: glueErrorDetail{
				ErrorCode: "EntityNotFoundException", ErrorMessage: "Table " + folded + " not found."}})
			continue
		}
		delete(db.tables, folded)
		g.tableCount--
		if err := g.unpersistTable(db.db.Name, folded); err != nil {
			return nil, err
		}
	}
	return struct {
		Errors []glueTableError `json:"Errors"`
	}{errs}, nil
}

type glueGetTableVersionsRequest struct {
	CatalogId    *string `json:"CatalogId"`
	DatabaseName *string `json:"DatabaseName"`
	TableName    *string `json:"TableName"`
	NextToken    *string `json:"NextToken"`
	MaxResults   *int32  `json:"MaxResults"`
}

// getTableVersions lists a table's versions, the current one included,
// newest first. Guess: AWS documents no order; newest first is what the
// console shows.
func (g *glueService) getTableVersions(in *glueGetTableVersionsRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	v.intRange("maxResults", in.MaxResults, 1, glueMaxPageVersions)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	_, t, err := g.lookupTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, err
	}
	afterKey, hasAfter, err := glueDecodeToken(in.NextToken, "versions")
	if err != nil {
		return nil, err
	}
	after := 0
	if hasAfter {
		n, convErr := strconv.Atoi(afterKey)
		if convErr != nil {
			return nil, newAWSError("InvalidInputException", "Invalid pagination token")
		}
		after = n
	}
	limit := glueMaxPageVersions
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	list := []glueTableVersion{}
	more := false
	for i := len(t.versions) - 1; i >= 0; i-- {
		ver := t.versions[i]
		if n, _ := strconv.Atoi(ver.VersionId); hasAfter && n >= after {
			continue
		}
		if len(list) == limit {
			more = true
			break
		}
		list = append(list, glueTableVersion{Table: &ver, VersionId: ver.VersionId})
	}
	out := struct {
		TableVersions []glueTableVersion `json:"TableVersions"`
		NextToken     *string            `json:"NextToken,omitempty"`
	}{TableVersions: list}
	if more {
		tok := glueEncodeToken("versions", list[len(list)-1].VersionId)
		out.NextToken = &tok
	}
	return out, nil
}

type glueGetTableVersionRequest struct {
	CatalogId    *string `json:"CatalogId"`
	DatabaseName *string `json:"DatabaseName"`
	TableName    *string `json:"TableName"`
	VersionId    *string `json:"VersionId"`
}

// getTableVersion returns one version, the current one when VersionId is
// absent.
func (g *glueService) getTableVersion(in *glueGetTableVersionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	v.str("versionId", in.VersionId, 1, glueVersionMax, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	_, t, err := g.lookupTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, err
	}
	want := t.table.VersionId
	if in.VersionId != nil {
		want = *in.VersionId
	}
	for i := range t.versions {
		if t.versions[i].VersionId == want {
			ver := t.versions[i]
			return struct {
				TableVersion glueTableVersion `json:"TableVersion"`
			}{glueTableVersion{Table: &ver, VersionId: ver.VersionId}}, nil
		}
	}
	// Guess: the wording.
	return nil, newAWSError("EntityNotFoundException", "Version %s of table %s not found.", want, t.table.Name)
}
