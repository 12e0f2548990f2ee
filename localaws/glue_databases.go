package localaws

// Glue databases: CreateDatabase, GetDatabase, GetDatabases, UpdateDatabase,
// DeleteDatabase (AWS-FACTS.md 2.2).

import (
	"encoding/json"
	"sort"
	"strings"
)

// glueDefaultTablePermissions is what Glue reports as
// CreateTableDefaultPermissions of a database created without them: the
// Lake Formation "use only IAM access control" default. Every database in
// fixtures/glue/aws-cli-examples/get-databases.json carries exactly this.
var glueDefaultTablePermissions = json.RawMessage(`[{"Principal":{"DataLakePrincipalIdentifier":"IAM_ALLOWED_PRINCIPALS"},"Permissions":["ALL"]}]`)

// validateDatabaseInput checks a DatabaseInput against the model.
func validateDatabaseInput(v *glueValidator, in *glueDatabaseInput) {
	if in == nil {
		v.required("databaseInput")
		return
	}
	v.name("databaseInput.name", in.Name)
	v.str("databaseInput.description", in.Description, 0, glueDescriptionMax, true)
	v.str("databaseInput.locationUri", in.LocationUri, 1, glueURIMax, true)
	v.params("databaseInput.parameters", in.Parameters)
}

type glueCreateDatabaseRequest struct {
	CatalogId     *string            `json:"CatalogId"`
	DatabaseInput *glueDatabaseInput `json:"DatabaseInput"`
	Tags          map[string]string  `json:"Tags"`
}

