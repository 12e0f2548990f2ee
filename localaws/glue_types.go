package localaws

// Glue Data Catalog wire shapes, with the member names of the AWS model
// (botocore glue/2017-03-31/service-2.json; the same model the Go SDK is
// generated from). Conventions that keep a round trip faithful:
//
//   - optional scalars are pointers with omitempty, so "absent" and "zero"
//     stay distinct (a table sent with "ViewOriginalText": "" gets it back);
//   - lists and maps use omitzero, so an absent list stays absent and an
//     empty one comes back as [] (real Glue returns "PartitionKeys": [] only
//     to callers that sent it; see fixtures/glue);
//   - nested structures the emulator does not interpret are kept as raw JSON
//     and returned as sent.

import "encoding/json"

// glueColumn is the Column shape.
type glueColumn struct {
	Name       string            `json:"Name"`
	Type       *string           `json:"Type,omitempty"`
	Comment    *string           `json:"Comment,omitempty"`
	Parameters map[string]string `json:"Parameters,omitzero"`
}

// glueSerDeInfo is the SerDeInfo shape.
type glueSerDeInfo struct {
	Name                 *string           `json:"Name,omitempty"`
	SerializationLibrary *string           `json:"SerializationLibrary,omitempty"`
	Parameters           map[string]string `json:"Parameters,omitzero"`
}

// glueOrder is the Order shape (a sort column).
type glueOrder struct {
	Column    string `json:"Column"`
	SortOrder int32  `json:"SortOrder"`
}

// glueStorageDescriptor is the StorageDescriptor shape.
type glueStorageDescriptor struct {
	Columns                []glueColumn      `json:"Columns,omitzero"`
	Location               *string           `json:"Location,omitempty"`
	AdditionalLocations    []string          `json:"AdditionalLocations,omitzero"`
	InputFormat            *string           `json:"InputFormat,omitempty"`
	OutputFormat           *string           `json:"OutputFormat,omitempty"`
	Compressed             *bool             `json:"Compressed,omitempty"`
	NumberOfBuckets        *int32            `json:"NumberOfBuckets,omitempty"`
	SerdeInfo              *glueSerDeInfo    `json:"SerdeInfo,omitempty"`
	BucketColumns          []string          `json:"BucketColumns,omitzero"`
	SortColumns            []glueOrder       `json:"SortColumns,omitzero"`
	Parameters             map[string]string `json:"Parameters,omitzero"`
	SkewedInfo             json.RawMessage   `json:"SkewedInfo,omitempty"`
	StoredAsSubDirectories *bool             `json:"StoredAsSubDirectories,omitempty"`
	SchemaReference        json.RawMessage   `json:"SchemaReference,omitempty"`
}

// glueDatabaseInput is the DatabaseInput shape.
type glueDatabaseInput struct {
	Name                          string            `json:"Name"`
	Description                   *string           `json:"Description,omitempty"`
	LocationUri                   *string           `json:"LocationUri,omitempty"`
	Parameters                    map[string]string `json:"Parameters,omitzero"`
	CreateTableDefaultPermissions json.RawMessage   `json:"CreateTableDefaultPermissions,omitempty"`
	TargetDatabase                json.RawMessage   `json:"TargetDatabase,omitempty"`
	FederatedDatabase             json.RawMessage   `json:"FederatedDatabase,omitempty"`
}

// glueDatabase is the Database shape.
type glueDatabase struct {
	Name                          string            `json:"Name"`
	Description                   *string           `json:"Description,omitempty"`
	LocationUri                   *string           `json:"LocationUri,omitempty"`
	Parameters                    map[string]string `json:"Parameters,omitzero"`
	CreateTime                    *awsTime          `json:"CreateTime,omitempty"`
	CreateTableDefaultPermissions json.RawMessage   `json:"CreateTableDefaultPermissions,omitempty"`
	TargetDatabase                json.RawMessage   `json:"TargetDatabase,omitempty"`
	CatalogId                     string            `json:"CatalogId,omitempty"`
	FederatedDatabase             json.RawMessage   `json:"FederatedDatabase,omitempty"`
}

// glueTableInput is the TableInput shape.
type glueTableInput struct {
	Name              string                 `json:"Name"`
	Description       *string                `json:"Description,omitempty"`
	Owner             *string                `json:"Owner,omitempty"`
	LastAccessTime    *awsTime               `json:"LastAccessTime,omitempty"`
	LastAnalyzedTime  *awsTime               `json:"LastAnalyzedTime,omitempty"`
	Retention         *int32                 `json:"Retention,omitempty"`
	StorageDescriptor *glueStorageDescriptor `json:"StorageDescriptor,omitempty"`
	PartitionKeys     []glueColumn           `json:"PartitionKeys,omitzero"`
	ViewOriginalText  *string                `json:"ViewOriginalText,omitempty"`
	ViewExpandedText  *string                `json:"ViewExpandedText,omitempty"`
	TableType         *string                `json:"TableType,omitempty"`
	Parameters        map[string]string      `json:"Parameters,omitzero"`
	TargetTable       json.RawMessage        `json:"TargetTable,omitempty"`
	FederatedTable    json.RawMessage        `json:"FederatedTable,omitempty"`
	ViewDefinition    json.RawMessage        `json:"ViewDefinition,omitempty"`
}

