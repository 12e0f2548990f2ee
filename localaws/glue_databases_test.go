package localaws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func TestGlueDatabaseLifecycle(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	before := time.Now().Add(-time.Second)
	_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{
		Name:        aws.String("Analytics"),
		Description: aws.String("multi\nline"),
		LocationUri: aws.String("s3://lake/analytics/"),
		Parameters:  map[string]string{"owner": "team-a"},
	}})
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	got, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("ANALYTICS")})
	if err != nil {
		t.Fatalf("GetDatabase: %v", err)
	}
	db := got.Database
	checks := []struct{ name, got, want string }{
		{"Name (folded to lowercase)", aws.ToString(db.Name), "analytics"},
		{"Description", aws.ToString(db.Description), "multi\nline"},
		{"LocationUri", aws.ToString(db.LocationUri), "s3://lake/analytics/"},
		{"Parameters[owner]", db.Parameters["owner"], "team-a"},
		{"CatalogId", aws.ToString(db.CatalogId), glueTestAccount},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if db.CreateTime == nil || db.CreateTime.Before(before) || db.CreateTime.After(time.Now().Add(time.Second)) {
		t.Errorf("CreateTime: got %v, want about now", db.CreateTime)
	}
	// The default Lake Formation permissions every database in
	// fixtures/glue/aws-cli-examples/get-databases.json carries.
	if len(db.CreateTableDefaultPermissions) != 1 ||
		aws.ToString(db.CreateTableDefaultPermissions[0].Principal.DataLakePrincipalIdentifier) != "IAM_ALLOWED_PRINCIPALS" ||
		len(db.CreateTableDefaultPermissions[0].Permissions) != 1 || db.CreateTableDefaultPermissions[0].Permissions[0] != types.PermissionAll {
		t.Errorf("CreateTableDefaultPermissions: got %+v, want [{IAM_ALLOWED_PRINCIPALS [ALL]}]", db.CreateTableDefaultPermissions)
	}

	_, err = c.UpdateDatabase(ctx, &glue.UpdateDatabaseInput{Name: aws.String("analytics"), DatabaseInput: &types.DatabaseInput{
		Name: aws.String("analytics"), Description: aws.String("updated"),
	}})
	if err != nil {
		t.Fatalf("UpdateDatabase: %v", err)
	}
	got, err = c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("analytics")})
	if err != nil {
		t.Fatalf("GetDatabase after update: %v", err)
	}
	if d := aws.ToString(got.Database.Description); d != "updated" {
		t.Errorf("Description after update: got %q, want %q", d, "updated")
	}
	if got.Database.LocationUri != nil {
		t.Errorf("LocationUri after an update without it: got %q, want none", aws.ToString(got.Database.LocationUri))
	}
	if !got.Database.CreateTime.Equal(*db.CreateTime) {
		t.Errorf("CreateTime after update: got %v, want %v", got.Database.CreateTime, db.CreateTime)
	}

	// Deleting the database deletes its tables and partitions.
	mustCreateGlueTable(t, c, "analytics", glueTestTableInput("sales", "dt", "string"))
	mustBatchCreateGluePartitions(t, c, "analytics", "sales", gluePartitionInputs([]string{"2024-01-01"}))
	if _, err := c.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("analytics")}); err != nil {
		t.Fatalf("DeleteDatabase: %v", err)
	}
	_, err = c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("analytics")})
	glueErrorAs[*types.EntityNotFoundException](t, err)
	mustCreateGlueDatabase(t, c, "analytics")
	_, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("analytics"), Name: aws.String("sales")})
	glueErrorAs[*types.EntityNotFoundException](t, err)
}

