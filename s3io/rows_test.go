package s3io

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gowrangler/wrangler/frame"
)

// csvOrder is the row type of the CSV tests.
type csvOrder struct {
	ID       int64     `json:"id"`
	Customer string    `json:"customer"`
	Amount   float64   `json:"amount"`
	Discount *float64  `json:"discount"`
	Paid     bool      `json:"paid"`
	Day      time.Time `frame:"day,date"`
	Note     *string   `json:"note"`
}

func ptr[T any](v T) *T { return &v }

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sameRows compares rows field by field, pointers by what they point to.
func sameRows[T any](t *testing.T, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d: got %s, want %s", i, showRow(got[i]), showRow(want[i]))
		}
	}
}

// showRow prints a struct with its pointers followed.
func showRow(v any) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	b.WriteString("{")
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		fmt.Fprintf(&b, "%s:%v ", rv.Type().Field(i).Name, f)
	}
	return strings.TrimSpace(b.String()) + "}"
}

func TestReadCSVRows(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	putObject(t, sc, "lake", "rows/orders-1.csv", []byte(
		"id,customer,amount,discount,paid,day,note,extra\n"+
			"1,ann,10.5,,true,2026-11-25,,x\n"+
			"2,bob,3,0.5,false,2026-11-26,\"hello, world\",y\n"+
			"3,,0,,true,2026-11-27,\"\",z\n"))
	// Columns in another csvOrder, discount and note missing: they can hold
	// null, so they read as nil.
	putObject(t, sc, "lake", "rows/orders-2.csv", []byte(
		"paid,day,amount,customer,id\n"+
			"false,2026-12-01,-1.25,dan,4\n"))
	want := []csvOrder{
		{ID: 1, Customer: "ann", Amount: 10.5, Paid: true, Day: ymd(2026, 11, 25)},
		{ID: 2, Customer: "bob", Amount: 3, Discount: ptr(0.5), Day: ymd(2026, 11, 26), Note: ptr("hello, world")},
		// An empty value is "" in a string field; a quoted "" is never null.
		{ID: 3, Amount: 0, Paid: true, Day: ymd(2026, 11, 27), Note: ptr("")},
		{ID: 4, Customer: "dan", Amount: -1.25, Day: ymd(2026, 12, 1)},
	}
	t.Run("read", func(t *testing.T) {
		got, err := ReadCSVRows[csvOrder](ctx, c, "s3://lake/rows/orders-*.csv")
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, got, want)
	})
	t.Run("scan in small batches", func(t *testing.T) {
		var got []csvOrder
		for row, err := range ScanCSVRows[csvOrder](ctx, c, "s3://lake/rows/", BatchSize(2)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, row)
		}
		sameRows(t, got, want)
	})
	t.Run("break", func(t *testing.T) {
		n := 0
		for _, err := range ScanCSVRows[csvOrder](ctx, c, "s3://lake/rows/", BatchSize(1)) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 2 {
				break
			}
		}
		if n != 2 {
			t.Fatalf("got %d rows, want 2", n)
		}
	})
	t.Run("no header", func(t *testing.T) {
		putObject(t, sc, "lake", "rows-nh/a.csv", []byte("7,eve,1.5,,true,2026-01-02,memo\n"))
		got, err := ReadCSVRows[csvOrder](ctx, c, "s3://lake/rows-nh/a.csv", func(o *ReadOptions) { o.NoHeader = true })
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, got, []csvOrder{{ID: 7, Customer: "eve", Amount: 1.5, Paid: true, Day: ymd(2026, 1, 2), Note: ptr("memo")}})
	})
	t.Run("empty object", func(t *testing.T) {
		putObject(t, sc, "lake", "rows-empty/a.csv", nil)
		got, err := ReadCSVRows[csvOrder](ctx, c, "s3://lake/rows-empty/a.csv")
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want no rows", got, err)
		}
	})
}

func TestCSVRowsErrors(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		body   string
		column string
		row    int64
		is     error
		msg    string
	}{
		{name: "type mismatch", column: "amount", row: 2, msg: `got "ten", want float64`,
			body: "id,customer,amount,paid,day\n1,a,1,true,2026-01-01\n2,b,ten,true,2026-01-01\n"},
		{name: "int out of range", column: "id", row: 1, msg: "want int64",
			body: "id,customer,amount,paid,day\n99999999999999999999,a,1,true,2026-01-01\n"},
		{name: "null into a value field", column: "paid", row: 3, is: frame.ErrNullValue, msg: "use a pointer",
			body: "id,customer,amount,paid,day\n1,a,1,true,2026-01-01\n2,b,1,false,2026-01-01\n3,c,1,,2026-01-01\n"},
		{name: "missing column", column: "amount", msg: "no such column",
			body: "id,customer,paid,day\n1,a,true,2026-01-01\n"},
		{name: "bad date", column: "day", row: 1, msg: "want date32",
			body: "id,customer,amount,paid,day\n1,a,1,true,2026-13-01\n"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := fmt.Sprintf("s3://lake/bad/%d.csv", i)
			putObject(t, sc, "lake", strings.TrimPrefix(url, "s3://lake/"), []byte(tt.body))
			_, err := ReadCSVRows[csvOrder](ctx, c, url, BatchSize(2))
			var se *SchemaError
			if !errors.As(err, &se) || se.Column != tt.column || se.Row != tt.row || se.URL != url {
				t.Fatalf("got %v, want a SchemaError for %s column %q row %d", err, url, tt.column, tt.row)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want it to wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "s3io: ") || strings.Count(err.Error(), "s3io:") != 1 {
				t.Errorf("got %q, want one s3io: prefix and %q", err, tt.msg)
			}
		})
	}
	t.Run("type CSV cannot hold", func(t *testing.T) {
		type nested struct {
			ID   int64
			Addr struct{ City string }
		}
		putObject(t, sc, "lake", "bad/n.csv", []byte("ID,Addr\n1,x\n"))
		_, err := ReadCSVRows[nested](ctx, c, "s3://lake/bad/n.csv")
		if !errors.Is(err, ErrInvalidOption) || !strings.Contains(err.Error(), `"Addr"`) {
			t.Fatalf("got %v, want ErrInvalidOption naming column Addr", err)
		}
	})
	t.Run("not a struct", func(t *testing.T) {
		_, err := ReadCSVRows[int](ctx, c, "s3://lake/bad/n.csv")
		if !errors.Is(err, ErrInvalidOption) || !errors.Is(err, frame.ErrUnsupportedType) {
			t.Fatalf("got %v, want ErrInvalidOption and frame.ErrUnsupportedType", err)
		}
	})
}