func (g *glueService) createDatabase(in *glueCreateDatabaseRequest) (any, *awsError) {
	v := &glueValidator{}
	validateDatabaseInput(v, in.DatabaseInput)
	v.listLen("tags", len(in.Tags), 0, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	name := glueFoldName(in.DatabaseInput.Name)
	if _, exists := g.databases[name]; exists {
		return nil, newAWSError("AlreadyExistsException", "Database already exists.")
	}
	if len(g.databases) >= g.limits.databases {
		// Guess: the wording; the code and the 10,000 default are AWS's.
		return nil, newAWSError("ResourceNumberLimitExceededException",
			"Number of databases exceeds the limit of %d for this account", g.limits.databases)
	}
	db := glueDatabaseFromInput(in.DatabaseInput)
	db.CreateTime = newAWSTime(g.now())
	db.CatalogId = g.accountID
	if db.CreateTableDefaultPermissions == nil {
		db.CreateTableDefaultPermissions = glueDefaultTablePermissions
	}
	g.databases[name] = &glueDBState{db: db, tables: map[string]*glueTableState{}}
	if err := g.persistDatabases(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

// glueDatabaseFromInput copies the caller's members of a database.
func glueDatabaseFromInput(in *glueDatabaseInput) glueDatabase {
	return glueDatabase{
		Name:                          glueFoldName(in.Name),
		Description:                   in.Description,
		LocationUri:                   in.LocationUri,
		Parameters:                    in.Parameters,
		CreateTableDefaultPermissions: in.CreateTableDefaultPermissions,
		TargetDatabase:                in.TargetDatabase,
		FederatedDatabase:             in.FederatedDatabase,
	}
}

type glueGetDatabaseRequest struct {
	CatalogId *string `json:"CatalogId"`
	Name      *string `json:"Name"`
}

func (g *glueService) getDatabase(in *glueGetDatabaseRequest) (any, *awsError) {
	v := &glueValidator{}
	if in.Name == nil {
		v.required("name")
	} else {
		v.name("name", *in.Name)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, err := g.lookupDatabase(*in.Name)
	if err != nil {
		return nil, err
	}
	return struct {
		Database glueDatabase `json:"Database"`
	}{db.db}, nil
}

type glueGetDatabasesRequest struct {
	CatalogId         *string  `json:"CatalogId"`
	NextToken         *string  `json:"NextToken"`
	MaxResults        *int32   `json:"MaxResults"`
	ResourceShareType *string  `json:"ResourceShareType"`
	AttributesToGet   []string `json:"AttributesToGet"`
}

func (g *glueService) getDatabases(in *glueGetDatabasesRequest) (any, *awsError) {
	v := &glueValidator{}
	v.intRange("maxResults", in.MaxResults, 1, glueMaxPageDatabases)
	if in.ResourceShareType != nil {
		switch *in.ResourceShareType {
		case "FOREIGN", "ALL", "FEDERATED":
		default:
			v.add(in.ResourceShareType, "resourceShareType", "satisfy enum value set: [FOREIGN, ALL, FEDERATED]")
		}
	}
	for i := range in.AttributesToGet {
		if in.AttributesToGet[i] != "NAME" {
			v.add(&in.AttributesToGet[i], "attributesToGet.member", "satisfy enum value set: [NAME]")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	after, hasAfter, err := glueDecodeToken(in.NextToken, "databases")
	if err != nil {
		return nil, err
	}
	limit := glueMaxPageDatabases
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	names := sortedKeys(g.databases)
	// The emulator holds no databases shared from or federated with other
	// catalogs, so FOREIGN and FEDERATED list nothing.
	if in.ResourceShareType != nil && (*in.ResourceShareType == "FOREIGN" || *in.ResourceShareType == "FEDERATED") {
		names = nil
	}
	start := 0
	if hasAfter {
		start = sort.SearchStrings(names, after)
		if start < len(names) && names[start] == after {
			start++
		}
	}
	nameOnly := len(in.AttributesToGet) > 0
	list := []glueDatabase{}
	for _, name := range names[start:min(start+limit, len(names))] {
		db := g.databases[name].db
		if nameOnly {
			db = glueDatabase{Name: db.Name}
		}
		list = append(list, db)
	}
	out := struct {
		DatabaseList []glueDatabase `json:"DatabaseList"`
		NextToken    *string        `json:"NextToken,omitempty"`
	}{DatabaseList: list}
	if start+limit < len(names) {
		tok := glueEncodeToken("databases", names[start+limit-1])
		out.NextToken = &tok
	}
	return out, nil
}

type glueUpdateDatabaseRequest struct {
	CatalogId     *string            `json:"CatalogId"`
	Name          *string            `json:"Name"`
	DatabaseInput *glueDatabaseInput `json:"DatabaseInput"`
}

func (g *glueService) updateDatabase(in *glueUpdateDatabaseRequest) (any, *awsError) {
	v := &glueValidator{}
	if in.Name == nil {
		v.required("name")
	} else {
		v.name("name", *in.Name)
	}
	validateDatabaseInput(v, in.DatabaseInput)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, err := g.lookupDatabase(*in.Name)
	if err != nil {
		return nil, err
	}
	if glueFoldName(in.DatabaseInput.Name) != db.db.Name {
		// Guess: Hive cannot rename a database and Glue documents no rename;
		// the emulator refuses rather than silently ignoring the new name.
		return nil, newAWSError("InvalidInputException",
			"Database name cannot be changed: %s is not %s", glueFoldName(in.DatabaseInput.Name), db.db.Name)
	}
	updated := glueDatabaseFromInput(in.DatabaseInput)
	updated.CreateTime = db.db.CreateTime
	updated.CatalogId = db.db.CatalogId
	if updated.CreateTableDefaultPermissions == nil {
		// Guess: an update that does not mention the default permissions
		// keeps them (they are Lake Formation settings, not Hive metadata).
		updated.CreateTableDefaultPermissions = db.db.CreateTableDefaultPermissions
	}
	db.db = updated
	if err := g.persistDatabases(); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueDeleteDatabaseRequest struct {
	CatalogId *string `json:"CatalogId"`
	Name      *string `json:"Name"`
}

// deleteDatabase removes a database with its tables, their versions and
// partitions. AWS removes those asynchronously (AWS-FACTS.md 2.3); the
// emulator removes them at once, which no caller can tell apart from a fast
// AWS except by listing before the cleanup finished.
func (g *glueService) deleteDatabase(in *glueDeleteDatabaseRequest) (any, *awsError) {
	v := &glueValidator{}
	if in.Name == nil {
		v.required("name")
	} else {
		v.name("name", *in.Name)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, err := g.lookupDatabase(*in.Name)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(*in.Name)
	delete(g.databases, name)
	g.tableCount -= len(db.tables)
	if err := g.persistDatabases(); err != nil {
		return nil, err
	}
	for _, tname := range sortedKeys(db.tables) {
		if err := g.unpersistTable(name, tname); err != nil {
			return nil, err
		}
	}
	return struct{}{}, nil
}
