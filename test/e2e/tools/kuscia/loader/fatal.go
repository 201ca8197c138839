package main

import "fmt"

// fatalWriter is the loader's nlog writer: Kuscia's log lines are dropped (the answer is
// the result, not the log), and Fatal/Fatalf panic with the message instead of exiting,
// so one process can load thousands of configurations. load() recovers the panic.
type fatalWriter struct{}

func (fatalWriter) Infof(string, ...interface{})  {}
func (fatalWriter) Info(...interface{})           {}
func (fatalWriter) Debugf(string, ...interface{}) {}
func (fatalWriter) Debug(...interface{})          {}
func (fatalWriter) Warnf(string, ...interface{})  {}
func (fatalWriter) Warn(...interface{})           {}
func (fatalWriter) Errorf(string, ...interface{}) {}
func (fatalWriter) Error(...interface{})          {}
func (fatalWriter) Fatalf(format string, args ...interface{}) {
	panic(fatal{fmt.Sprintf(format, args...)})
}
func (fatalWriter) Fatal(args ...interface{})   { panic(fatal{fmt.Sprint(args...)}) }
func (fatalWriter) Sync() error                 { return nil }
func (fatalWriter) Write(p []byte) (int, error) { return len(p), nil }
func (fatalWriter) ChangeLogLevel(string) error { return nil }
