package s3io

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// csvField locates one field of a record in csvParser.buf.
type csvField struct {
	start, end int
	// quoted fields are never null, whatever NullValues says.
	quoted bool
}

// csvParser splits RFC 4180 CSV into records, streaming from a reader.
//
// It differs from encoding/csv where the fixtures say it must
// (../shared/fixtures/csv/MANIFEST.md): line breaks inside quoted fields are
// kept as they are, \r\n included (encoding/csv turns them into \n), and a
// bare quote inside an unquoted field is a literal character (encoding/csv
// fails unless LazyQuotes). Text after a closing quote up to the next
// delimiter is kept literally too. Records end at \n or \r\n outside
// quotes; empty lines are skipped. An unterminated quote is an error.
type csvParser struct {
	br     *bufio.Reader
	delim  byte
	max    int
	buf    []byte
	fields []csvField
	long   []byte // a line longer than the bufio buffer, gathered
	line   int64  // physical lines read so far
}

func newCSVParser(r io.Reader, delim byte, maxRecord int) *csvParser {
	return &csvParser{br: bufio.NewReaderSize(r, 256<<10), delim: delim, max: maxRecord}
}

// readLine returns the next physical line, terminator included. The slice
// is valid until the next call.
func (p *csvParser) readLine() ([]byte, error) {
	line, err := p.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(p.long) > p.max {
				return nil, fmt.Errorf("line %d is longer than %d bytes: %w", p.line+1, p.max, ErrCorrupt)
			}
			line, err = p.br.ReadSlice('\n')
			p.long = append(p.long, line...)
		}
		line = p.long
	}
	if len(line) > 0 {
		p.line++
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	return line, err
}

// trimEOL returns the length of line without its \n or \r\n.
func trimEOL(line []byte) int {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return n
}

// next reads the next record into p.buf and p.fields. It returns io.EOF
// after the last record.
func (p *csvParser) next() error {
	var line []byte
	for {
		var err error
		line, err = p.readLine()
		if err != nil {
			return err
		}
		if trimEOL(line) > 0 {
			break
		}
	}
	p.buf = p.buf[:0]
	p.fields = p.fields[:0]
	startLine := p.line
	pos := 0
	for {
		end := trimEOL(line)
		if pos < end && line[pos] == '"' {
			start := len(p.buf)
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// The field goes on past this line: keep the line break as is.
					p.buf = append(p.buf, line[pos:]...)
					if len(p.buf) > p.max {
						return fmt.Errorf("record at line %d is longer than %d bytes: %w", startLine, p.max, ErrCorrupt)
					}
					var err error
					line, err = p.readLine()
					if err == io.EOF {
						return fmt.Errorf("line %d: quoted field never closed: %w", startLine, ErrCorrupt)
					}
					if err != nil {
						return err
					}
					pos = 0
					continue
				}
				p.buf = append(p.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					p.buf = append(p.buf, '"')
					pos++
					continue
				}
				break
			}
			end = trimEOL(line)
			// Lenient: text between the closing quote and the delimiter stays.
			j := bytes.IndexByte(line[pos:end], p.delim)
			if j < 0 {
				j = end - pos
			}
			p.buf = append(p.buf, line[pos:pos+j]...)
			pos += j
			p.fields = append(p.fields, csvField{start: start, end: len(p.buf), quoted: true})
		} else {
			j := bytes.IndexByte(line[pos:end], p.delim)
			if j < 0 {
				j = end - pos
			}
			start := len(p.buf)
			p.buf = append(p.buf, line[pos:pos+j]...)
			pos += j
			p.fields = append(p.fields, csvField{start: start, end: len(p.buf)})
		}
		if pos >= end {
			return nil
		}
		pos++ // the delimiter
		if pos == end {
			// A trailing delimiter ends with an empty field.
			p.fields = append(p.fields, csvField{start: len(p.buf), end: len(p.buf)})
			return nil
		}
	}
}

// field returns the bytes of field i of the current record.
func (p *csvParser) field(i int) []byte {
	f := p.fields[i]
	return p.buf[f.start:f.end]
}

// csvRecord is a copy of a parsed record, kept for the inference sample.
type csvRecord struct {
	buf    []byte
	fields []csvField
}

func (p *csvParser) copyRecord() csvRecord {
	return csvRecord{buf: bytes.Clone(p.buf), fields: append([]csvField(nil), p.fields...)}
}

// isEOF reports the end of the input.
func isEOF(err error) bool { return errors.Is(err, io.EOF) }