func TestGlueGetDatabasesPaging(t *testing.T) {
	ctx := context.Background()
	_, c := newGlueTestService(t, "")
	const n = 250
	for i := range n {
		mustCreateGlueDatabase(t, c, fmt.Sprintf("db_%03d", i))
	}
	tests := []struct {
		name      string
		max       *int32
		wantPages int
	}{
		{"default page size 100", nil, 3},
		{"MaxResults 7", aws.Int32(7), 36},
		{"MaxResults 100", aws.Int32(100), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			pages := 0
			p := glue.NewGetDatabasesPaginator(c, &glue.GetDatabasesInput{MaxResults: tc.max})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("page %d: %v", pages+1, err)
				}
				pages++
				for _, db := range out.DatabaseList {
					names = append(names, aws.ToString(db.Name))
				}
			}
			if pages != tc.wantPages {
				t.Errorf("pages: got %d, want %d", pages, tc.wantPages)
			}
			if len(names) != n {
				t.Fatalf("databases: got %d, want %d", len(names), n)
			}
			for i, name := range names {
				if want := fmt.Sprintf("db_%03d", i); name != want {
					t.Fatalf("database %d: got %s, want %s", i, name, want)
				}
			}
		})
	}
	t.Run("MaxResults 101 is refused", func(t *testing.T) {
		_, err := c.GetDatabases(ctx, &glue.GetDatabasesInput{MaxResults: aws.Int32(101)})
		e := glueErrorAs[*types.ValidationException](t, err)
		if !strings.Contains(e.ErrorMessage(), "less than or equal to 100") {
			t.Errorf("message: got %q, want the bound", e.ErrorMessage())
		}
	})
	t.Run("NAME only", func(t *testing.T) {
		out, err := c.GetDatabases(ctx, &glue.GetDatabasesInput{AttributesToGet: []types.DatabaseAttributes{types.DatabaseAttributesName}, MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DatabaseList) != 1 || out.DatabaseList[0].CreateTime != nil || aws.ToString(out.DatabaseList[0].Name) != "db_000" {
			t.Errorf("got %+v, want only the name db_000", out.DatabaseList)
		}
	})
	t.Run("a foreign token is refused", func(t *testing.T) {
		_, err := c.GetDatabases(ctx, &glue.GetDatabasesInput{NextToken: aws.String("not-a-token")})
		glueErrorAs[*types.InvalidInputException](t, err)
	})
}

func TestGlueDatabaseErrors(t *testing.T) {
	ctx := context.Background()
	g, c := newGlueTestService(t, "")
	mustCreateGlueDatabase(t, c, "existing")
	long := strings.Repeat("a", 256)
	tests := []struct {
		name string
		call func() error
		want func(t *testing.T, err error)
	}{
		{"create existing (other case)", func() error {
			_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("EXISTING")}})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.AlreadyExistsException](t, err) }},
		{"get missing", func() error {
			_, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("missing")})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.EntityNotFoundException](t, err)
			if want := "Database missing not found."; e.ErrorMessage() != want {
				t.Errorf("message: got %q, want %q", e.ErrorMessage(), want)
			}
		}},
		{"update missing", func() error {
			_, err := c.UpdateDatabase(ctx, &glue.UpdateDatabaseInput{Name: aws.String("missing"), DatabaseInput: &types.DatabaseInput{Name: aws.String("missing")}})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
		{"delete missing", func() error {
			_, err := c.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("missing")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
		{"rename through update", func() error {
			_, err := c.UpdateDatabase(ctx, &glue.UpdateDatabaseInput{Name: aws.String("existing"), DatabaseInput: &types.DatabaseInput{Name: aws.String("other")}})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.InvalidInputException](t, err) }},
		{"name of 256 characters", func() error {
			_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String(long)}})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.ValidationException](t, err)
			if want := "at 'databaseInput.name' failed to satisfy constraint: Member must have length less than or equal to 255"; !strings.Contains(e.ErrorMessage(), want) {
				t.Errorf("message: got %q, want it to contain %q", e.ErrorMessage(), want)
			}
		}},
		{"name with a newline", func() error {
			_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("a\nb")}})
			return err
		}, func(t *testing.T, err error) {
			e := glueErrorAs[*types.ValidationException](t, err)
			if !strings.Contains(e.ErrorMessage(), "regular expression pattern") {
				t.Errorf("message: got %q, want the pattern named", e.ErrorMessage())
			}
		}},
		{"empty name", func() error {
			_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("")}})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.ValidationException](t, err) }},
		{"another account's catalog", func() error {
			_, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{CatalogId: aws.String("999999999999"), Name: aws.String("existing")})
			return err
		}, func(t *testing.T, err error) { glueErrorAs[*types.EntityNotFoundException](t, err) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.call()) })
	}

	t.Run("database quota", func(t *testing.T) {
		g.mu.Lock()
		g.limits.databases = len(g.databases)
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.limits.databases = glueMaxDatabases; g.mu.Unlock() }()
		_, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("one_too_many")}})
		glueErrorAs[*types.ResourceNumberLimitExceededException](t, err)
	})
}

