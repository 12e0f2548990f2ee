"""A scripted smoke of S3, Glue and Athena with boto3 against a running
cmd/localaws. Nobody here wrote boto3: what it sends (checksums by default
from 1.36 on, path-style addressing, multipart transfers) and how it reads
the answers is the check.

    python3 .ci/clients/boto3_smoke.py ENDPOINT

Prints one line per check and "boto3 X.Y: N passed, N failed"; exits 1 on a
failure.
"""
import hashlib
import io
import os
import sys
import time

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
cfg = Config(region_name="us-east-1", s3={"addressing_style": "path"},
             retries={"max_attempts": 1})
session = boto3.session.Session(aws_access_key_id="localaws", aws_secret_access_key="localaws",
                                region_name="us-east-1")
s3 = session.client("s3", endpoint_url=endpoint, config=cfg)
glue = session.client("glue", endpoint_url=endpoint, config=cfg)
athena = session.client("athena", endpoint_url=endpoint, config=cfg)

passed = failed = 0


def check(name, fn, want=None):
    """Runs fn; with want, its result must equal want."""
    global passed, failed
    try:
        got = fn()
    except Exception as e:  # noqa: BLE001 - any client error fails the check
        failed += 1
        print(f"FAIL {name}: {type(e).__name__}: {str(e)[:300]}")
        return None
    if want is not None and got != want:
        failed += 1
        print(f"FAIL {name}: got {str(got)[:200]!s}, want {str(want)[:200]!s}")
        return got
    passed += 1
    print(f"ok   {name}")
    return got


def refused(name, fn, code):
    """fn must fail with the S3/Glue/Athena error code given."""
    global passed, failed
    try:
        fn()
    except ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        if got == code:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}: error code {got}, want {code}")
        return
    failed += 1
    print(f"FAIL {name}: succeeded, want {code}")


b = "smoke-boto3-" + boto3.__version__.replace(".", "-")
db = "boto3db_" + boto3.__version__.replace(".", "_")
small = os.urandom(100_000)
big = os.urandom(12 << 20)

# --- S3 ---------------------------------------------------------------
check("create_bucket", lambda: s3.create_bucket(Bucket=b) and True, True)
check("put_object", lambda: s3.put_object(Bucket=b, Key="a/small", Body=small, Metadata={"Team": "x"}) and True, True)
check("get_object bytes", lambda: s3.get_object(Bucket=b, Key="a/small")["Body"].read() == small, True)
check("metadata lower-case", lambda: s3.head_object(Bucket=b, Key="a/small")["Metadata"], {"team": "x"})
check("overwrite with new bytes", lambda: s3.put_object(Bucket=b, Key="a/small", Body=small[:1000]) and True, True)
check("get after overwrite (checksums validated)", lambda: s3.get_object(Bucket=b, Key="a/small")["Body"].read() == small[:1000], True)
check("metadata replaced by overwrite", lambda: s3.head_object(Bucket=b, Key="a/small")["Metadata"], {})
check("ranged get after overwrite", lambda: s3.get_object(Bucket=b, Key="a/small", Range="bytes=10-19")["Body"].read(), small[10:20])
check("upload_fileobj multipart", lambda: s3.upload_fileobj(io.BytesIO(big), b, "a/big") or True, True)
def download_big():
    out = io.BytesIO()
    s3.download_fileobj(b, "a/big", out)
    return hashlib.sha256(out.getvalue()).hexdigest()
check("download_fileobj multipart", download_big, hashlib.sha256(big).hexdigest())
check("multipart etag has -N on head", lambda: s3.head_object(Bucket=b, Key="a/big")["ETag"].strip('"').split("-")[-1].isdigit()
      and "-" in s3.head_object(Bucket=b, Key="a/big")["ETag"], True)
check("copy_object REPLACE in place keeps bytes", lambda: s3.copy_object(Bucket=b, Key="a/small", CopySource={"Bucket": b, "Key": "a/small"},
      MetadataDirective="REPLACE", Metadata={"k": "v"}) and s3.get_object(Bucket=b, Key="a/small")["Body"].read() == small[:1000], True)
