package localaws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

// glueExprTestKeys are partition keys of every supported type and one
// unsupported.
var glueExprTestKeys = []glueColumn{
	{Name: "year", Type: aws.String("int")},
	{Name: "month", Type: aws.String("string")},
	{Name: "dt", Type: aws.String("date")},
	{Name: "price", Type: aws.String("decimal(10,2)")},
	{Name: "ts", Type: aws.String("timestamp")},
	{Name: "region", Type: aws.String("varchar(8)")},
	{Name: "flag", Type: aws.String("boolean")},
}

func TestGlueExpressionEvaluation(t *testing.T) {
	// year month dt price ts region flag
	row := []string{"2024", "9", "2024-03-05", "10.50", "2024-03-05 10:00:00", "eu-west", "true"}
	tests := []struct {
		expr string
		want bool
	}{
		{"year = 2024", true},
		{"year = '2024'", true},
		{"year > 999", true}, // numeric, although "2024" < "999" as text
		{"year < 10000", true},
		{"year != 2024", false},
		{"year <> 2023", true},
		{"2023 < year", true},
		{"2025 <= year", false},
		{"month > '10'", true}, // text order: "9" > "10"
		{"month > 10", true},   // a bare number against a string key compares as text
		{"month = 9", true},
		{"dt >= '2024-03-01'", true},
		{"dt < DATE '2024-03-05'", false},
		{"dt BETWEEN '2024-03-01' AND '2024-03-31'", true},
		{"dt NOT BETWEEN '2024-03-01' AND '2024-03-31'", false},
		{"price = 10.5", true},
		{"price > '10.499'", true},
		{"price IN (1, 10.50, 20)", true},
		{"ts > '2024-03-05 09:59:59.999'", true},
		{"ts = TIMESTAMP '2024-03-05 10:00:00'", true},
		{"region LIKE 'eu-%'", true},
		{"region LIKE 'eu_west'", true},
		{"region LIKE 'EU-%'", false},
		{"region NOT LIKE '%east'", true},
		{"year LIKE '20__'", true},
		{"region IN ('us-east', 'eu-west')", true},
		{"region NOT IN ('us-east', 'eu-west')", false},
		{"year IS NULL", false},
		{"year IS NOT NULL", true},
		{"year = 2024 AND month = '9'", true},
		{"year = 2023 OR month = '9'", true},
		{"NOT year = 2023", true},
		{"NOT (year = 2024 AND month = '8')", true},
		{"year = 2023 OR month = '8' AND region = 'eu-west'", false}, // AND binds tighter
		{"(year = 2023 OR month = '9') AND region = 'eu-west'", true},
		{"YEAR = 2024 and Month = '9'", true},
		{"`year` = 2024", true},
		{`"region" = 'eu-west'`, true},
		{"  year=2024  ", true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := compileGlueExpression(tc.expr, glueExprTestKeys)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := e.match(row)
			if err != nil {
				t.Fatalf("match: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGlueExpressionMalformed(t *testing.T) {
	tests := []struct {
		expr string
		want []string // substrings of the message
	}{
		{"year =", []string{"end of expression", "position 7"}},
		{"year = 2024 AND", []string{"end of expression", "position 16"}},
		{"year == 2024", []string{`expected a partition key or a value, found "="`, "position 7"}},
		{"(year = 2024", []string{"expected ')'", "position 1", "position 13"}},
		{"year = 2024)", []string{"unexpected \")\"", "position 12"}},
		{"nope = 1", []string{`"nope" is not a partition key`, "year, month", "position 1"}},
		{"year = 'abc'", []string{"'abc' is not an integer", "partition key year", "position 8"}},
		{"dt = '2024-13-01'", []string{"is not a date", "position 6"}},
		{"price = 'ten'", []string{"is not a decimal"}},
		{"price = 1e999", []string{"is not a decimal"}},
		{"ts > 'noon'", []string{"is not a timestamp"}},
		{"flag = 'true'", []string{"type boolean", "do not support"}},
		{"month = 'unterminated", []string{"unterminated quoted text", "position 9"}},
		{"year = 2024 # comment", []string{"unexpected character '#'", "position 13"}},
		{"year + 1 = 2025", []string{"arithmetic is not supported", "position 6"}},
		{"year ! 2024", []string{"unexpected character '!'"}},
		{"year IN 2024", []string{"expected '(' after IN"}},
		{"year IN (2024 2025)", []string{"expected ',' or ')'"}},
		{"year BETWEEN 1 2", []string{"expected AND in BETWEEN"}},
		{"year NOT = 1", []string{"expected IN, BETWEEN or LIKE after NOT"}},
		{"year IS 1", []string{"expected NULL after IS"}},
		{"year = NULL", []string{"NULL can only be tested with IS NULL"}},
		{"region LIKE 5", []string{"LIKE needs a quoted pattern"}},
		{"1 = 1", []string{"needs a partition key on one side"}},
		{"year = month", []string{"found partition key month"}},
		{"year", []string{"expected a comparison operator", "after partition key year", "end of expression"}},
		{"'x' IN ('x')", []string{"IN needs a partition key on its left"}},
		{"AND year = 1", []string{"found keyword AND"}},
		{"year = 99999999999999999999", []string{"is not an integer"}},
		{"é = 1", []string{"unexpected character 'é'", "position 1"}},
		{"month = 'x' AND é", []string{"position 17"}},
		{strings.Repeat("(", 150) + "year = 1" + strings.Repeat(")", 150), []string{"nested more than 100 levels"}},
		{strings.Repeat("NOT ", 150) + "year = 1", []string{"nested more than 100 levels"}},
	}
	for _, tc := range tests {
		t.Run(tc.expr[:min(len(tc.expr), 40)], func(t *testing.T) {
			e, err := compileGlueExpression(tc.expr, glueExprTestKeys)
			if err == nil {
				t.Fatalf("got a compiled expression %+v, want an error", e)
			}
			if err.Code != "InvalidInputException" {
				t.Errorf("code: got %s, want InvalidInputException", err.Code)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Message, w) {
					t.Errorf("message: got %q, want it to contain %q", err.Message, w)
				}
			}
		})
	}
	t.Run("no partition keys", func(t *testing.T) {
		_, err := compileGlueExpression("a = 1", nil)
		if err == nil || !strings.Contains(err.Message, "no partition keys") {
			t.Errorf("got %v, want an error saying the table has no partition keys", err)
		}
	})
	t.Run("blank is no filter", func(t *testing.T) {
		e, err := compileGlueExpression(" \t", glueExprTestKeys)
		if e != nil || err != nil {
			t.Errorf("got %v, %v, want no filter and no error", e, err)
		}
	})
}

func TestGlueExpressionThreeValuedLogic(t *testing.T) {
	// A partition with fewer values than keys has NULL for the rest.
	short := []string{"2024"}
	tests := []struct {
		expr string
		want bool
	}{
		{"month = '9'", false},
		{"NOT month = '9'", false},
		{"month IS NULL", true},
		{"month IS NOT NULL", false},
		{"year = 2024 OR month = '9'", true},
		{"year = 2024 AND month = '9'", false},
		{"NOT (year = 2023 OR month = '9')", false},
		{"NOT (year = 2023 AND month = '9')", true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := compileGlueExpression(tc.expr, glueExprTestKeys)
			if err != nil {
				t.Fatal(err)
			}
			got, mErr := e.match(short)
			if mErr != nil || got != tc.want {
				t.Errorf("got %v (err %v), want %v", got, mErr, tc.want)
			}
		})
	}
}

// TestGlueGetPartitionsExpression runs expressions through the SDK and
// checks the result against a brute-force filter written in Go.
func TestGlueGetPartitionsExpression(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "lake")
	mustCreateGlueTable(t, c, "lake", glueTestTableInput("logs", "year", "int", "month", "string", "dt", "date"))
	type part struct {
		year  int
		month string
		dt    string
	}
	var parts []part
	var values [][]string
	for year := 2019; year <= 2024; year++ {
		for month := 1; month <= 12; month++ {
			for _, day := range []int{1, 15} {
				p := part{year, strconv.Itoa(month), fmt.Sprintf("%d-%02d-%02d", year, month, day)}
				parts = append(parts, p)
				values = append(values, []string{strconv.Itoa(p.year), p.month, p.dt})
			}
		}
	}
	mustBatchCreateGluePartitions(t, c, "lake", "logs", gluePartitionInputs(values...))
	tests := []struct {
		expr string
		want func(p part) bool
	}{
		{"year = 2024", func(p part) bool { return p.year == 2024 }},
		{"year >= 2020 AND year < 2022", func(p part) bool { return p.year >= 2020 && p.year < 2022 }},
		{"month > '9'", func(p part) bool { return p.month > "9" }},
		{"month IN ('1', '12')", func(p part) bool { return p.month == "1" || p.month == "12" }},
		{"dt BETWEEN '2021-06-15' AND '2022-01-01'", func(p part) bool { return p.dt >= "2021-06-15" && p.dt <= "2022-01-01" }},
		{"dt LIKE '%-15' AND NOT year IN (2019, 2020, 2021)", func(p part) bool { return strings.HasSuffix(p.dt, "-15") && p.year > 2021 }},
		{"year = 2019 OR (year = 2024 AND month <> '1')", func(p part) bool { return p.year == 2019 || p.year == 2024 && p.month != "1" }},
		{"", func(part) bool { return true }},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			got, _ := allGluePartitions(t, c, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("logs"),
				Expression: aws.String(tc.expr), MaxResults: aws.Int32(25)})
			var gotKeys, wantKeys []string
			for _, p := range got {
				gotKeys = append(gotKeys, strings.Join(p.Values, "/"))
			}
			for i, p := range parts {
				if tc.want(p) {
					wantKeys = append(wantKeys, strings.Join(values[i], "/"))
				}
			}
			if !slices.Equal(gotKeys, wantKeys) {
				t.Errorf("got %d partitions, want %d\n got %v\nwant %v", len(gotKeys), len(wantKeys), gotKeys, wantKeys)
			}
		})
	}
	t.Run("malformed", func(t *testing.T) {
		_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("logs"),
			Expression: aws.String("year >")})
		e := glueErrorAs[*types.InvalidInputException](t, err)
		if !strings.Contains(e.ErrorMessage(), "position 7") {
			t.Errorf("message: got %q, want the position", e.ErrorMessage())
		}
	})
	t.Run("too long", func(t *testing.T) {
		_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("logs"),
			Expression: aws.String("year = 1" + strings.Repeat(" ", 2048))})
		glueErrorAs[*types.ValidationException](t, err)
	})
	t.Run("stored value of the wrong type", func(t *testing.T) {
		mustBatchCreateGluePartitions(t, c, "lake", "logs", gluePartitionInputs([]string{"null", "1", "2020-01-01"}))
		_, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("lake"), TableName: aws.String("logs"),
			Expression: aws.String("year >= 0")})
		e := glueErrorAs[*types.InvalidStateException](t, err)
		if want := `For input string: "null" is not an integer.`; e.ErrorMessage() != want {
			t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
		}
	})
}

