// embedgen does what upstream cmd/pulumi-resource-kubernetes/generate.go
// does: it stamps the release version into schema.json and compacts both
// JSON files into the *-embed.json files that main.go embeds. Run in the
// staging directory by test/e2e/build-tools.sh:
//
//	go run ./embedgen VERSION
package main

import (
	"encoding/json"
	"log"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		log.Fatal("usage: go run ./embedgen VERSION")
	}
	raw, err := os.ReadFile("schema.json")
	if err != nil {
		log.Fatal(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		log.Fatalf("cannot deserialize schema: %v", err)
	}
	spec.Version = os.Args[1]
	out, err := json.Marshal(spec)
	if err != nil {
		log.Fatalf("cannot reserialize schema: %v", err)
	}
	if err := os.WriteFile("schema-embed.json", out, 0o600); err != nil {
		log.Fatal(err)
	}

	raw, err = os.ReadFile("terraform-mapping.json")
	if err != nil {
		log.Fatal(err)
	}
	var mapping any
	if err := json.Unmarshal(raw, &mapping); err != nil {
		log.Fatalf("cannot deserialize terraform mapping: %v", err)
	}
	if out, err = json.Marshal(mapping); err != nil {
		log.Fatalf("cannot reserialize terraform mapping: %v", err)
	}
	if err := os.WriteFile("terraform-mapping-embed.json", out, 0o600); err != nil {
		log.Fatal(err)
	}
}
