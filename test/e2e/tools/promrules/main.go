// promrules: Prometheus's own rule-file checker and PromQL engine, for the chart's
// PrometheusRule and Grafana dashboard (test/e2e/monitoring.test.ts).
//
//	promrules check FILE       validate a rule file as `promtool check rules` does
//	                           (rulefmt.ParseFile: YAML shape, PromQL, templates); exit 1 on errors
//	promrules selectors FILE   print, per rule, the vector selectors of its expression as JSON
//	                           (metric name and label matchers)
//	promrules eval             read {"series": [{"labels": {...}, "samples": [[ms, value], ...]}],
//	                           "queries": [...], "at": ms} on stdin; print each query's instant
//	                           result at "at" as JSON (series labels and values)
//
// The full promtool (github.com/prometheus/prometheus/cmd/promtool) links every service
// discovery plugin; its cold build took 15 CPU-minutes here. This links only the packages
// `promtool check rules` uses for checking (model/rulefmt, promql/parser) and the PromQL engine
// (promql) over an in-memory storage.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// The parser `promtool check rules` uses without --enable-feature.
var promqlParser = parser.NewParser(parser.Options{})

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promrules check FILE | selectors FILE | eval < input.json")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "check":
		err = check(os.Args[2:])
	case "selectors":
		err = selectors(os.Args[2:])
	case "eval":
		err = eval(os.Stdin, os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "promrules: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "promrules:", err)
		os.Exit(1)
	}
}

func parseFile(file string) (*rulefmt.RuleGroups, error) {
	rgs, errs := rulefmt.ParseFile(file, false, model.UTF8Validation, promqlParser, promslog.NewNopLogger())
	if len(errs) > 0 {
		msg := ""
		for _, e := range errs {
			msg += "\n  " + e.Error()
		}
		return nil, fmt.Errorf("%s: %d errors:%s", file, len(errs), msg)
	}
	return rgs, nil
}

func check(files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("check: no file given")
	}
	for _, f := range files {
		rgs, err := parseFile(f)
		if err != nil {
			return err
		}
		n := 0
		for _, g := range rgs.Groups {
			n += len(g.Rules)
		}
		fmt.Printf("%s: SUCCESS: %d rules found\n", f, n)
	}
	return nil
}

type matcher struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

type selector struct {
	Metric   string    `json:"metric"`
	Matchers []matcher `json:"matchers"`
}

type ruleSelectors struct {
	Name      string     `json:"name"`
	Expr      string     `json:"expr"`
	Selectors []selector `json:"selectors"`
}

func selectors(files []string) error {
	if len(files) != 1 {
		return fmt.Errorf("selectors: give one file")
	}
	rgs, err := parseFile(files[0])
	if err != nil {
		return err
	}
	var out []ruleSelectors
	for _, g := range rgs.Groups {
		for _, r := range g.Rules {
			expr, err := promqlParser.ParseExpr(r.Expr)
			if err != nil {
				return err
			}
			name := r.Alert
			if name == "" {
				name = r.Record
			}
			rs := ruleSelectors{Name: name, Expr: r.Expr, Selectors: []selector{}}
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				vs, ok := node.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				s := selector{Metric: vs.Name, Matchers: []matcher{}}
				for _, m := range vs.LabelMatchers {
					if m.Name == labels.MetricName {
						continue
					}
					s.Matchers = append(s.Matchers, matcher{Name: m.Name, Type: m.Type.String(), Value: m.Value})
				}
				rs.Selectors = append(rs.Selectors, s)
				return nil
			})
			out = append(out, rs)
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

type inputSeries struct {
	Labels  map[string]string `json:"labels"`
	Samples [][2]float64      `json:"samples"`
}

type evalInput struct {
	Series  []inputSeries `json:"series"`
	Queries []string      `json:"queries"`
	At      int64         `json:"at"`
}

type resultSeries struct {
	Labels map[string]string `json:"labels"`
	Value  float64           `json:"value"`
}

type queryResult struct {
	Query  string         `json:"query"`
	Result []resultSeries `json:"result"`
	Error  string         `json:"error,omitempty"`
}

// memStorage: the given series, all in memory, for the engine.
type memStorage struct{ series []storage.Series }

func (m memStorage) Querier(_, _ int64) (storage.Querier, error) { return m, nil }

func (m memStorage) Select(_ context.Context, _ bool, _ *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	var out []storage.Series
	for _, s := range m.series {
		ok := true
		for _, mt := range ms {
			if !mt.Matches(s.Labels().Get(mt.Name)) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return labels.Compare(out[i].Labels(), out[j].Labels()) < 0 })
	return &listSet{series: out, i: -1}
}

func (m memStorage) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (m memStorage) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (m memStorage) Close() error { return nil }

type listSet struct {
	series []storage.Series
	i      int
}

func (l *listSet) Next() bool                        { l.i++; return l.i < len(l.series) }
func (l *listSet) At() storage.Series                { return l.series[l.i] }
func (l *listSet) Err() error                        { return nil }
func (l *listSet) Warnings() annotations.Annotations { return nil }

type sample struct {
	t int64
	f float64
}

func (s sample) T() int64                      { return s.t }
func (s sample) F() float64                    { return s.f }
func (s sample) H() *histogram.Histogram       { return nil }
func (s sample) FH() *histogram.FloatHistogram { return nil }
func (s sample) ST() int64                     { return 0 }
func (s sample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s sample) Copy() chunks.Sample           { return s }

func eval(r io.Reader, w io.Writer) error {
	var in evalInput
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return fmt.Errorf("eval: input: %w", err)
	}
	st := memStorage{}
	for _, s := range in.Series {
		samples := make([]chunks.Sample, 0, len(s.Samples))
		for _, x := range s.Samples {
			samples = append(samples, sample{t: int64(x[0]), f: x[1]})
		}
		st.series = append(st.series, storage.NewListSeries(labels.FromMap(s.Labels), samples))
	}
	engine := promql.NewEngine(promql.EngineOpts{Logger: promslog.NewNopLogger(), MaxSamples: 10_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, Parser: promqlParser})
	out := []queryResult{}
	for _, q := range in.Queries {
		res := queryResult{Query: q, Result: []resultSeries{}}
		qry, err := engine.NewInstantQuery(context.Background(), st, nil, q, time.UnixMilli(in.At))
		if err == nil {
			v := qry.Exec(context.Background())
			err = v.Err
			if err == nil {
				switch val := v.Value.(type) {
				case promql.Vector:
					for _, s := range val {
						res.Result = append(res.Result, resultSeries{Labels: s.Metric.Map(), Value: s.F})
					}
				case promql.Scalar:
					res.Result = append(res.Result, resultSeries{Labels: map[string]string{}, Value: val.V})
				default:
					err = fmt.Errorf("unexpected result type %s", v.Value.Type())
				}
			}
			qry.Close()
		}
		if err != nil {
			res.Error = err.Error()
		}
		out = append(out, res)
	}
	return json.NewEncoder(w).Encode(out)
}
