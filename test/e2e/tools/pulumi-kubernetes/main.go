// Command pulumi-resource-kubernetes is the Pulumi Kubernetes resource
// provider, served by github.com/pulumi/pulumi-kubernetes/provider/v4's
// pkg/provider exactly as its upstream cmd/pulumi-resource-kubernetes does.
//
// The upstream main embeds schema-embed.json and terraform-mapping-embed.json,
// generated at release time from the schema.json and terraform-mapping.json
// that the module does ship. test/e2e/build-tools.sh copies those two files
// out of the module cache next to a scratch copy of this module and runs
// ./embedgen to produce the *-embed.json files before `go build`.
//
// Two flags of our own, handled before the provider starts, let the build
// check the binary: --version prints the release, --check-schema checks that
// the embedded schema is a non-empty Pulumi package schema of that release.
package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

var providerName = "kubernetes"

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "--version", "-version":
			fmt.Println(version.Version)
			return
		case "--check-schema":
			if err := checkSchema(); err != nil {
				fmt.Fprintln(os.Stderr, "pulumi-resource-kubernetes:", err)
				os.Exit(1)
			}
			return
		}
	}
	provider.Serve(providerName, version.Version, pulumiSchema, terraformMapping)
}

func checkSchema() error {
	var spec struct {
		Name      string                     `json:"name"`
		Version   string                     `json:"version"`
		Resources map[string]json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(pulumiSchema, &spec); err != nil {
		return fmt.Errorf("embedded schema (%d bytes): %w", len(pulumiSchema), err)
	}
	if spec.Name != providerName || spec.Version != version.Version || len(spec.Resources) == 0 {
		return fmt.Errorf("embedded schema: name %q version %q with %d resources; want %q %q with some",
			spec.Name, spec.Version, len(spec.Resources), providerName, version.Version)
	}
	var mapping any
	if err := json.Unmarshal(terraformMapping, &mapping); err != nil || mapping == nil {
		return fmt.Errorf("embedded terraform mapping (%d bytes) is not JSON: %v", len(terraformMapping), err)
	}
	fmt.Printf("schema: %s %s, %d resources, %d bytes; terraform mapping %d bytes\n",
		spec.Name, spec.Version, len(spec.Resources), len(pulumiSchema), len(terraformMapping))
	return nil
}
