// Package s3io reads and writes data on Amazon S3: s3:// URLs and globs,
// object operations, streaming CSV, JSON lines and Parquet readers, and
// writers that never leave a half-written object behind.
//
// A Client wraps an SDK S3 client (anything satisfying API, normally
// *s3.Client) with Options for concurrency, part size, retries, server-side
// encryption, the expected bucket owner, a progress callback and a logger.
// Every call that does I/O takes a context first and stops when it ends.
//
// Objects: List (paged, as an iterator, in parallel across the common
// prefixes of wide trees; prefixes and globs with *, **, ?
// and character classes), Exists, Size, Describe, Delete (batches of 1,000
// keys, every per-key failure returned), Copy (server-side; a multipart
// UploadPartCopy above 5 GiB, pinned to the source's ETag and aborted on
// failure), WaitUntilExists
// and WaitUntilNotExists, Open and Download, Upload.
//
// Writers: NewWriter streams into one PutObject when the output is small and
// into a multipart upload, parts in parallel, when it is not. Memory is
// bounded by Concurrency+1 part buffers; the part size grows with the
// stream so that up to 5 TiB fits. On any error, on Abort and when the
// writer's context ends, the multipart upload is aborted: no object appears
// and no incomplete upload is left (the failure behind awswrangler issue
// 2987). WriteCSV, WriteJSONLines and WriteParquet encode frames or record
// streams through a Writer.
//
// Readers stream: ScanCSV, ScanJSONLines and ScanParquet yield Arrow record
// batches as the bytes arrive, over one object or many (a prefix or a glob),
// with memory bounded by batch size x concurrency (for Parquet, plus the
// ReadAhead bytes fetched ahead per object), never by object size.
// ReadCSV, ReadJSONLines and ReadParquet gather a scan into a frame.Frame.
// Parquet is read through an io.ReaderAt of ranged GETs that reads the footer
// once, fetches only the projected columns and selected row groups, and
// coalesces small ranges; row groups are fetched ahead while one decodes.
//
// Where keeps the rows that satisfy conditions in every reader, skipping
// Parquet row groups by their statistics and dataset partitions by their
// values. ReadCSVRows, ReadJSONRows and ReadParquetRows (and their Scan
// forms) read rows into Go structs, the struct's field types being the read
// schema.
//
// Datasets: WriteDataset and WriteDatasetStream write partitioned datasets
// in Hive layout (col=value/ directories, values escaped as Hive does) in
// Parquet, CSV or JSON lines, with the modes Append, Overwrite and
// OverwritePartitions; old data is deleted only after every new file is
// complete, and a failed write removes what it wrote. ScanDataset and
// ReadDataset discover the partitions, prune them with a PartitionFilter
// before listing files, type the partition columns and unify the files'
// schemas. The DatasetResult is what the glue package registers.
//
//	c := s3io.New(s3.NewFromConfig(cfg))
//	for batch, err := range c.ScanCSV(ctx, "s3://raw/2026/11/*.csv.gz") {
//		if err != nil {
//			return err
//		}
//		process(batch) // valid until the next iteration
//	}
package s3io
