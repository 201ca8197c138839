// Command etcd is etcd's own server entry point (the same one-line main as
// the go.etcd.io/etcd/v3 root module), built from go.etcd.io/etcd/server/v3
// at the version k8s.io/kubernetes requires, so it shares one module graph
// with kube-apiserver and kubectl.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