// event is the row type of the JSON tests: nested structs, slices,
// pointers and a timestamp.
type event struct {
	ID   int64 `json:"id"`
	User struct {
		Name string `json:"name"`
		Age  *int32 `json:"age"`
	} `json:"user"`
	Tags  []string  `json:"tags"`
	At    time.Time `json:"at"`
	Score *float64  `json:"score"`
	Ok    bool      `json:"ok"`
}

func newEvent(id int64, name string, age *int32, tags []string, at time.Time, score *float64, ok bool) event {
	e := event{ID: id, Tags: tags, At: at, Score: score, Ok: ok}
	e.User.Name, e.User.Age = name, age
	return e
}

func TestReadJSONRows(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	putObject(t, sc, "lake", "ev/1.jsonl", []byte(
		`{"id": 1, "user": {"name": "ann", "age": 31}, "tags": ["a", "b"], "at": "2026-11-25T10:00:00Z", "score": 1.5, "ok": true, "extra": [1]}`+"\n"+
			"\n"+
			`{"id": 2, "user": {"name": "bob", "age": null}, "tags": [], "at": "2026-11-25T10:00:01.5Z", "ok": false}`+"\n"))
	putObject(t, sc, "lake", "ev/2.jsonl", []byte(
		`{"ok": true, "at": "2026-11-26T00:00:00Z", "user": {"name": ""}, "tags": null, "score": null, "id": 3}`+"\n"))
	want := []event{
		newEvent(1, "ann", ptr[int32](31), []string{"a", "b"}, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), ptr(1.5), true),
		newEvent(2, "bob", nil, []string{}, time.Date(2026, 11, 25, 10, 0, 1, 500_000_000, time.UTC), nil, false),
		newEvent(3, "", nil, nil, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), nil, true),
	}
	t.Run("read", func(t *testing.T) {
		got, err := ReadJSONRows[event](ctx, c, "s3://lake/ev/")
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, got, want)
	})
	t.Run("scan in small batches", func(t *testing.T) {
		var got []event
		for row, err := range ScanJSONRows[event](ctx, c, "s3://lake/ev/*.jsonl", BatchSize(1)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, row)
		}
		sameRows(t, got, want)
	})
}

func TestJSONRowsErrors(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	good := `{"id": 1, "user": {"name": "a"}, "at": "2026-01-01T00:00:00Z", "ok": true}` + "\n"
	tests := []struct {
		name   string
		body   string
		column string // "" for ErrCorrupt
		line   int64
		is     error
	}{
		{name: "type mismatch", body: good + "\n" + `{"id": "x", "user": {"name": "a"}, "at": "2026-01-01T00:00:00Z", "ok": true}` + "\n",
			column: "id", line: 3},
		{name: "nested type mismatch", body: good + good + `{"id": 3, "user": {"name": 5}, "at": "2026-01-01T00:00:00Z", "ok": true}` + "\n",
			column: "user.name", line: 3},
		{name: "missing key into a value field", body: good + good + good + `{"id": 4, "user": {"name": "a"}, "at": "2026-01-01T00:00:00Z"}` + "\n",
			column: "ok", line: 4, is: frame.ErrNullValue},
		{name: "null into a value field", body: good + `{"id": null, "user": {"name": "a"}, "at": "2026-01-01T00:00:00Z", "ok": true}` + "\n",
			column: "id", line: 2, is: frame.ErrNullValue},
		{name: "malformed", body: good + good + "{\"id\": 3,\n", line: 3, is: ErrCorrupt},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := fmt.Sprintf("s3://lake/badev/%d.jsonl", i)
			putObject(t, sc, "lake", strings.TrimPrefix(url, "s3://lake/"), []byte(tt.body))
			_, err := ReadJSONRows[event](ctx, c, url, BatchSize(2))
			if err == nil {
				t.Fatal("got no error")
			}
			if want := fmt.Sprintf("s3io: read %s line %d: ", url, tt.line); !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), "s3io:") != 1 {
				t.Errorf("got %q, want it to start with %q", err, want)
			}
			var se *SchemaError
			if tt.column != "" && (!errors.As(err, &se) || se.Column != tt.column || se.Row != tt.line) {
				t.Errorf("got %v, want a SchemaError for column %q line %d", err, tt.column, tt.line)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}
