package localaws

// Glue partitions: CreatePartition, BatchCreatePartition, GetPartition,
// GetPartitions, BatchGetPartition, UpdatePartition, DeletePartition,
// BatchDeletePartition (AWS-FACTS.md 2.4).

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
)

// gluePartitionKey is the map key of a partition: its values, unambiguously
// joined.
func gluePartitionKey(values []string) string {
	b, _ := json.Marshal(values) // a []string always encodes
	return string(b)
}

// Partition error messages. The not-found and already-exists wordings are
// the ones emulators copy from AWS (AWS-FACTS.md 2.3); the value-count
// wording is the one Glue answers with when Values does not match the
// partition keys.
const (
	gluePartitionNotFound      = "Cannot find partition."
	gluePartitionExists        = "Partition already exists."
	gluePartitionValueMismatch = "The number of partition keys do not match the number of partition values"
)

// checkValueCount checks that values name one value per partition key.
func checkValueCount(t *glueTableState, values []string) *awsError {
	if len(values) != len(t.table.PartitionKeys) {
		return newAWSError("InvalidInputException", "%s", gluePartitionValueMismatch)
	}
	return nil
}

// validatePartitionInput checks a PartitionInput against the model.
func validatePartitionInput(v *glueValidator, path string, in *gluePartitionInput) {
	if in == nil {
		v.required(path)
		return
	}
	v.partitionValues(path+".values", in.Values)
	v.storageDescriptor(path+".storageDescriptor", in.StorageDescriptor)
	v.params(path+".parameters", in.Parameters)
}

// addPartition adds one partition to a table; the caller persists.
func (g *glueService) addPartition(db *glueDBState, t *glueTableState, in *gluePartitionInput) *awsError {
	if err := checkValueCount(t, in.Values); err != nil {
		return err
	}
	key := gluePartitionKey(in.Values)
	if _, exists := t.partitions[key]; exists {
		return newAWSError("AlreadyExistsException", "%s", gluePartitionExists)
	}
	if len(t.partitions) >= g.limits.partitionsPerTable {
		// Guess: the wording; the code is the modeled one.
		return newAWSError("ResourceNumberLimitExceededException",
			"Number of partitions of table %s exceeds the limit of %d", t.table.Name, g.limits.partitionsPerTable)
	}
	t.nextSeq++
	t.partitions[key] = &gluePartitionState{seq: t.nextSeq, p: gluePartition{
		Values:            slices.Clone(in.Values),
		DatabaseName:      db.db.Name,
		TableName:         t.table.Name,
		CreationTime:      newAWSTime(g.now()),
		LastAccessTime:    in.LastAccessTime,
		StorageDescriptor: glueNormalizeStorageDescriptor(in.StorageDescriptor),
		Parameters:        in.Parameters,
		LastAnalyzedTime:  in.LastAnalyzedTime,
		CatalogId:         g.accountID,
	}}
	return nil
}

type glueCreatePartitionRequest struct {
	CatalogId      *string             `json:"CatalogId"`
	DatabaseName   *string             `json:"DatabaseName"`
	TableName      *string             `json:"TableName"`
	PartitionInput *gluePartitionInput `json:"PartitionInput"`
}

func (g *glueService) createPartition(in *glueCreatePartitionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	validatePartitionInput(v, "partitionInput", in.PartitionInput)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, t, err := g.lookupTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, err
	}
	if err := g.addPartition(db, t, in.PartitionInput); err != nil {
		return nil, err
	}
	if err := g.persistTable(t); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueBatchCreatePartitionRequest struct {
	CatalogId          *string              `json:"CatalogId"`
	DatabaseName       *string              `json:"DatabaseName"`
	TableName          *string              `json:"TableName"`
	PartitionInputList []gluePartitionInput `json:"PartitionInputList"`
}