// FuzzGlueExpression checks that no expression makes the parser or the
// evaluator panic, and that a compiled expression and its negation never
// both match a partition whose values are all present.
func FuzzGlueExpression(f *testing.F) {
	f.Add("year = '2024'")
	f.Add("year BETWEEN 2020 AND 2024 AND month IN ('1','2') OR NOT dt LIKE '2024-%'")
	f.Add("(price > 1.5e2) AND ts <= TIMESTAMP '2024-01-01 00:00:00'")
	rows := [][]string{
		{"2024", "9", "2024-03-05", "10.50", "2024-03-05 10:00:00", "eu-west", "true"},
		{"0", "", "1970-01-01", "-1", "1970-01-01", "%_", "false"},
		{"x", "y", "z", "w", "v", "u", "t"}, // values of the wrong type
		{"1"},                               // missing values
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := compileGlueExpression(expr, glueExprTestKeys)
		if err != nil {
			if err.Code != "InvalidInputException" || !strings.Contains(err.Message, "position ") {
				t.Fatalf("compile %q: got %s %q, want InvalidInputException naming a position", expr, err.Code, err.Message)
			}
			return
		}
		if e == nil {
			if strings.TrimSpace(expr) != "" {
				t.Fatalf("compile %q: got no filter for a non-blank expression", expr)
			}
			return
		}
		neg, err := compileGlueExpression("NOT ("+expr+")", glueExprTestKeys)
		if err != nil {
			// Wrapping may exceed the nesting bound; nothing else.
			if !strings.Contains(err.Message, "nested more than") {
				t.Fatalf("compile NOT (%q): %v", expr, err)
			}
			return
		}
		for _, row := range rows {
			m, mErr := e.match(row)
			n, nErr := neg.match(row)
			if mErr != nil || nErr != nil {
				if (mErr != nil && mErr.Code != "InvalidStateException") || (nErr != nil && nErr.Code != "InvalidStateException") {
					t.Fatalf("match %q on %v: got errors %v, %v, want InvalidStateException only", expr, row, mErr, nErr)
				}
				continue
			}
			if m && n {
				t.Fatalf("%q and its negation both match %v", expr, row)
			}
			if len(row) == len(glueExprTestKeys) && m == n {
				t.Fatalf("%q and its negation agree (%v) on complete row %v", expr, m, row)
			}
		}
	})
}
