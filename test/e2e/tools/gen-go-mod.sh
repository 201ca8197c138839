#!/usr/bin/env bash
# Regenerates the go.mod/go.sum of the e2e tool modules from the upstream
# modules' own go.mod files (read from the Go module proxy), then runs
# `go mod tidy`. The results are committed; test/e2e/build-tools.sh only
# reads them (-mod=readonly). Run this only when bumping a version:
#
#   bash test/e2e/tools/gen-go-mod.sh [kube|kube-1.33|kube-1.28|pulumi|pulumi-kubernetes|pulumi-sdkgen|promrules|kuscia|kuscia-1.0|all]
#
# kube-<minor> modules hold the older Kubernetes lines the kubectl e2e suite
# also runs against (the API servers Kuscia embeds; see KUBE_LINE_OF below).
#
# Versions are set below; everything else (staging modules, the etcd version,
# replace lines) is derived from upstream go.mod files.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.36.3}
# Older Kubernetes lines, one module test/e2e/tools/kube-<minor> each: the API servers
# Kuscia embeds (v1.1: K3s v1.33.5; v0.8 to v1.0: K3s v1.26.11). Each is kube-apiserver at
# the k8s.io/kubernetes version a Kuscia tool module pins (Kuscia's own go.mod: v1.33.5 at
# e909d9f6, v1.28.12 at v1.0.0b0, the closest to 1.26 that Go 1.26 builds here), with every
# module it shares with that Kuscia module at that module's version, so that a cold build
# compiles the packages they share once (gen_kube_line).
declare -A KUBE_LINE_OF=([1.33]=kuscia [1.28]=kuscia-1.0)
PULUMI_VERSION=${PULUMI_VERSION:-v3.248.0}
# pulumi-kubernetes provider/v4 is only on the proxy as a pseudo-version of
# its release tag's commit (provider/ has no tags of its own).
PULUMI_K8S_RELEASE=${PULUMI_K8S_RELEASE:-4.25.0}
PULUMI_K8S_PSEUDO=${PULUMI_K8S_PSEUDO:-v4.0.0-20260115033456-f47bc2d6f199}
# The YAML language host (the proxy serves v1.25.0 and v1.11.1), built in the provider's
# module (gen_pulumi_kubernetes); helm is the helm.sh/helm/v3 the provider links.
PULUMI_YAML_VERSION=${PULUMI_YAML_VERSION:-v1.25.0}
# Prometheus's Go module (github.com/prometheus/prometheus v0.3XX.Y is release v3.XX.Y) for
# promrules, our checker over its rulefmt, PromQL parser and engine.
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-v0.316.0}
# Kuscia, as pseudo-versions of upstream commits (its tags, such as v1.0.0b0, are not
# semantic versions): the commit crds/kuscia/ was copied from, and tag v1.0.0b0's.
# The module proxy refuses github.com/secretflow/kuscia, so these modules are generated
# from a local copy of the source: KUSCIA_IAC_KUSCIA_SRC names a folder holding it as
# <12-hex commit>/ (as for test/e2e/build-tools.sh).
KUSCIA_VERSION=${KUSCIA_VERSION:-v0.0.0-20260108071720-e909d9f6d9a1}
KUSCIA_1_0_VERSION=${KUSCIA_1_0_VERSION:-v0.0.0-20250826060534-349febbf4716}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
# The Go checksum database does not answer for the newest pulumi versions (404 on
# lookup); the committed go.sum pins their hashes instead.
export GONOSUMDB=${GONOSUMDB:-github.com/pulumi}

log() { echo "gen-go-mod: $*" >&2; }

