package frame

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// DescribeStatistics are the rows of Describe's result, in order.
var DescribeStatistics = []string{"count", "null_count", "mean", "std", "min", "max"}

// Describe summarizes every column. The result has one row per statistic,
// named in a leading string column "statistic" (count, null_count, mean,
// std, min, max, as in DescribeStatistics), and one column per input
// column, under the same name:
//
//   - a numeric column (integers and floats) gives a float64 column: the
//     count of non-null values, the count of nulls, the mean, the sample
//     standard deviation (n-1 in the denominator; null below two values),
//     and the minimum and maximum (null when there is no value; NaN is
//     skipped unless every value is NaN, as in GroupBy);
//   - any other column gives a string column: the two counts in decimal,
//     null mean and std, and the minimum and maximum as String prints them,
//     for types with an order (strings, booleans, dates, timestamps, ...),
//     else null.
//
// An input column named "statistic" is an error, since the result would
// have two columns of that name.
func (f *Frame) Describe(optFns ...func(*Options)) (*Frame, error) {
	f = f.orEmpty()
	series := []Series{String("statistic", DescribeStatistics)}
	for i, fld := range f.Schema().Fields() {
		if fld.Name == "statistic" {
			return nil, fmt.Errorf("frame: describe: column %q clashes with the statistic column: %w", fld.Name, ErrDuplicateColumn)
		}
		col := f.cols[i]
		if isNumericID(col.DataType().ID()) {
			vals, valid := numericSummary(col)
			series = append(series, Float64(fld.Name, vals, valid))
		} else {
			vals, valid := otherSummary(col)
			series = append(series, String(fld.Name, vals, valid))
		}
	}
	out, err := NewWithOptions(series, optFns...)
	if err != nil {
		return nil, fmt.Errorf("frame: describe: %w", err)
	}
	return out, nil
}

// numericSummary computes the six statistics of a numeric column in one
// pass: Welford's update for mean and variance, exact integer comparison
// for the extremes (converted to float64 only at the end).
func numericSummary(col *arrow.Chunked) ([]float64, []bool) {
	var n, mean, m2 float64
	add := func(x float64) {
		n++
		d := x - mean
		mean += d / n
		m2 += d * (x - mean)
	}
	var minF, maxF float64
	var minI, maxI int64
	var minU, maxU uint64
	seen := false
	numericVisitor{
		float: func(_ int, v float64) {
			add(v)
			switch {
			case !seen, minF != minF && v == v:
				// First value, or a number replacing a NaN.
				minF, maxF = v, v
			case v != v:
			default:
				minF, maxF = math.Min(minF, v), math.Max(maxF, v)
			}
			seen = true
		},
		int: func(_ int, v int64) {
			add(float64(v))
			if !seen {
				minI, maxI = v, v
			}
			minI, maxI = min(minI, v), max(maxI, v)
			seen = true
		},
		uint: func(_ int, v uint64) {
			add(float64(v))
			if !seen {
				minU, maxU = v, v
			}
			minU, maxU = min(minU, v), max(maxU, v)
			seen = true
		},
	}.visit(col)
	switch id := col.DataType().ID(); {
	case id == arrow.FLOAT32 || id == arrow.FLOAT64:
	case arrow.IsUnsignedInteger(id):
		minF, maxF = float64(minU), float64(maxU)
	default:
		minF, maxF = float64(minI), float64(maxI)
	}
	vals := []float64{n, float64(col.NullN()), mean, 0, minF, maxF}
	valid := []bool{true, true, n > 0, n > 1, n > 0, n > 0}
	if n > 1 {
		vals[3] = math.Sqrt(m2 / (n - 1))
	}
	for i, ok := range valid {
		if !ok {
			vals[i] = 0
		}
	}
	return vals, valid
}

// otherSummary gives the statistics of a non-numeric column as strings.
func otherSummary(col *arrow.Chunked) ([]string, []bool) {
	count := col.Len() - col.NullN()
	vals := []string{strconv.Itoa(count), strconv.Itoa(col.NullN()), "", "", "", ""}
	valid := []bool{true, true, false, false, false, false}
	if count == 0 || !orderable(col.DataType()) {
		return vals, valid
	}
	ids := make([]uint32, col.Len()) // one group: every row
	for k, largest := range []bool{false, true} {
		row := bestRows(col, ids, 1, largest)[0]
		if row < 0 {
			continue
		}
		chunk, i := locate(col, int(row))
		vals[4+k], valid[4+k] = formatValue(chunk, i, false), true
	}
	return vals, valid
}