// batchCreatePartition adds up to 100 partitions. Each partition that
// cannot be added (it exists, its values do not match the keys, the quota
// is reached) is reported in Errors with the code it would have failed
// with alone, and the others are added: the call succeeds as a whole.
func (g *glueService) batchCreatePartition(in *glueBatchCreatePartitionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	if in.PartitionInputList == nil {
		v.required("partitionInputList")
	} else {
		v.listLen("partitionInputList", len(in.PartitionInputList), 0, glueMaxBatchCreatePartitions)
	}
	if len(in.PartitionInputList) <= glueMaxBatchCreatePartitions {
		for i := range in.PartitionInputList {
			validatePartitionInput(v, "partitionInputList."+strconv.Itoa(i+1)+".member", &in.PartitionInputList[i])
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	db, t, err := g.lookupTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, err
	}
	errs := []gluePartitionError{}
	added := 0
	for i := range in.PartitionInputList {
		pin := &in.PartitionInputList[i]
		if err := g.addPartition(db, t, pin); err != nil {
			errs = append(errs, gluePartitionError{
				PartitionValues: slices.Clone(pin.Values),
				ErrorDetail:     glueErrorDetail{ErrorCode: err.Code, ErrorMessage: err.Message},
			})
			continue
		}
		added++
	}
	if added > 0 {
		if err := g.persistTable(t); err != nil {
			return nil, err
		}
	}
	return struct {
		Errors []gluePartitionError `json:"Errors"`
	}{errs}, nil
}

type glueGetPartitionRequest struct {
	CatalogId       *string  `json:"CatalogId"`
	DatabaseName    *string  `json:"DatabaseName"`
	TableName       *string  `json:"TableName"`
	PartitionValues []string `json:"PartitionValues"`
}

// findPartition looks a partition up by its values.
func findPartition(t *glueTableState, values []string) (*gluePartitionState, *awsError) {
	if err := checkValueCount(t, values); err != nil {
		return nil, err
	}
	p, ok := t.partitions[gluePartitionKey(values)]
	if !ok {
		return nil, newAWSError("EntityNotFoundException", "%s", gluePartitionNotFound)
	}
	return p, nil
}

func (g *glueService) getPartition(in *glueGetPartitionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	if in.PartitionValues == nil {
		v.required("partitionValues")
	}
	v.partitionValues("partitionValues", in.PartitionValues)
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
	p, err := findPartition(t, in.PartitionValues)
	if err != nil {
		return nil, err
	}
	return struct {
		Partition gluePartition `json:"Partition"`
	}{p.p}, nil
}

type glueGetPartitionsRequest struct {
	CatalogId           *string      `json:"CatalogId"`
	DatabaseName        *string      `json:"DatabaseName"`
	TableName           *string      `json:"TableName"`
	Expression          *string      `json:"Expression"`
	NextToken           *string      `json:"NextToken"`
	Segment             *glueSegment `json:"Segment"`
	MaxResults          *int32       `json:"MaxResults"`
	ExcludeColumnSchema *bool        `json:"ExcludeColumnSchema"`
	TransactionId       *string      `json:"TransactionId"`
}

// getPartitions lists a table's partitions in creation order, filtered by
// Expression (glue_expr.go) and Segment, in pages of MaxResults (1..1000).
// Guess: without MaxResults a page holds up to 1000 partitions; AWS
// documents no default. A blank Expression means no filter, as in AWS
// (the Hive metastore client sends Expression="" to list everything).
// Segment splits the partitions into TotalSegments disjoint sets by
// creation sequence; AWS documents only that segments are disjoint.
func (g *glueService) getPartitions(in *glueGetPartitionsRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	v.str("expression", in.Expression, 0, glueExpressionMax, true)
	v.intRange("maxResults", in.MaxResults, 1, glueMaxPagePartitions)
	if in.Segment != nil {
		v.intRange("segment.segmentNumber", &in.Segment.SegmentNumber, 0, 1<<31-1)
		v.intRange("segment.totalSegments", &in.Segment.TotalSegments, 1, 10)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Segment != nil && in.Segment.SegmentNumber >= in.Segment.TotalSegments {
		return nil, newAWSError("InvalidInputException", "SegmentNumber %d is not below TotalSegments %d",
			in.Segment.SegmentNumber, in.Segment.TotalSegments)
	}
	if err := g.checkCatalog(in.CatalogId); err != nil {
		return nil, err
	}
	_, t, err := g.lookupTable(*in.DatabaseName, *in.TableName)
	if err != nil {
		return nil, err
	}
	var filter *glueExpression
	if in.Expression != nil {
		if filter, err = compileGlueExpression(*in.Expression, t.table.PartitionKeys); err != nil {
			return nil, err
		}
	}
	afterKey, hasAfter, err := glueDecodeToken(in.NextToken, "partitions")
	if err != nil {
		return nil, err
	}
	var after int64
	if hasAfter {
		n, convErr := strconv.ParseInt(afterKey, 10, 64)
		if convErr != nil {
			return nil, newAWSError("InvalidInputException", "Invalid pagination token")
		}
		after = n
	}
	limit := glueMaxPagePartitions
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	excludeColumns := in.ExcludeColumnSchema != nil && *in.ExcludeColumnSchema
	list := []gluePartition{}
	var lastSeq int64
	more := false
	for _, ps := range sortedPartitions(t) {
		if hasAfter && ps.seq <= after {
			continue
		}
		if in.Segment != nil && ps.seq%int64(in.Segment.TotalSegments) != int64(in.Segment.SegmentNumber) {
			continue
		}
		if filter != nil {
			ok, err := filter.match(ps.p.Values)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if len(list) == limit {
			more = true
			break
		}
		p := ps.p
		if excludeColumns && p.StorageDescriptor != nil {
			sd := *p.StorageDescriptor
			sd.Columns = nil
			p.StorageDescriptor = &sd
		}
		list = append(list, p)
		lastSeq = ps.seq
	}
	out := struct {
		Partitions []gluePartition `json:"Partitions"`
		NextToken  *string         `json:"NextToken,omitempty"`
	}{Partitions: list}
	if more {
		tok := glueEncodeToken("partitions", strconv.FormatInt(lastSeq, 10))
		out.NextToken = &tok
	}
	return out, nil
}

// sortedPartitions returns a table's partitions in creation order.
func sortedPartitions(t *glueTableState) []*gluePartitionState {
	out := make([]*gluePartitionState, 0, len(t.partitions))
	for _, p := range t.partitions {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

type glueBatchGetPartitionRequest struct {
	CatalogId       *string                  `json:"CatalogId"`
	DatabaseName    *string                  `json:"DatabaseName"`
	TableName       *string                  `json:"TableName"`
	PartitionsToGet []gluePartitionValueList `json:"PartitionsToGet"`
}

// batchGetPartition returns the requested partitions that exist, in the
// order asked. A partition that does not exist is left out, neither an
// error nor an unprocessed key: real Glue does this (observed by moto,
// getmoto/moto#2320). UnprocessedKeys is always empty: the emulator never
// runs out of time.
func (g *glueService) batchGetPartition(in *glueBatchGetPartitionRequest) (any, *awsError) {
	t, err := g.partitionListTable(in.CatalogId, in.DatabaseName, in.TableName, "partitionsToGet", in.PartitionsToGet, glueMaxBatchGetPartitions)
	if err != nil {
		return nil, err
	}
	list := []gluePartition{}
	seen := map[string]bool{}
	for _, pv := range in.PartitionsToGet {
		key := gluePartitionKey(pv.Values)
		p, ok := t.partitions[key]
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		list = append(list, p.p)
	}
	return struct {
		Partitions      []gluePartition          `json:"Partitions"`
		UnprocessedKeys []gluePartitionValueList `json:"UnprocessedKeys"`
	}{list, []gluePartitionValueList{}}, nil
}

type glueUpdatePartitionRequest struct {
	CatalogId          *string             `json:"CatalogId"`
	DatabaseName       *string             `json:"DatabaseName"`
	TableName          *string             `json:"TableName"`
	PartitionValueList []string            `json:"PartitionValueList"`
	PartitionInput     *gluePartitionInput `json:"PartitionInput"`
}

// updatePartition replaces a partition's storage descriptor, parameters and
// access times. Its values cannot change ("delete and recreate the
// partition", AWS-FACTS.md 2.4): Guess: new Values that differ are refused
// with InvalidInputException; omitted Values keep the old ones.
func (g *glueService) updatePartition(in *glueUpdatePartitionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	if in.PartitionValueList == nil {
		v.required("partitionValueList")
	}
	v.partitionValues("partitionValueList", in.PartitionValueList)
	validatePartitionInput(v, "partitionInput", in.PartitionInput)
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
	ps, err := findPartition(t, in.PartitionValueList)
	if err != nil {
		return nil, err
	}
	if in.PartitionInput.Values != nil && !slices.Equal(in.PartitionInput.Values, ps.p.Values) {
		return nil, newAWSError("InvalidInputException",
			"The values of a partition cannot be changed; delete the partition and create it with the new values")
	}
	p := ps.p
	p.LastAccessTime = in.PartitionInput.LastAccessTime
	p.StorageDescriptor = glueNormalizeStorageDescriptor(in.PartitionInput.StorageDescriptor)
	p.Parameters = in.PartitionInput.Parameters
	p.LastAnalyzedTime = in.PartitionInput.LastAnalyzedTime
	ps.p = p
	if err := g.persistTable(t); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueDeletePartitionRequest struct {
	CatalogId       *string  `json:"CatalogId"`
	DatabaseName    *string  `json:"DatabaseName"`
	TableName       *string  `json:"TableName"`
	PartitionValues []string `json:"PartitionValues"`
}

func (g *glueService) deletePartition(in *glueDeletePartitionRequest) (any, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", in.DatabaseName)
	requireName(v, "tableName", in.TableName)
	if in.PartitionValues == nil {
		v.required("partitionValues")
	}
	v.partitionValues("partitionValues", in.PartitionValues)
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
	if _, err := findPartition(t, in.PartitionValues); err != nil {
		return nil, err
	}
	delete(t.partitions, gluePartitionKey(in.PartitionValues))
	if err := g.persistTable(t); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type glueBatchDeletePartitionRequest struct {
	CatalogId          *string                  `json:"CatalogId"`
	DatabaseName       *string                  `json:"DatabaseName"`
	TableName          *string                  `json:"TableName"`
	PartitionsToDelete []gluePartitionValueList `json:"PartitionsToDelete"`
}

// batchDeletePartition deletes up to 25 partitions; one that does not exist
// is reported in Errors without failing the others.
func (g *glueService) batchDeletePartition(in *glueBatchDeletePartitionRequest) (any, *awsError) {
	t, err := g.partitionListTable(in.CatalogId, in.DatabaseName, in.TableName, "partitionsToDelete", in.PartitionsToDelete, glueMaxBatchDeletePartitions)
	if err != nil {
		return nil, err
	}
	errs := []gluePartitionError{}
	deleted := 0
	for _, pv := range in.PartitionsToDelete {
		if _, err := findPartition(t, pv.Values); err != nil {
			errs = append(errs, gluePartitionError{
				PartitionValues: slices.Clone(pv.Values),
				ErrorDetail:     glueErrorDetail{ErrorCode: err.Code, ErrorMessage: err.Message},
			})
			continue
		}
		delete(t.partitions, gluePartitionKey(pv.Values))
		deleted++
	}
	if deleted > 0 {
		if err := g.persistTable(t); err != nil {
			return nil, err
		}
	}
	return struct {
		Errors []gluePartitionError `json:"Errors"`
	}{errs}, nil
}

// partitionListTable validates a batch request that names up to limit
// partitions by their values in field, and returns the table they belong to.
func (g *glueService) partitionListTable(catalogID, db, table *string, field string, lists []gluePartitionValueList, limit int) (*glueTableState, *awsError) {
	v := &glueValidator{}
	requireName(v, "databaseName", db)
	requireName(v, "tableName", table)
	if lists == nil {
		v.required(field)
	} else {
		v.listLen(field, len(lists), 0, limit)
	}
	if len(lists) <= limit {
		for i, pv := range lists {
			v.partitionValues(field+"."+strconv.Itoa(i+1)+".member.values", pv.Values)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := g.checkCatalog(catalogID); err != nil {
		return nil, err
	}
	_, t, err := g.lookupTable(*db, *table)
	return t, err
}
