package s3io

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/gowrangler/wrangler/localaws"
)

func TestListPagingGlobsAndFilters(t *testing.T) {
	st, sc, c := startS3(t)
	ctx := context.Background()
	var all []string
	for i := range 1203 {
		k := fmt.Sprintf("data/%04d.csv", i)
		all = append(all, k)
		putObject(t, sc, "lake", k, []byte("x"))
	}
	putObject(t, sc, "lake", "data/sub/a.json", []byte("{}"))
	putObject(t, sc, "lake", "data-old/b.csv", []byte("x"))
	putObject(t, sc, "lake", "top.csv", []byte("x"))

	tests := []struct {
		name string
		url  string
		opts []func(*ListOptions)
		want []string
	}{
		{name: "prefix pages", url: "s3://lake/data/", want: append(slices.Clone(all), "data/sub/a.json")},
		{name: "plain url is a prefix", url: "s3://lake/data", want: append(append([]string{"data-old/b.csv"}, all...), "data/sub/a.json")},
		{name: "glob", url: "s3://lake/data/00[0-1]?.csv", want: all[:20]},
		{name: "doublestar", url: "s3://lake/**/*.json", want: []string{"data/sub/a.json"}},
		{name: "suffix", url: "s3://lake/", opts: []func(*ListOptions){Suffix(".json")}, want: []string{"data/sub/a.json"}},
		{name: "modified in the future", url: "s3://lake/", opts: []func(*ListOptions){ModifiedBetween(time.Now().Add(time.Hour), time.Time{})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := c.ListAll(ctx, tt.url, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %d keys %s, want %d %s", len(got), firstKeys(got), len(tt.want), firstKeys(tt.want))
			}
		})
	}
	t.Run("break stops paging", func(t *testing.T) {
		st.ResetCounters()
		n := 0
		for _, err := range c.List(ctx, "s3://lake/data/") {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 5 {
				break
			}
		}
		if got := st.Calls("s3:ListObjectsV2"); got != 1 {
			t.Fatalf("got %d ListObjectsV2 calls, want 1", got)
		}
	})
	t.Run("bad url", func(t *testing.T) {
		for _, err := range c.List(ctx, "s3://B/x") {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("got %v, want ErrInvalidURL", err)
			}
		}
	})
}

func TestDescribeExistsSize(t *testing.T) {
	_, sc, c := startS3(t)
	ctx := context.Background()
	putObject(t, sc, "lake", "a/b.csv", []byte("hello"))
	info, err := c.Describe(ctx, "s3://lake/a/b.csv")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 5 || info.ETag == "" || info.Key != "a/b.csv" {
		t.Fatalf("got %+v, want size 5, an ETag and key a/b.csv", info)
	}
	if ok, err := c.Exists(ctx, "s3://lake/a/b.csv"); !ok || err != nil {
		t.Fatalf("Exists: got %t, %v; want true", ok, err)
	}
	if ok, err := c.Exists(ctx, "s3://lake/missing"); ok || err != nil {
		t.Fatalf("Exists(missing): got %t, %v; want false, nil", ok, err)
	}
	if _, err := c.Describe(ctx, "s3://lake/missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Describe(missing): got %v, want ErrNotFound", err)
	}
	if n, err := c.Size(ctx, "s3://lake/a/b.csv"); n != 5 || err != nil {
		t.Fatalf("Size: got %d, %v; want 5", n, err)
	}
	if _, err := c.Describe(ctx, "s3://lake/a/"); !errors.Is(err, ErrInvalidURL) {
		t.Fatalf("Describe(prefix): got %v, want ErrInvalidURL", err)
	}
}

