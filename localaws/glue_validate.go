package localaws

// Request validation as the Glue service does it before any catalog logic:
// the length, pattern and range constraints of the model. AWS reports
// violations of these model constraints as ValidationException (HTTP 400)
// in the Coral wording "1 validation error detected: Value '…' at '…' failed
// to satisfy constraint: Member must …" — observed from Glue for
// BatchDeletePartition over 25 entries (dbt-labs/dbt-athena#327) and for a
// CreateTable column comment breaking the pattern
// (moj-analytical-services/etl_manager#90). Semantic problems (a wrong
// number of partition values, a bad expression) are InvalidInputException.
// Guess: the member paths in the message use the lowerCamel member names
// (AWS uses the service's internal field names, which are not published).

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Model string constraints (botocore glue service-2.json).
const (
	glueNameMax        = 255    // NameString 1..255
	glueDescriptionMax = 2048   // DescriptionString 0..2048
	glueLocationMax    = 2056   // LocationString 0..2056
	glueURIMax         = 1024   // URI 1..1024
	glueFormatMax      = 128    // FormatString 0..128
	glueColumnTypeMax  = 131072 // ColumnTypeString 0..131072
	glueCommentMax     = 255    // CommentString 0..255
	glueViewTextMax    = 409600 // ViewTextString 0..409600
	glueTableTypeMax   = 255    // TableTypeString 0..255
	glueParamKeyMax    = 255    // KeyString 1..255
	glueParamValueMax  = 512000 // ParametersMapValue 0..512000
	glueValueMax       = 1024   // ValueString, partition values
	glueVersionMax     = 255    // VersionString 1..255
	glueExpressionMax  = 2048   // PredicateString 0..2048
	glueTokenMax       = 4096   // Guess: no published bound on NextToken
)

// Model list and page bounds (AWS-FACTS.md 2.2-2.4).
const (
	glueMaxBatchCreatePartitions = 100
	glueMaxBatchDeletePartitions = 25
	glueMaxBatchGetPartitions    = 1000
	glueMaxBatchDeleteTables     = 100
	glueMaxPartitionValues       = 100 // ValueStringList in PartitionValueList
	glueMaxPageDatabases         = 100
	glueMaxPageTables            = 100
	glueMaxPageVersions          = 100
	glueMaxPagePartitions        = 1000
)

// The "single-line string" pattern of NameString and most Glue strings, and
// its multi-line variant for descriptions, locations and URIs.
const (
	glueSingleLinePattern = `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*`
	glueMultiLinePattern  = `[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*`
)

// glueValidator collects the model-constraint violations of one request.
type glueValidator struct {
	problems []string
}

