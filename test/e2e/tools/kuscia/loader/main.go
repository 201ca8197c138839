// Command kuscia-loader reads a Kuscia node configuration (kuscia.yaml) the way
// `kuscia start` does, including the checks Kuscia makes on it before and while its
// modules start, and answers ok or the error Kuscia gives. It is built from Kuscia's own
// source at two releases (modules ../ and ../../kuscia-1.0 share this source; see
// ../../README.md) and is the oracle of the differential test of the rule book's
// node-configuration rules (test/e2e/nodeconfig-oracle.test.ts).
//
// What runs is Kuscia's code wherever that code does no I/O that cannot happen here;
// load.go says, step by step, which upstream function each step is and where only the
// parse part of a step is reproduced (the datastore ping, the probe of a lite node's
// master, writes under /home/kuscia).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	// The zone database for the loc parameter of MySQL DSNs (time.LoadLocation), so the
	// answer does not depend on the machine's tzdata; a machine's own database still wins.
	_ "time/tzdata"
)

const usage = `kuscia-loader: load Kuscia node configurations (kuscia.yaml) as ` + "`kuscia start`" + ` does

Usage:
  kuscia-loader FILE            load one kuscia.yaml; print {"ok":...} as JSON
  kuscia-loader --batch         JSON lines on standard input, one answer per line on standard output
  kuscia-loader --schema        the YAML shape of kuscia.yaml per mode, from Kuscia's Go types (JSON)
  kuscia-loader --help

Batch input lines:  {"id":"any string","yaml":"<the kuscia.yaml text>"}
Answer lines:       {"id":"...","ok":true} or {"id":"...","ok":false,"stage":"...","error":"..."}
where stage names the step of kuscia start that refused the configuration (see load.go).

Flags:
  --root DIR   parent of the scratch node roots (default: the system temporary folder);
               each configuration gets a fresh root in place of /home/kuscia, removed after

Exit status: 0 the configuration loads (every batch that was read to its end), 1 the
configuration is refused (single file), 2 usage error, unreadable input, or a machine
Kuscia cannot start on (no eth0/en0 interface: network.GetHostIP).`

func main() {
	fs := flag.NewFlagSet("kuscia-loader", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	batch := fs.Bool("batch", false, "")
	schema := fs.Bool("schema", false, "")
	help := fs.Bool("help", false, "")
	root := fs.String("root", "", "")
	if err := fs.Parse(os.Args[1:]); err != nil {
		fail(2, "%v\n\n%s", err, usage)
	}
	if *help {
		fmt.Println(usage)
		return
	}
	if *schema {
		if err := json.NewEncoder(os.Stdout).Encode(configSchema()); err != nil {
			fail(2, "%v", err)
		}
		return
	}
	if err := prepareProcess(); err != nil {
		fail(2, "%v", err)
	}
	base := *root
	if base == "" {
		base = os.TempDir()
	}
	switch {
	case *batch && fs.NArg() == 0:
		if err := runBatch(base, os.Stdin, os.Stdout); err != nil {
			fail(2, "%v", err)
		}
	case !*batch && fs.NArg() == 1:
		text, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			fail(2, "%v", err)
		}
		r := loadText(base, string(text))
		_ = json.NewEncoder(os.Stdout).Encode(r)
		if !r.OK {
			os.Exit(1)
		}
	default:
		fail(2, "give one FILE, or --batch with input on standard input\n\n%s", usage)
	}
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kuscia-loader: "+format+"\n", args...)
	os.Exit(code)
}

type batchLine struct {
	ID   string `json:"id"`
	YAML string `json:"yaml"`
}

// Result is one answer: OK, or the step of kuscia start that refused the configuration
// and Kuscia's message.
type Result struct {
	ID    string `json:"id,omitempty"`
	OK    bool   `json:"ok"`
	Stage string `json:"stage,omitempty"`
	Error string `json:"error,omitempty"`
}

func runBatch(base string, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var b batchLine
		if err := json.Unmarshal(line, &b); err != nil {
			return fmt.Errorf("input line %d: %v", n, err)
		}
		r := loadText(base, b.YAML)
		r.ID = b.ID
		if err := enc.Encode(r); err != nil {
			return err
		}
		// One answer per line as soon as it is known: a caller may stream.
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// loadText writes text as <fresh root>/etc/kuscia.yaml and loads it.
func loadText(base, text string) Result {
	root, err := os.MkdirTemp(base, "kuscia-node-")
	if err != nil {
		return Result{Stage: "scratch", Error: err.Error()}
	}
	defer os.RemoveAll(root)
	file := filepath.Join(root, "etc", "kuscia.yaml")
	if err := writeImageFiles(root); err == nil {
		err = os.WriteFile(file, []byte(text), 0o600)
	} else {
		return Result{Stage: "scratch", Error: err.Error()}
	}
	stage, lerr := load(root, file)
	if lerr != nil {
		return Result{Stage: stage, Error: lerr.Error()}
	}
	return Result{OK: true}
}