// TestGlueWireProtocol checks the raw AWS JSON 1.1 exchange: headers,
// error bodies and unknown operations, which the SDK hides.
func TestGlueWireProtocol(t *testing.T) {
	g, err := newGlueService("", "us-east-1", glueTestAccount)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	defer srv.Close()
	post := func(target, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: body %q is not a JSON object: %v", target, raw, err)
		}
		return resp, m
	}
	tests := []struct {
		name, target, body string
		wantStatus         int
		wantType           string // "" for success
	}{
		{"create", "AWSGlue.CreateDatabase", `{"DatabaseInput":{"Name":"wire"}}`, 200, ""},
		{"empty output is {}", "AWSGlue.DeleteDatabase", `{"Name":"wire"}`, 200, ""},
		{"not found", "AWSGlue.GetDatabase", `{"Name":"wire"}`, 400, "EntityNotFoundException"},
		{"unknown operation", "AWSGlue.FlyToTheMoon", `{}`, 400, "UnknownOperationException"},
		{"other service", "AmazonAthena.GetDatabase", `{}`, 400, "UnknownOperationException"},
		{"malformed JSON", "AWSGlue.GetDatabase", `{"Name":`, 400, "SerializationException"},
		{"wrong member type", "AWSGlue.GetDatabase", `{"Name":42}`, 400, "SerializationException"},
		{"missing required member", "AWSGlue.GetDatabase", `{}`, 400, "ValidationException"},
		{"unknown members are ignored", "AWSGlue.GetDatabases", `{"SomethingNew":true}`, 200, ""},
		{"empty body means {}", "AWSGlue.GetDatabases", ``, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(tc.target, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status: got %d, want %d (body %v)", resp.StatusCode, tc.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type: got %q, want application/x-amz-json-1.1", ct)
			}
			if id := resp.Header.Get("x-amzn-RequestId"); len(id) != 36 {
				t.Errorf("x-amzn-RequestId: got %q, want a UUID", id)
			}
			if tc.wantType == "" {
				if _, isErr := body["__type"]; isErr {
					t.Errorf("body: got error %v, want success", body)
				}
				return
			}
			if got := resp.Header.Get("X-Amzn-ErrorType"); got != tc.wantType {
				t.Errorf("X-Amzn-ErrorType: got %q, want %q", got, tc.wantType)
			}
			if got := body["__type"]; got != tc.wantType {
				t.Errorf("__type: got %v, want %q", got, tc.wantType)
			}
			if msg, _ := body["Message"].(string); msg == "" {
				t.Errorf("Message: got none, want text (body %v)", body)
			}
		})
	}
}

// TestGlueAWSTime checks the epoch-seconds timestamp encoding both ways.
func TestGlueAWSTime(t *testing.T) {
	tests := []struct {
		in, out string
		want    time.Time
	}{
		{"1590436234", "1590436234", time.Unix(1590436234, 0)},
		{"1602730539.0", "1602730539", time.Unix(1602730539, 0)},
		{"1602730539.25", "1602730539.25", time.Unix(1602730539, 250e6)},
		{"1.602730539E9", "1602730539", time.Unix(1602730539, 0)},
		{"0", "0", time.Unix(0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var at awsTime
			if err := json.Unmarshal([]byte(tc.in), &at); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !at.Time().Equal(tc.want) {
				t.Errorf("decoded: got %v, want %v", at.Time(), tc.want)
			}
			b, err := json.Marshal(at)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.out {
				t.Errorf("encoded: got %s, want %s", b, tc.out)
			}
		})
	}
	for _, bad := range []string{`"yesterday"`, `1e300`, `true`} {
		var at awsTime
		if err := json.Unmarshal([]byte(bad), &at); err == nil {
			t.Errorf("decode %s: got %v, want an error", bad, at.Time())
		}
	}
}