check("copy_object REPLACE metadata", lambda: s3.head_object(Bucket=b, Key="a/small")["Metadata"], {"k": "v"})
check("put_object_tagging", lambda: s3.put_object_tagging(Bucket=b, Key="a/small", Tagging={"TagSet": [{"Key": "t", "Value": "1"}]}) and True, True)
check("tagging leaves the body", lambda: s3.get_object(Bucket=b, Key="a/small")["Body"].read() == small[:1000], True)
refused("if-match wrong etag", lambda: s3.get_object(Bucket=b, Key="a/small", IfMatch='"0000"'), "PreconditionFailed")
refused("missing key", lambda: s3.get_object(Bucket=b, Key="nope"), "NoSuchKey")
for i in range(12):
    s3.put_object(Bucket=b, Key=f"many/{i:02d}", Body=b"x")
check("list_objects v1 MaxKeys", lambda: len(s3.list_objects(Bucket=b, Prefix="many/", MaxKeys=5)["Contents"]), 5)
check("list_objects v1 Marker", lambda: [o["Key"] for o in s3.list_objects(Bucket=b, Prefix="many/", Marker="many/09")["Contents"]],
      ["many/10", "many/11"])
check("list_objects_v2 paginator", lambda: sum(len(p.get("Contents", [])) for p in
      s3.get_paginator("list_objects_v2").paginate(Bucket=b, Prefix="many/", PaginationConfig={"PageSize": 5})), 12)
check("delete_objects", lambda: len(s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": f"many/{i:02d}"} for i in range(12)]})["Deleted"]), 12)

# --- Glue -------------------------------------------------------------
check("glue create_database", lambda: glue.create_database(DatabaseInput={"Name": db}) and True, True)
s3.put_object(Bucket=b, Key="t/data.csv", Body=b"1,a\n2,b\n")
check("glue create_table", lambda: glue.create_table(DatabaseName=db, TableInput={
    "Name": "t", "TableType": "EXTERNAL_TABLE",
    "StorageDescriptor": {
        "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
        "Location": f"s3://{b}/t/",
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                      "Parameters": {"field.delim": ","}}}}) and True, True)
check("glue get_table columns", lambda: [c["Name"] for c in glue.get_table(DatabaseName=db, Name="t")["Table"]["StorageDescriptor"]["Columns"]],
      ["id", "name"])
refused("glue missing table", lambda: glue.get_table(DatabaseName=db, Name="nope"), "EntityNotFoundException")


# --- Athena -----------------------------------------------------------
def run(sql):
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": db},
                                       ResultConfiguration={"OutputLocation": f"s3://{b}/athena/"})["QueryExecutionId"]
    for _ in range(200):
        st = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
        if st in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return qid, st
        time.sleep(0.05)
    return qid, "TIMEOUT"


qid, st = run("SELECT id, name FROM t ORDER BY id")
check("athena query", lambda: st, "SUCCEEDED")
check("athena results", lambda: [[d.get("VarCharValue") for d in r["Data"]] for r in
      athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]], [["id", "name"], ["1", "a"], ["2", "b"]])
check("athena result CSV object", lambda: s3.get_object(Bucket=b, Key=f"athena/{qid}.csv")["Body"].read().replace(b"\r", b""),
      b'"id","name"\n"1","a"\n"2","b"\n')
check("athena typed literal", lambda: [[d.get("VarCharValue") for d in r["Data"]] for r in athena.get_query_results(
      QueryExecutionId=run("SELECT CAST(1.5 AS decimal(4,2)) AS d, DATE '2026-01-02' AS day")[0])["ResultSet"]["Rows"]],
      [["d", "day"], ["1.50", "2026-01-02"]])
check("athena host files refused", lambda: run("SELECT * FROM read_text('/etc/hostname')")[1], "FAILED")

print(f"boto3 {boto3.__version__} (botocore {botocore.__version__}): {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
