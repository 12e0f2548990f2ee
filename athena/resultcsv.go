package athena

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// resultReader reads the CSV file Athena writes for a SELECT
// (AWS-FACTS.md 1.6): comma-separated fields, a present value in double
// quotes with embedded quotes doubled, NULL as an empty unquoted field, so
// that NULL and the empty string ("") stay apart, which encoding/csv cannot
// tell. Records end with \n or \r\n and quoted values may span lines. An
// unquoted non-empty field is read as a value, in case a writer leaves
// numbers bare.
type resultReader struct {
	r    *bufio.Reader
	line int // line of the record being read, from 1
	buf  []byte
}

func newResultReader(r io.Reader) *resultReader {
	return &resultReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// read returns the next record's fields and validity, reusing the given
// slices; io.EOF after the last record.
func (rr *resultReader) read(fields []string, valid []bool) ([]string, []bool, error) {
	fields, valid = fields[:0], valid[:0]
	rr.line++
	start := rr.line
	c, err := rr.r.ReadByte()
	if err == io.EOF {
		return nil, nil, io.EOF
	}
	if err != nil {
		return nil, nil, err
	}
	rr.r.UnreadByte()
	for {
		rr.buf = rr.buf[:0]
		c, err = rr.r.ReadByte()
		quoted := false
		switch {
		case err == io.EOF:
			// The last field of a record without a final newline.
			fields, valid = append(fields, ""), append(valid, false)
			return fields, valid, nil
		case err != nil:
			return nil, nil, err
		case c == '"':
			quoted = true
			if err := rr.readQuoted(start); err != nil {
				return nil, nil, err
			}
			c, err = rr.r.ReadByte()
		default:
			for err == nil && c != ',' && c != '\n' && c != '\r' {
				if c == '"' {
					return nil, nil, fmt.Errorf("line %d field %d: a quote inside an unquoted field: %w", rr.line, len(fields)+1, ErrResultFormat)
				}
				rr.buf = append(rr.buf, c)
				c, err = rr.r.ReadByte()
			}
		}
		fields = append(fields, string(rr.buf))
		valid = append(valid, quoted || len(rr.buf) > 0)
		switch {
		case err == io.EOF:
			return fields, valid, nil
		case err != nil:
			return nil, nil, err
		case c == ',':
			continue
		case c == '\r':
			if next, err := rr.r.ReadByte(); err == nil && next != '\n' {
				rr.r.UnreadByte()
			}
			return fields, valid, nil
		case c == '\n':
			return fields, valid, nil
		default:
			return nil, nil, fmt.Errorf("line %d field %d: %q after a quoted value: %w", rr.line, len(fields), c, ErrResultFormat)
		}
	}
}

// readQuoted reads a quoted value after its opening quote into rr.buf.
func (rr *resultReader) readQuoted(start int) error {
	for {
		chunk, err := rr.r.ReadSlice('"')
		rr.buf = append(rr.buf, chunk...)
		rr.line += strings.Count(string(chunk), "\n")
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			return fmt.Errorf("line %d: a quoted value never ends: %w", start, ErrResultFormat)
		case err != nil:
			return err
		}
		rr.buf = rr.buf[:len(rr.buf)-1] // the quote just read
		next, err := rr.r.ReadByte()
		if err == nil && next == '"' {
			rr.buf = append(rr.buf, '"')
			continue
		}
		if err == nil {
			rr.r.UnreadByte()
		}
		return nil
	}
}