// glueTable is the Table shape. ViewDefinition is returned as the
// ViewDefinitionInput the caller sent; the two shapes share their common
// members, and the emulator computes none of the others.
type glueTable struct {
	Name                          string                 `json:"Name"`
	DatabaseName                  string                 `json:"DatabaseName"`
	Description                   *string                `json:"Description,omitempty"`
	Owner                         *string                `json:"Owner,omitempty"`
	CreateTime                    *awsTime               `json:"CreateTime,omitempty"`
	UpdateTime                    *awsTime               `json:"UpdateTime,omitempty"`
	LastAccessTime                *awsTime               `json:"LastAccessTime,omitempty"`
	LastAnalyzedTime              *awsTime               `json:"LastAnalyzedTime,omitempty"`
	Retention                     *int32                 `json:"Retention,omitempty"`
	StorageDescriptor             *glueStorageDescriptor `json:"StorageDescriptor,omitempty"`
	PartitionKeys                 []glueColumn           `json:"PartitionKeys,omitzero"`
	ViewOriginalText              *string                `json:"ViewOriginalText,omitempty"`
	ViewExpandedText              *string                `json:"ViewExpandedText,omitempty"`
	TableType                     *string                `json:"TableType,omitempty"`
	Parameters                    map[string]string      `json:"Parameters,omitzero"`
	CreatedBy                     string                 `json:"CreatedBy,omitempty"`
	IsRegisteredWithLakeFormation bool                   `json:"IsRegisteredWithLakeFormation"`
	TargetTable                   json.RawMessage        `json:"TargetTable,omitempty"`
	CatalogId                     string                 `json:"CatalogId,omitempty"`
	VersionId                     string                 `json:"VersionId,omitempty"`
	FederatedTable                json.RawMessage        `json:"FederatedTable,omitempty"`
	ViewDefinition                json.RawMessage        `json:"ViewDefinition,omitempty"`
}

// gluePartitionInput is the PartitionInput shape.
type gluePartitionInput struct {
	Values            []string               `json:"Values,omitzero"`
	LastAccessTime    *awsTime               `json:"LastAccessTime,omitempty"`
	StorageDescriptor *glueStorageDescriptor `json:"StorageDescriptor,omitempty"`
	Parameters        map[string]string      `json:"Parameters,omitzero"`
	LastAnalyzedTime  *awsTime               `json:"LastAnalyzedTime,omitempty"`
}

// gluePartition is the Partition shape.
type gluePartition struct {
	Values            []string               `json:"Values"`
	DatabaseName      string                 `json:"DatabaseName"`
	TableName         string                 `json:"TableName"`
	CreationTime      *awsTime               `json:"CreationTime,omitempty"`
	LastAccessTime    *awsTime               `json:"LastAccessTime,omitempty"`
	StorageDescriptor *glueStorageDescriptor `json:"StorageDescriptor,omitempty"`
	Parameters        map[string]string      `json:"Parameters,omitzero"`
	LastAnalyzedTime  *awsTime               `json:"LastAnalyzedTime,omitempty"`
	CatalogId         string                 `json:"CatalogId,omitempty"`
}

// gluePartitionValueList is the PartitionValueList shape.
type gluePartitionValueList struct {
	Values []string `json:"Values"`
}

// glueErrorDetail is the ErrorDetail shape of per-entry batch errors.
type glueErrorDetail struct {
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

// gluePartitionError is the PartitionError shape.
type gluePartitionError struct {
	PartitionValues []string        `json:"PartitionValues"`
	ErrorDetail     glueErrorDetail `json:"ErrorDetail"`
}

// glueTableError is the TableError shape.
type glueTableError struct {
	TableName   string          `json:"TableName"`
	ErrorDetail glueErrorDetail `json:"ErrorDetail"`
}

// glueTableVersion is the TableVersion shape.
type glueTableVersion struct {
	Table     *glueTable `json:"Table"`
	VersionId string     `json:"VersionId"`
}

// glueSegment is the Segment shape of GetPartitions.
type glueSegment struct {
	SegmentNumber int32 `json:"SegmentNumber"`
	TotalSegments int32 `json:"TotalSegments"`
}