func TestDeleteBatchesOf1000(t *testing.T) {
	st, sc, c := startS3(t)
	ctx := context.Background()
	var urls []string
	for i := range 2500 {
		k := fmt.Sprintf("d/%04d", i)
		putObject(t, sc, "lake", k, nil)
		urls = append(urls, "s3://lake/"+k)
	}
	putObject(t, sc, "lake", "keep", []byte("x"))
	st.ResetCounters()
	n, err := c.Delete(ctx, urls)
	if err != nil || n != 2500 {
		t.Fatalf("got %d, %v; want 2500 deleted", n, err)
	}
	if got := st.Calls("s3:DeleteObjects"); got != 3 {
		t.Fatalf("got %d DeleteObjects calls, want 3 (1,000 keys each at most)", got)
	}
	left, _ := c.ListAll(ctx, "s3://lake/")
	if len(left) != 1 || left[0].Key != "keep" {
		t.Fatalf("left %v, want only keep", left)
	}
	putObject(t, sc, "lake", "g/1.csv", nil)
	putObject(t, sc, "lake", "g/2.json", nil)
	if n, err := c.Delete(ctx, []string{"s3://lake/g/*.csv"}); n != 1 || err != nil {
		t.Fatalf("glob delete: got %d, %v; want 1", n, err)
	}
	if ok, _ := c.Exists(ctx, "s3://lake/g/2.json"); !ok {
		t.Fatal("glob delete removed a key it does not match")
	}
}

// failingDeletes reports a per-key error for every key containing "locked",
// as S3 does inside a 200 response.
type failingDeletes struct{ *s3.Client }

func (f failingDeletes) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	out := &s3.DeleteObjectsOutput{}
	var ok []types.ObjectIdentifier
	for _, id := range in.Delete.Objects {
		if strings.Contains(aws.ToString(id.Key), "locked") {
			out.Errors = append(out.Errors, types.Error{Key: id.Key, Code: aws.String("AccessDenied"), Message: aws.String("Access Denied")})
			continue
		}
		ok = append(ok, id)
	}
	if len(ok) > 0 {
		in.Delete.Objects = ok
		if _, err := f.Client.DeleteObjects(ctx, in, optFns...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func TestDeleteReturnsEveryPerKeyError(t *testing.T) {
	_, sc, _ := startS3(t)
	c := New(failingDeletes{sc}, func(o *Options) { o.Retry = testRetry })
	for _, k := range []string{"a", "locked1", "b", "locked2"} {
		putObject(t, sc, "lake", k, nil)
	}
	n, err := c.Delete(context.Background(), []string{"s3://lake/a", "s3://lake/locked1", "s3://lake/b", "s3://lake/locked2"})
	if n != 2 {
		t.Fatalf("got %d deleted, want 2", n)
	}
	var des []*DeleteError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *DeleteError
		if errors.As(e, &de) {
			des = append(des, de)
		}
	}
	if len(des) != 2 || des[0].URL != "s3://lake/locked1" || des[1].Code != "AccessDenied" {
		t.Fatalf("got per-key errors %v, want locked1 and locked2 AccessDenied", err)
	}
}

func TestWaitUntil(t *testing.T) {
	_, sc, c := startS3(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond)
		putObject(t, sc, "lake", "late", []byte("x"))
	}()
	if err := c.WaitUntilExists(ctx, "s3://lake/late"); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		sc.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String("lake"), Key: aws.String("late")})
	}()
	if err := c.WaitUntilNotExists(ctx, "s3://lake/late"); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel2()
	if err := c.WaitUntilExists(short, "s3://lake/never"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
}

func TestOpenResumesAfterDroppedConnection(t *testing.T) {
	st, sc, c := startS3(t)
	body := bytes.Repeat([]byte("0123456789"), 100_000)
	putObject(t, sc, "lake", "big", body)
	st.Inject(localaws.Fault{Op: "s3:GetObject", Kind: localaws.DropConnection, AfterBytes: 300_000, Times: 1})
	var buf bytes.Buffer
	n, err := c.Download(context.Background(), "s3://lake/big", &buf)
	if err != nil || n != int64(len(body)) || !bytes.Equal(buf.Bytes(), body) {
		t.Fatalf("got %d bytes, %v; want %d identical bytes", n, err, len(body))
	}
	if got := st.Calls("s3:GetObject"); got != 2 {
		t.Fatalf("got %d GetObject calls, want 2 (one resume)", got)
	}
}

// firstKeys prints the first few keys of a listing.
func firstKeys(keys []string) string {
	if len(keys) > 3 {
		return fmt.Sprintf("%q...", keys[:3])
	}
	return fmt.Sprintf("%q", keys)
}
