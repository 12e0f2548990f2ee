package glue

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// maxNameLength is Glue's and Athena's limit on names (AWS-FACTS.md 2.5).
const maxNameLength = 255

// SanitizeName turns a name into one Athena takes without quoting:
// lowercase ASCII letters, digits and underscores, at most 255 bytes. Other
// characters (spaces, dots, dashes, accents) become "_", runs of "_"
// collapse, and leading and trailing "_" go. A name with nothing left
// becomes "col". A name starting with a digit gets a leading "n": Athena
// needs such names quoted in DML, and a leading "_" would need backticks in
// DDL (AWS-FACTS.md 2.5).
func SanitizeName(name string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			underscore = false
		default:
			if !underscore && b.Len() > 0 {
				b.WriteByte('_')
			}
			underscore = true
		}
	}
	out := strings.TrimRight(b.String(), "_")
	switch {
	case out == "":
		out = "col"
	case out[0] >= '0' && out[0] <= '9':
		out = "n" + out
	}
	if len(out) > maxNameLength {
		out = out[:maxNameLength]
	}
	return out
}

// Rename records one name SanitizeSchema changed.
type Rename struct{ From, To string }

// SanitizeSchema sanitises every field name of a schema (nested struct
// fields too). Names that collide after sanitising get "_2", "_3" and so on
// in field order. It returns the new schema and what it renamed.
func SanitizeSchema(schema *arrow.Schema) (*arrow.Schema, []Rename) {
	var renames []Rename
	fields := sanitizeFields(schema.Fields(), "", &renames)
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), renames
}

func sanitizeFields(fields []arrow.Field, path string, renames *[]Rename) []arrow.Field {
	out := make([]arrow.Field, len(fields))
	used := map[string]bool{}
	for i, f := range fields {
		name := SanitizeName(f.Name)
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s_%d", SanitizeName(f.Name), n)
		}
		used[name] = true
		if name != f.Name {
			*renames = append(*renames, Rename{From: path + f.Name, To: path + name})
		}
		f.Name = name
		if st, ok := f.Type.(*arrow.StructType); ok {
			f.Type = arrow.StructOf(sanitizeFields(st.Fields(), path+name+".", renames)...)
		}
		out[i] = f
	}
	return out
}