// add records one violation. A nil value prints as null, as Coral does.
func (v *glueValidator) add(value *string, path, constraint string) {
	shown := "null"
	if value != nil {
		s := *value
		if utf8.RuneCountInString(s) > 256 {
			s = string([]rune(s)[:256]) + "..."
		}
		shown = "'" + s + "'"
	}
	v.problems = append(v.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", shown, path, constraint))
}

// err returns the ValidationException for the collected violations, or nil.
func (v *glueValidator) err() *awsError {
	switch len(v.problems) {
	case 0:
		return nil
	case 1:
		return newAWSError("ValidationException", "1 validation error detected: %s", v.problems[0])
	}
	return newAWSError("ValidationException", "%d validation errors detected: %s", len(v.problems), strings.Join(v.problems, "; "))
}

// str checks an optional string's length and pattern.
func (v *glueValidator) str(path string, s *string, minLen, maxLen int, multiLine bool) {
	if s == nil {
		return
	}
	n := utf8.RuneCountInString(*s)
	if n < minLen {
		v.add(s, path, "have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if n > maxLen {
		v.add(s, path, "have length less than or equal to "+strconv.Itoa(maxLen))
	}
	if !glueMatchesLinePattern(*s, multiLine) {
		pattern := glueSingleLinePattern
		if multiLine {
			pattern = glueMultiLinePattern
		}
		v.add(s, path, "satisfy regular expression pattern: "+pattern)
	}
}

// name checks a required NameString.
func (v *glueValidator) name(path, s string) {
	v.str(path, &s, 1, glueNameMax, false)
}

// required records a missing required member.
func (v *glueValidator) required(path string) {
	v.add(nil, path, "not be null")
}

// intRange checks an optional integer member.
func (v *glueValidator) intRange(path string, n *int32, minVal, maxVal int32) {
	if n == nil {
		return
	}
	s := strconv.Itoa(int(*n))
	if *n < minVal {
		v.add(&s, path, "have value greater than or equal to "+strconv.Itoa(int(minVal)))
	}
	if *n > maxVal {
		v.add(&s, path, "have value less than or equal to "+strconv.Itoa(int(maxVal)))
	}
}

// listLen checks a list member's length; the value is shown by its size.
func (v *glueValidator) listLen(path string, n, minLen, maxLen int) {
	shown := fmt.Sprintf("[%d entries]", n)
	if n < minLen {
		v.add(&shown, path, "have length greater than or equal to "+strconv.Itoa(minLen))
	}
	if n > maxLen {
		v.add(&shown, path, "have length less than or equal to "+strconv.Itoa(maxLen))
	}
}

// params checks a ParametersMap.
func (v *glueValidator) params(path string, m map[string]string) {
	for _, k := range sortedKeys(m) {
		v.str(path+".key", &k, 1, glueParamKeyMax, false)
		val := m[k]
		if utf8.RuneCountInString(val) > glueParamValueMax {
			v.add(&val, path+".value", "have length less than or equal to "+strconv.Itoa(glueParamValueMax))
		}
	}
}

// columns checks a ColumnList.
func (v *glueValidator) columns(path string, cols []glueColumn) {
	for i, c := range cols {
		p := fmt.Sprintf("%s.%d.member", path, i+1)
		v.name(p+".name", c.Name)
		v.str(p+".type", c.Type, 0, glueColumnTypeMax, false)
		v.str(p+".comment", c.Comment, 0, glueCommentMax, false)
		v.params(p+".parameters", c.Parameters)
	}
}

// storageDescriptor checks a StorageDescriptor.
func (v *glueValidator) storageDescriptor(path string, sd *glueStorageDescriptor) {
	if sd == nil {
		return
	}
	v.columns(path+".columns", sd.Columns)
	v.str(path+".location", sd.Location, 0, glueLocationMax, true)
	for i := range sd.AdditionalLocations {
		v.str(fmt.Sprintf("%s.additionalLocations.%d.member", path, i+1), &sd.AdditionalLocations[i], 0, glueLocationMax, true)
	}
	v.str(path+".inputFormat", sd.InputFormat, 0, glueFormatMax, false)
	v.str(path+".outputFormat", sd.OutputFormat, 0, glueFormatMax, false)
	if sd.SerdeInfo != nil {
		v.str(path+".serdeInfo.name", sd.SerdeInfo.Name, 1, glueNameMax, false)
		v.str(path+".serdeInfo.serializationLibrary", sd.SerdeInfo.SerializationLibrary, 1, glueNameMax, false)
		v.params(path+".serdeInfo.parameters", sd.SerdeInfo.Parameters)
	}
	for i, c := range sd.BucketColumns {
		v.name(fmt.Sprintf("%s.bucketColumns.%d.member", path, i+1), c)
	}
	for i, o := range sd.SortColumns {
		p := fmt.Sprintf("%s.sortColumns.%d.member", path, i+1)
		v.name(p+".column", o.Column)
		so := o.SortOrder
		v.intRange(p+".sortOrder", &so, 0, 1)
	}
	v.params(path+".parameters", sd.Parameters)
}

// partitionValues checks a partition's Values list (ValueStringList): each
// value 1..1024 characters (AWS-FACTS.md 2.4), single-line.
func (v *glueValidator) partitionValues(path string, values []string) {
	v.listLen(path, len(values), 0, glueMaxPartitionValues)
	for i := range values {
		v.str(fmt.Sprintf("%s.%d.member", path, i+1), &values[i], 1, glueValueMax, false)
	}
}

// glueMatchesLinePattern reports whether s matches the single-line (or
// multi-line) string pattern: no control characters but tab (and CR, LF for
// multi-line), and no noncharacters U+FFFE, U+FFFF.
func glueMatchesLinePattern(s string, multiLine bool) bool {
	for _, r := range s {
		switch {
		case r == '\t':
		case multiLine && (r == '\r' || r == '\n'):
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// glueFoldName folds a database, table or column name to lowercase, as Glue
// does when it stores one "for Hive compatibility" (AWS-FACTS.md 2.2, 2.3).
// Column names: Glue lowercases them on CreateTable as well (third-party
// observation on real Glue, apache/flink-connector-aws#206).
func glueFoldName(s string) string { return strings.ToLower(s) }

// glueFoldColumns returns cols with folded names; nil stays nil.
func glueFoldColumns(cols []glueColumn) []glueColumn {
	if cols == nil {
		return nil
	}
	out := make([]glueColumn, len(cols))
	for i, c := range cols {
		c.Name = glueFoldName(c.Name)
		out[i] = c
	}
	return out
}

// glueEncodeToken and glueDecodeToken make the opaque NextToken of the
// paged operations: the key of the last item returned, so a page continues
// after it even when items were added or removed in between.
func glueEncodeToken(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + key))
}

func glueDecodeToken(token *string, kind string) (key string, ok bool, err *awsError) {
	if token == nil || *token == "" {
		return "", false, nil
	}
	if len(*token) > glueTokenMax {
		return "", false, newAWSError("InvalidInputException", "Invalid pagination token")
	}
	raw, decErr := base64.RawURLEncoding.DecodeString(*token)
	k, key, found := strings.Cut(string(raw), "\x00")
	if decErr != nil || !found || k != kind {
		// Guess: the wording of Glue's answer to a foreign token.
		return "", false, newAWSError("InvalidInputException", "Invalid pagination token")
	}
	return key, true, nil
}