# Prints the path of the cached go.mod of MOD@VER (downloading it).
upstream_gomod() {
  local json
  json=$(go mod download -json "$1@$2")
  if grep -q '"Error"' <<<"$json"; then
    echo "$json" >&2
    return 1
  fi
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

# Prints the `go` directive version of a go.mod.
go_directive() { awk '$1=="go"{print $2; exit}' "$1"; }

# Prints "MOD VERSION" for every require line of a go.mod (block or single).
requires() {
  awk '
    /^require[[:space:]]*\(/ {blk=1; next}
    blk && /^\)/ {blk=0; next}
    blk && NF>=2 && $1!="//" {print $1, $2; next}
    /^require[[:space:]]+[^(]/ {print $2, $3}
  ' "$1"
}

# Prints every replace directive of a go.mod as "OLD [OLDVER] => NEW [NEWVER]".
replaces() {
  awk '
    /^replace[[:space:]]*\(/ {blk=1; next}
    blk && /^\)/ {blk=0; next}
    blk && /=>/ {sub(/^[[:space:]]+/, ""); print; next}
    /^replace[[:space:]]+[^(]/ {sub(/^replace[[:space:]]+/, ""); print}
  ' "$1"
}

# Prints the greater of two Go versions (1.21, 1.24.0, ...).
go_max() { printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1; }

# served_staging MOD v0.X.Y: prints v0.X.Y if the proxy serves MOD at it,
# else the newest earlier patch v0.X.(Y-n) it serves (logged; the go.mod gets a
# comment). The proxy refuses some staging modules at some tags with 403 "This
# module version is not available" (k8s.io/endpointslice,
# k8s.io/kube-controller-manager and k8s.io/legacy-cloud-providers at v0.29.6,
# all three of them only kube-controller-manager's).
served_staging() {
  local m=$1 want=$2 base patch json
  base=${want%.*}; patch=${want##*.}
  while [ "$patch" -ge 0 ]; do
    # go exits 1 on a refused version: read its JSON, not its status.
    json=$(go mod download -json "$m@$base.$patch" 2>/dev/null || true)
    if ! grep -q '"Error"' <<<"$json"; then
      [ "$base.$patch" = "$want" ] || log "$m: $want is not served; using $base.$patch"
      echo "$base.$patch"
      return 0
    fi
    patch=$((patch - 1))
  done
  log "$m: no $base.* at or below $want is served"
  echo "$want"
}

# gen_kube [DIR_NAME K8S_VERSION]: module kube/ at $K8S_VERSION by default.
gen_kube() {
  local name=${1:-kube} K8S_VERSION=${2:-$K8S_VERSION}
  local dir=$HERE/$name gomod staging_ver etcd_ver godebug upgo
  log "k8s.io/kubernetes@$K8S_VERSION"
  gomod=$(upstream_gomod k8s.io/kubernetes "$K8S_VERSION")
  # v1.36.3 -> v0.36.3: the staging modules' published tag.
  staging_ver=v0.${K8S_VERSION#v1.}
  etcd_ver=$(requires "$gomod" | awk '$1=="go.etcd.io/etcd/server/v3"{print $2}')
  [ -n "$etcd_ver" ] || { log "no go.etcd.io/etcd/server/v3 in $gomod"; return 1; }
  godebug=$(awk '$1=="godebug"' "$gomod")
  upgo=$(go_directive "$gomod")
  # `tool` directives need go >= 1.24. Raising an older go line would also
  # raise the binaries' default GODEBUG settings, so pin those to what the
  # upstream go line gives (k8s 1.29 says go 1.21).
  if [ -z "$godebug" ] && [ "$(go_max "$upgo" 1.24)" != "$upgo" ]; then
    godebug="godebug default=go${upgo%.0}"
  fi
  mkdir -p "$dir/etcd"
  [ "$name" = kube ] || cp "$HERE/kube/etcd/main.go" "$dir/etcd/main.go"
  {
    echo "// Code generated by test/e2e/tools/gen-go-mod.sh from k8s.io/kubernetes@$K8S_VERSION's go.mod. DO NOT EDIT."
    echo
    echo "module kuscia-iac/test/e2e/tools/$name"
    echo
    echo "go $(go_max "$upgo" 1.24)"
    [ -z "$godebug" ] || { echo; echo "$godebug"; }
    echo
    echo "tool ("
    echo "	k8s.io/kubernetes/cmd/kube-apiserver"
    echo "	k8s.io/kubernetes/cmd/kube-controller-manager"
    echo "	k8s.io/kubernetes/cmd/kubectl"
    echo ")"
    echo
    echo "require ("
    echo "	go.etcd.io/etcd/server/v3 $etcd_ver"
    echo "	k8s.io/kubernetes $K8S_VERSION"
    echo ")"
    echo
    echo "// k8s.io/kubernetes replaces its staging modules with ./staging/src/...;"
    echo "// a dependent module must point them at their published $staging_ver."
    echo "// Only the staging modules k8s.io/kubernetes requires are listed."
    echo "replace ("
    # local-path replaces whose target k8s.io/kubernetes also requires
    replaces "$gomod" | awk '$2=="=>" && $3 ~ /^\.\// {print $1}' | sort -u |
      while read -r m; do
        if requires "$gomod" | awk -v m="$m" '$1==m{f=1} END{exit !f}'; then
          echo "	$m => $m $(served_staging "$m" "$staging_ver")"
        else
          log "skip $m (replaced but not required by k8s.io/kubernetes)"
        fi
      done
    echo ")"
  } >"$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy)
  log "kube: etcd server $etcd_ver, staging $staging_ver"
}

# Writes the replace lines of an upstream go.mod except those pointing to a
# local path (those are the monorepo's own modules, required at a version).
copy_remote_replaces() {
  local lines
  lines=$(replaces "$1" | awk '{for(i=1;i<=NF;i++) if($i=="=>") {t=$(i+1)}; if (t !~ /^\.\.?\//) print "replace " $0}')
  echo "${lines:-// (none)}"
}

# gen_pkg_module DIR TOOL_LINE: a module requiring pulumi/pkg/v3 and sdk/v3 at
# $PULUMI_VERSION with pkg's remote replaces (the CLI's module and pulumi-sdkgen's share
# it, so their package versions, and so their Go build cache entries, are the same).
gen_pkg_module() {
  local dir=$1 tool=$2 gomod
  gomod=$(upstream_gomod github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION")
  {
    echo "// Code generated by test/e2e/tools/gen-go-mod.sh from github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION's go.mod. DO NOT EDIT."
    echo
    echo "module kuscia-iac/test/e2e/tools/$(basename "$dir")"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    if [ -n "$tool" ]; then
      echo "tool $tool"
      echo
    fi
    echo "// pkg/v3 replaces sdk/v3 with ../sdk: require the same release instead."
    echo "require ("
    echo "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION"
    echo "	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION"
    echo ")"
    echo
    echo "// pkg/v3's other replace lines, copied."
    copy_remote_replaces "$gomod"
  } >"$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy)
}

gen_pulumi() {
  log "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"
  gen_pkg_module "$HERE/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

gen_pulumi_kubernetes() {
  local dir=$HERE/pulumi-kubernetes gomod
  log "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_K8S_PSEUDO (release v$PULUMI_K8S_RELEASE)"
  gomod=$(upstream_gomod github.com/pulumi/pulumi-kubernetes/provider/v4 "$PULUMI_K8S_PSEUDO")
  local sdkver
  sdkver=$(requires "$gomod" | awk '$1=="github.com/pulumi/pulumi-kubernetes/sdk/v4"{print $2}')
  {
    echo "// Code generated by test/e2e/tools/gen-go-mod.sh from github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_K8S_PSEUDO's go.mod (release v$PULUMI_K8S_RELEASE). DO NOT EDIT."
    echo
    echo "module kuscia-iac/test/e2e/tools/pulumi-kubernetes"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    # pulumi-language-yaml and helm are built from this module too (build-tools.sh targets
    # yaml and helm): pulumi-yaml pins a pulumi/pkg/v3 as old as the provider's (the CLI's
    # is newer, and neither builds against it), and helm is the one the provider links, so
    # a cold build compiles the packages the three share once.
    echo "tool ("
    echo "	github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
    echo "	helm.sh/helm/v3/cmd/helm"
    echo ")"
    echo
    echo "require ("
    echo "	github.com/pulumi/pulumi-kubernetes/provider/v4 $PULUMI_K8S_PSEUDO"
    echo "	github.com/pulumi/pulumi-yaml $PULUMI_YAML_VERSION"
    echo ")"
    if [ -n "$sdkver" ]; then
      echo
      echo "// provider/v4 replaces sdk/v4 with ../sdk: require its stated release instead."
      echo "require github.com/pulumi/pulumi-kubernetes/sdk/v4 $sdkver"
    fi
    echo
    echo "// provider/v4's other replace lines, copied."
    copy_remote_replaces "$gomod"
  } >"$dir/go.mod"
  cat >"$dir/release.go" <<EOF
// Code generated by test/e2e/tools/gen-go-mod.sh. DO NOT EDIT.

package main

// releaseVersion is the pulumi-kubernetes release (and @pulumi/kubernetes npm
// version) whose tag commit provider/v4 $PULUMI_K8S_PSEUDO is.
const releaseVersion = "$PULUMI_K8S_RELEASE"
EOF
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy)
}

# pulumi-sdkgen (our main.go): the SDK code generators of the same pulumi/pkg/v3 as the CLI,
# in a module of its own so the CLI's cache key does not change with it.
gen_pulumi_sdkgen() {
  log "pulumi-sdkgen: github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"
  gen_pkg_module "$HERE/pulumi-sdkgen" ""
}

# promrules (our main.go over Prometheus's rulefmt, promql/parser and promql): requires
# github.com/prometheus/prometheus at $PROMETHEUS_VERSION with its go line; go.sum from
# `go mod tidy`, so it holds only what main.go links (not promtool's discovery plugins).
gen_promrules() {
  local dir=$HERE/promrules gomod
  log "promrules: github.com/prometheus/prometheus@$PROMETHEUS_VERSION"
  gomod=$(upstream_gomod github.com/prometheus/prometheus "$PROMETHEUS_VERSION")
  {
    echo "// Code generated by test/e2e/tools/gen-go-mod.sh from github.com/prometheus/prometheus@$PROMETHEUS_VERSION's go.mod. DO NOT EDIT."
    echo
    echo "module kuscia-iac/test/e2e/tools/promrules"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    echo "require github.com/prometheus/prometheus $PROMETHEUS_VERSION"
    echo
    echo "// prometheus's replace lines, copied."
    copy_remote_replaces "$gomod"
  } >"$dir/go.mod"
  rm -f "$dir/go.sum"
  (cd "$dir" && go mod tidy)
}

# kuscia, kuscia-1.0 (our mains over Kuscia's packages): go.mod requires Kuscia at its
# version with Kuscia's own replace block (a dependency's replaces do not apply to its
# dependents); go.sum comes from `go mod tidy` with a temporary replace to the local source,
# so it holds every dependency's line but not Kuscia's own.
gen_kuscia() {
  local mod=$1 ver=$2 dir=$HERE/$1 src header
  src=${KUSCIA_IAC_KUSCIA_SRC:?set KUSCIA_IAC_KUSCIA_SRC to a folder holding the Kuscia source as <12-hex commit>/}/${ver##*-}
  [ -f "$src/go.mod" ] || { echo "no $src/go.mod" >&2; exit 2; }
  log "$mod: github.com/secretflow/kuscia@$ver from $src"
  header=$(sed -n '1,/^module /{/^\/\//p}' "$dir/go.mod")
  {
    printf '%s\n' "$header"
    echo "module $(awk '$1=="module"{print $2}' "$dir/go.mod")"
    echo
    echo "go $(go_directive "$src/go.mod")"
    awk '$1=="godebug"{print; exit}' "$src/go.mod" | sed '1s/^/\n/'
    echo
    echo "require github.com/secretflow/kuscia $ver"
    echo
    awk '/^replace \(/{p=1} p{print} p&&/^\)/{exit}' "$src/go.mod"
  } >"$dir/go.mod.new"
  mv "$dir/go.mod.new" "$dir/go.mod"
  rm -f "$dir/go.sum"
  # kuscia-1.0 has no loader of its own: build-tools.sh builds kuscia/loader there, so tidy
  # must see its imports.
  local borrowed=""
  if [ ! -d "$dir/loader" ]; then
    cp -R "$HERE/kuscia/loader" "$dir/loader"
    borrowed=$dir/loader
  fi
  (cd "$dir" && go mod edit -replace "github.com/secretflow/kuscia=$src" && go mod tidy &&
    go mod edit -dropreplace github.com/secretflow/kuscia)
  [ -z "$borrowed" ] || rm -rf "$borrowed"
}

# gen_kube_line NAME KUSCIA_MOD: the older line NAME (kube-1.33), kube-apiserver only, at the
# k8s.io/kubernetes version the Kuscia tool module KUSCIA_MOD pins. Its go.mod requires every
# module of the packages KUSCIA_MOD's tools build at the version KUSCIA_MOD selects, with
# KUSCIA_MOD's replace block, before `go mod tidy` keeps what kube-apiserver needs: the
# packages the API server shares with Kuscia's (apimachinery, client-go, apiserver, ...) are
# then the same package versions, one Go build cache entry each (a cold build of kube-1.33
# compiles about a fifth of what its own module did). Staging modules the proxy refuses at
# that tag get their newest earlier patch (served_staging).
gen_kube_line() {
  local name=$1 kmod=$2 dir=$HERE/$1 src stage kver gomod upgo godebug gover
  src=${KUSCIA_IAC_KUSCIA_SRC:?set KUSCIA_IAC_KUSCIA_SRC to a folder holding the Kuscia source as <12-hex commit>/}
  src=$src/$(awk '$1=="github.com/secretflow/kuscia"{print $2; exit} $1=="require" && $2=="github.com/secretflow/kuscia"{print $3; exit}' "$HERE/$kmod/go.mod" | sed 's/.*-//')
  [ -f "$src/go.mod" ] || { echo "no $src/go.mod" >&2; exit 2; }
  stage=$(mktemp -d)
  cp -R "$HERE/$kmod/." "$stage/"
  [ -d "$stage/loader" ] || cp -R "$HERE/kuscia/loader" "$stage/loader"
  (cd "$stage" && go mod edit -replace "github.com/secretflow/kuscia=$src")
  kver=$(cd "$stage" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
  log "$name: k8s.io/kubernetes@$kver, aligned with $kmod"
  gomod=$(upstream_gomod k8s.io/kubernetes "$kver")
  upgo=$(go_directive "$gomod")
  godebug=$(awk '$1=="godebug"' "$gomod")
  # `tool` directives need go >= 1.24; an older upstream go line keeps its GODEBUG defaults.
  if [ -z "$godebug" ] && [ "$(go_max "$upgo" 1.24)" != "$upgo" ]; then
    godebug="godebug default=go${upgo%.0}"
  fi
  gover=$(go_max "$(go_directive "$HERE/$kmod/go.mod")" 1.24)
  {
    echo "// Code generated by test/e2e/tools/gen-go-mod.sh: k8s.io/kubernetes@$kver's kube-apiserver with the module versions of $kmod/. DO NOT EDIT."
    echo
    echo "module kuscia-iac/test/e2e/tools/$name"
    echo
    echo "go $gover"
    [ -z "$godebug" ] || { echo; echo "$godebug"; }
    echo
    echo "tool k8s.io/kubernetes/cmd/kube-apiserver"
    echo
    echo "require ("
    (cd "$stage" && go list -e -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./...) |
      grep -v '^github.com/secretflow/kuscia ' | sort -u | sed 's/^/	/'
    echo ")"
    echo
    echo "// $kmod/'s replace block (Kuscia's own), staging modules at a served patch."
    echo "replace ("
    awk '/^replace \(/{p=1; next} p&&/^\)/{exit} p&&/=>/{print $1, $3, $4}' "$HERE/$kmod/go.mod" |
      while read -r m target ver; do
        case $m in
          github.com/secretflow/kuscia) ;;
          k8s.io/*) [ "$m" = "$target" ] && ver=$(served_staging "$m" "$ver"); echo "	$m => $target $ver" ;;
          *) echo "	$m => $target $ver" ;;
        esac
      done
    echo ")"
  } >"$dir.go.mod.new"
  rm -rf "$stage" "$dir"
  mkdir -p "$dir"
  mv "$dir.go.mod.new" "$dir/go.mod"
  (cd "$dir" && go mod tidy)
}

case "${1:-all}" in
  kube) gen_kube ;;
  kuscia) gen_kuscia kuscia "$KUSCIA_VERSION" ;;
  kuscia-1.0) gen_kuscia kuscia-1.0 "$KUSCIA_1_0_VERSION" ;;
  kube-1.*)
    [ -n "${KUBE_LINE_OF[${1#kube-}]:-}" ] || { echo "unknown Kubernetes line ${1#kube-} (known: ${!KUBE_LINE_OF[*]})" >&2; exit 2; }
    gen_kube_line "$1" "${KUBE_LINE_OF[${1#kube-}]}" ;;
  pulumi) gen_pulumi ;;
  pulumi-kubernetes) gen_pulumi_kubernetes ;;
  pulumi-sdkgen) gen_pulumi_sdkgen ;;
  promrules) gen_promrules ;;
  all) gen_kube; gen_pulumi; gen_pulumi_kubernetes; gen_pulumi_sdkgen; gen_promrules ;;
  *) echo "usage: $0 [kube|kube-1.33|kube-1.28|pulumi|pulumi-kubernetes|pulumi-sdkgen|promrules|kuscia|kuscia-1.0|all]" >&2; exit 2 ;;
esac
