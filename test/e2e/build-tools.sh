#!/usr/bin/env bash
# Builds the binaries the end-to-end tests need, from the Go module proxy
# only, into a content-addressed cache directory outside the repository:
#
#   bash test/e2e/build-tools.sh [TARGET...]  (default: all)
#
# TARGET is one of the targets below, `all` (every target but the two Kuscia ones) or `ci`
# (every target, in the order the e2e suites need them: what .ci/run builds ahead).
#
#   kube    kube-apiserver, kube-controller-manager, kubectl
#           (k8s.io/kubernetes) and etcd (go.etcd.io/etcd/server/v3),
#           module test/e2e/tools/kube. kube-controller-manager is needed
#           for garbage collection: pulumi-kubernetes deletes with foreground
#           propagation, which leaves a foregroundDeletion finalizer that
#           only the garbage collector removes (namespaces likewise need its
#           namespace controller).
#   kube-1.33, kube-1.28
#           kube-apiserver of the older Kubernetes lines the kubectl suite also
#           runs against (the API servers Kuscia embeds), modules
#           test/e2e/tools/kube-1.33 and kube-1.28, each at the module versions of
#           the Kuscia module it is aligned with (kuscia, kuscia-1.0: see
#           tools/gen-go-mod.sh), so that they share that target's compiled
#           packages; the other three binaries are the kube target's. Not part of `all`.
#   pulumi  pulumi (github.com/pulumi/pulumi/pkg/v3), module
#           test/e2e/tools/pulumi, and pulumi-resource-kubernetes
#           (github.com/pulumi/pulumi-kubernetes/provider/v4), module
#           test/e2e/tools/pulumi-kubernetes (two modules: the provider pins
#           an older pulumi/pkg/v3 than the CLI and does not build against the
#           CLI's). pulumi-language-nodejs is not built: the proxy serves no
#           version of its module (see test/e2e/tools/README.md).
#   yaml    pulumi-language-yaml (github.com/pulumi/pulumi-yaml), from module
#           test/e2e/tools/pulumi-kubernetes (it pins a pulumi/pkg/v3 as old as
#           the provider's; one module graph, so the packages they share are
#           compiled once): the language host that lets the CLI run a
#           `runtime: yaml` project directory.
#   sdkgen  pulumi-sdkgen (our test/e2e/tools/pulumi-sdkgen/main.go over the
#           Python and Go code generators of pulumi/pkg/v3, the CLI's
#           version): what `pulumi package gen-sdk` runs through language
#           plugins the proxy does not serve.
#   promrules
#           promrules (our test/e2e/tools/promrules/main.go over the
#           model/rulefmt, promql/parser and promql packages of
#           github.com/prometheus/prometheus), module test/e2e/tools/promrules:
#           checks the chart's PrometheusRule as `promtool check rules` does and
#           evaluates its expressions. Not promtool itself: it links every
#           service-discovery plugin (a cold build of 15 CPU-minutes here, against
#           1.7 for promrules).
#   kuscia  kuscia-controllers and kuscia-loader, from Kuscia's own source
#           (github.com/secretflow/kuscia at the commit crds/kuscia/ came from),
#           module test/e2e/tools/kuscia: Kuscia's controllers run against an
#           e2e API server, and `kuscia start`'s configuration loading and
#           start-up checks. kuscia-1.0: kuscia-loader of Kuscia v1.0.0b0,
#           module test/e2e/tools/kuscia-1.0, from the same source (kuscia/loader,
#           copied into its stage). The Go module proxy refuses
#           github.com/secretflow/kuscia; where KUSCIA_IAC_KUSCIA_SRC names a
#           folder holding the source of the required commit as
#           <12-hex commit>/go.mod..., that folder is used (a `replace` in a
#           scratch copy of the module; the committed go.mod is untouched).
#           Without it the module is fetched like any other (-mod=mod, so
#           go.sum gains its line in the scratch copy). Not part of `all`.
#   helm    helm (helm.sh/helm/v3 cmd/helm, the version the provider links),
#           from module test/e2e/tools/pulumi-kubernetes, stamped with the
#           ldflags of helm's own Makefile (version, and the default Kubernetes
#           version of `helm template`/`helm lint` from its k8s.io/client-go
#           version).
#   go-sdk  not a tool: generates the Go SDK of provider/schema.json with the sdkgen
#           target and runs the `go build ./...` test/e2e/sdks.test.ts runs, with the same
#           flags, so that the pulumi and Kubernetes Go SDKs it imports are in the Go
#           build cache when that test runs (.ci/run's second chain does this after
#           sdkgen, while it would otherwise be idle). Stores nothing in the tool cache;
#           its failure fails no test (sdks.test.ts reports what fails). Not part of `all`.
#
# Each target's bin directory is
#   ${KUSCIA_IAC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuscia-iac}/e2e-bin/<target>-<key>
# where <key> is the first 16 hex digits of a sha256 over the target's
# go.mod, go.sum and local .go/embedded files (and this script's recipe
# version). The path of each bin directory is printed on stdout, one per
# target, the last target last; progress goes to stderr. A directory holding
# a `.complete` marker is reused as is, so a second run costs nothing. Builds
# happen in a temporary directory renamed into place only after every binary
# has been built and has run, so an interrupted build is never reused.
set -euo pipefail

# Bump when the build recipe (flags, ldflags, checks) changes: it is part of
# every cache key.
RECIPE=1

E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$E2E/tools
CACHE=${KUSCIA_IAC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kuscia-iac}
BIN_ROOT=$CACHE/e2e-bin

export GOTOOLCHAIN=local
export CGO_ENABLED=0
# The committed go.sum is complete: never touch go.mod/go.sum while building.
# -buildvcs=false: our modules live in this repo; its git state is irrelevant.
export GOFLAGS="-mod=readonly -buildvcs=false"
# The Go checksum database answers 404 for the newest pulumi module versions; their
# hashes are pinned by the committed go.sum files instead.
export GONOSUMDB=${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi
export GOWORK=off
# The Go compiler and linker collect garbage at the default GOGC=100 although a compile's
# heap is short-lived and small beside this machine's memory. Without collection below a
# soft limit per process, a cold `go build -trimpath k8s.io/kubernetes/cmd/kubectl` on 2
# cores took 95 s and 133 user-CPU-s, against 143 s and 226 at GOGC=100 (GOGC=400: 106 s,
# 157), for a peak of 1.34 GB against 1.08 (/usr/bin/time). GOGC is no part of the Go build
# cache's keys: the compiled packages are the same. A caller's own GOGC/GOMEMLIMIT win.
export GOGC=${GOGC:-off} GOMEMLIMIT=${GOMEMLIMIT:-3GiB}

log() { echo "build-tools: $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v go >/dev/null || die "go not found on PATH"

# Files that define a target: go.mod, go.sum and local sources, per module.
key_files() {
  local mod
  for mod in "$@"; do
    (cd "$TOOLS" && find "$mod" -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort)
  done
}

cache_key() {
  {
    echo "recipe=$RECIPE"
    echo "goos=$(go env GOOS) goarch=$(go env GOARCH)"
    key_files "$@" | while read -r f; do
      printf '%s\n' "$f"
      sha256sum <"$TOOLS/$f"
    done
  } | sha256sum | cut -c1-16
}

# build_target NAME MODULE_DIR... ; calls build_NAME TMPDIR to do the work.
build_target() {
  local name=$1; shift
  local key dir tmp start
  key=$(cache_key "$@")
  dir=$BIN_ROOT/$name-$key
  if [ -f "$dir/.complete" ]; then
    log "$name: cached in $dir"
    echo "$dir"
    return 0
  fi
  mkdir -p "$BIN_ROOT"
  # One build per target at a time (parallel test runs share the cache).
  exec {lockfd}>"$BIN_ROOT/.$name.lock"
  if command -v flock >/dev/null; then
    flock "$lockfd"
    # Holding the lock, no other build of this target is running: remove
    # what interrupted ones left behind.
    rm -rf "$BIN_ROOT/.$name-"*.tmp.*
  fi
  if [ -f "$dir/.complete" ]; then
    log "$name: built meanwhile by another run: $dir"
    exec {lockfd}>&-
    echo "$dir"
    return 0
  fi
  [ ! -e "$dir" ] || rm -rf "$dir" # leftover without .complete: not trusted
  tmp=$(mktemp -d "$BIN_ROOT/.$name-$key.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  start=$(date +%s)
  log "$name: building into $tmp (cold builds take many minutes)"
  # BUILD_AS: the recipe a target shares with others (kube-1.33 builds as kube).
  "build_${BUILD_AS:-$name}" "$tmp"
  "check_${BUILD_AS:-$name}" "$tmp"
  chmod 755 "$tmp"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.complete"
  mv -T "$tmp" "$dir"
  trap - EXIT
  exec {lockfd}>&-
  log "$name: done in $(($(date +%s) - start))s: $dir"
  echo "$dir"
}

# Prints the version of a module in the build list of the module in $PWD.
modver() { go list -m -f '{{.Version}}' "$1"; }
# Prints the commit time of that version as 2006-01-02T15:04:05Z.
modtime() { go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$1"; }

GOBUILD=(go build -trimpath)
# Not built without optimisation (-gcflags=all=-N -l): that saves about 14% of a cold
# build's CPU (promrules: 104 CPU-s against 89), but an unoptimised kuscia-loader answered
# the 3,729 configurations of nodeconfig-oracle.test.ts about 4 times slower (RSA key checks
# in math/big), more than the build saves.

# runs WANT CMD...: runs CMD, shows its output on stderr, and fails unless
# that output contains the line-part WANT.
runs() {
  local want=$1 got; shift
  got=$("$@" 2>&1) || die "$(basename "$1") $2 failed: $got"
  printf '%s\n' "$got" | sed "s|^|  $(basename "$1"): |" >&2
  grep -qF -- "$want" <<<"$got" || die "$(basename "$1") $2 does not say '$want'"
}

# KUBE_MOD: the module directory under tools/ (kube, kube-1.33, ...).
build_kube() {
  local out=$1 kver major minor date ld
  cd "$TOOLS/${KUBE_MOD:-kube}"
  kver=$(modver k8s.io/kubernetes)
  date=$(modtime k8s.io/kubernetes)
  major=${kver#v}; major=${major%%.*}
  minor=${kver#v*.}; minor=${minor%%.*}
  # What hack/lib/version.sh would stamp (there is no git tree to read here).
  ld="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  if [ "${KUBE_MOD:-kube}" = kube ]; then
    log "kube: k8s.io/kubernetes $kver, go.etcd.io/etcd/server/v3 $(modver go.etcd.io/etcd/server/v3)"
    "${GOBUILD[@]}" -ldflags "$ld" -o "$out/" \
      k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kubectl \
      ./etcd
    return
  fi
  # An older line: the suites run on it to meet its API server (CRD validation, admission),
  # so only kube-apiserver is built at that line. etcd, kube-controller-manager (garbage
  # collection and namespaces only) and kubectl are the current line's, linked from the
  # `kube` target: a third of the packages and three links fewer per line on a cold machine.
  log "${KUBE_MOD}: k8s.io/kubernetes $kver kube-apiserver; etcd, kube-controller-manager and kubectl of the kube target"
  # The Kuscia target this line's module is aligned with compiles most of its packages: if it
  # is being built now, wait, so that they are compiled once rather than twice at a time.
  if [ -n "${KUBE_PEER:-}" ] && command -v flock >/dev/null; then
    flock "$BIN_ROOT/.$KUBE_PEER.lock" true
  fi
  # providerless: without the in-tree cloud providers (gone from 1.31 on; 1.28 links them, and
  # google.golang.org/api with them: half its compile), which the suites never configure.
  "${GOBUILD[@]}" -tags providerless -ldflags "$ld" -o "$out/" k8s.io/kubernetes/cmd/kube-apiserver
  local current b
  current=$(bash "$E2E/build-tools.sh" kube | tail -n1)
  for b in etcd kube-controller-manager kubectl; do
    ln "$current/$b" "$out/$b" 2>/dev/null || cp "$current/$b" "$out/$b"
  done
}

check_kube() {
  local out=$1 v
  cd "$TOOLS/${KUBE_MOD:-kube}"
  runs "Kubernetes $(modver k8s.io/kubernetes)" "$out/kube-apiserver" --version
  cd "$TOOLS/kube"
  v=$(modver k8s.io/kubernetes)
  runs "Kubernetes $v" "$out/kube-controller-manager" --version
  runs "Client Version: $v" "$out/kubectl" version --client
  v=$(modver go.etcd.io/etcd/server/v3)
  runs "etcd Version: ${v#v}" "$out/etcd" --version
}

# Prints the pulumi-kubernetes release the provider module is pinned at.
k8s_release() {
  sed -n 's/^const releaseVersion = "\(.*\)"$/\1/p' "$TOOLS/pulumi-kubernetes/release.go"
}

build_pulumi() {
  local out=$1 pver kver kmod kdir stage
  cd "$TOOLS/pulumi"
  pver=$(modver github.com/pulumi/pulumi/pkg/v3)
  log "pulumi: github.com/pulumi/pulumi/pkg/v3 $pver"
  "${GOBUILD[@]}" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pver" \
    -o "$out/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

  cd "$TOOLS/pulumi-kubernetes"
  kver=$(k8s_release)
  [ -n "$kver" ] || die "no releaseVersion in pulumi-kubernetes/release.go"
  kmod=github.com/pulumi/pulumi-kubernetes/provider/v4
  log "pulumi: $kmod $(modver $kmod) (release $kver)"
  # The upstream main embeds schema-embed.json/terraform-mapping-embed.json,
  # generated from schema.json/terraform-mapping.json, which the module zip
  # does carry: copy those out of the module cache into a scratch copy of our
  # module, generate the embed files as upstream does, then build there.
  kdir=$(go mod download -json "$kmod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -d "$kdir/cmd/pulumi-resource-kubernetes" ] || die "module directory of $kmod not found"
  stage=$(mktemp -d "$out/.stage.XXXXXX")
  cp -R go.mod go.sum ./*.go embedgen "$stage/"
  cp "$kdir/cmd/pulumi-resource-kubernetes/schema.json" \
    "$kdir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$stage/"
  chmod -R u+w "$stage"
  (cd "$stage" && go run -trimpath ./embedgen "$kver" &&
    "${GOBUILD[@]}" \
      -ldflags "-s -w -X $kmod/pkg/version.Version=$kver" \
      -o "$out/pulumi-resource-kubernetes" .)
  rm -rf "$stage"
}

check_pulumi() {
  local out=$1 v
  cd "$TOOLS/pulumi"
  v=$(modver github.com/pulumi/pulumi/pkg/v3)
  PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_HOME=$out/.check-home runs "$v" "$out/pulumi" version
  rm -rf "$out/.check-home"
  runs "$(k8s_release)" "$out/pulumi-resource-kubernetes" --version
  "$out/pulumi-resource-kubernetes" --check-schema >&2 ||
    die "pulumi-resource-kubernetes: embedded schema is empty or invalid"
  check_provider_serves "$out/pulumi-resource-kubernetes"
}

# A resource provider started with no arguments (as the engine starts it)
# prints the port of its gRPC server on stdout and serves until killed.
check_provider_serves() {
  local bin=$1 fifo pid port=""
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$bin" >"$fifo" 2>/dev/null &
  pid=$!
  read -r -t 30 port <"$fifo" || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$fifo"
  case $port in
    '' | *[!0-9]*) die "$(basename "$bin") did not print a port on start (got '$port')" ;;
  esac
  log "$(basename "$bin") started and listened on port $port"
}

build_yaml() {
  local out=$1 ver
  cd "$TOOLS/pulumi-kubernetes"
  ver=$(modver github.com/pulumi/pulumi-yaml)
  log "yaml: github.com/pulumi/pulumi-yaml $ver (github.com/pulumi/pulumi/pkg/v3 $(modver github.com/pulumi/pulumi/pkg/v3))"
  "${GOBUILD[@]}" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$ver" \
    -o "$out/" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
}

# pulumi-language-yaml has no --version flag; like a provider, started with no
# arguments it prints the port of its gRPC server.
check_yaml() {
  check_provider_serves "$1/pulumi-language-yaml"
}

build_sdkgen() {
  local out=$1
  cd "$TOOLS/pulumi-sdkgen"
  log "sdkgen: github.com/pulumi/pulumi/pkg/v3 $(modver github.com/pulumi/pulumi/pkg/v3) codegen/python, codegen/go"
  "${GOBUILD[@]}" -ldflags "-s -w" -o "$out/" .
}

check_sdkgen() {
  local out=$1 code=0
  "$out/pulumi-sdkgen" >/dev/null 2>&1 || code=$?
  [ "$code" = 2 ] || die "pulumi-sdkgen without arguments exited $code, not 2 (usage)"
  log "pulumi-sdkgen runs (usage error without arguments, as it should)"
}

# The generated Go SDK's `go build ./...`, as test/e2e/sdks.test.ts runs it (its environment
# and flags: they are part of the compiled packages' keys in the Go build cache).
warm_go_sdk() {
  local sdkgen pulumi work
  sdkgen=$(bash "$E2E/build-tools.sh" sdkgen | tail -n1)
  pulumi=$(bash "$E2E/build-tools.sh" pulumi | tail -n1)
  work=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local start=$SECONDS
  PATH=$pulumi:$PATH PULUMI_HOME=$work/home PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
    "$sdkgen/pulumi-sdkgen" --language go --out "$work/sdk" "$E2E/../../provider/schema.json" >&2 ||
    die "go-sdk: pulumi-sdkgen --language go failed"
  cp -R "$work/sdk/go" "$work/gomod"
  cp "$TOOLS/go-sdk/go.mod" "$TOOLS/go-sdk/go.sum" "$work/gomod/"
  (cd "$work/gomod" && GOFLAGS=-mod=readonly go build ./...) || die "go-sdk: go build ./... failed"
  log "go-sdk: done in $((SECONDS - start))s: the generated Go SDK's imports are in the Go build cache"
}

build_helm() {
  local out=$1 hver kv kmaj kmin ld
  cd "$TOOLS/pulumi-kubernetes"
  hver=$(modver helm.sh/helm/v3)
  # helm's Makefile: client-go v0.X.Y -> default capabilities Kubernetes 1.X.
  kv=$(modver k8s.io/client-go)
  kv=${kv#v}
  kmaj=$((${kv%%.*} + 1))
  kmin=${kv#*.}; kmin=${kmin%%.*}
  ld="-s -w -X helm.sh/helm/v3/internal/version.version=$hver"
  ld+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  local pkg
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld+=" -X $pkg.k8sVersionMajor=$kmaj -X $pkg.k8sVersionMinor=$kmin"
  done
  log "helm: helm.sh/helm/v3 $hver (k8s.io/client-go $(modver k8s.io/client-go))"
  "${GOBUILD[@]}" -ldflags "$ld" -o "$out/" helm.sh/helm/v3/cmd/helm
}

check_helm() {
  local out=$1
  cd "$TOOLS/pulumi-kubernetes"
  runs "$(modver helm.sh/helm/v3)" "$out/helm" version --short
}

build_promrules() {
  local out=$1
  cd "$TOOLS/promrules"
  log "promrules: github.com/prometheus/prometheus $(modver github.com/prometheus/prometheus)"
  "${GOBUILD[@]}" -ldflags "-s -w" -o "$out/" .
}

# A rule file with one good rule passes; the same with a PromQL syntax error fails.
check_promrules() {
  local out=$1 f code=0
  f=$(mktemp -d)
  printf 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x_total[5m])) > 0\n' >"$f/good.yaml"
  printf 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x_total[5m]) > 0\n' >"$f/bad.yaml"
  runs "SUCCESS: 1 rules found" "$out/promrules" check "$f/good.yaml"
  "$out/promrules" check "$f/bad.yaml" >/dev/null 2>&1 || code=$?
  rm -rf "$f"
  [ "$code" = 1 ] || die "promrules check accepted a rule with a syntax error (exit $code)"
}

# The folder of Kuscia's source for the commit MODULE_DIR's go.mod requires, or nothing.
kuscia_source() {
  local ver commit dir
  ver=$(awk '$1=="github.com/secretflow/kuscia"{print $2; exit} $1=="require" && $2=="github.com/secretflow/kuscia"{print $3; exit}' "$TOOLS/$1/go.mod")
  [ -n "$ver" ] || die "$1/go.mod requires no github.com/secretflow/kuscia"
  commit=${ver##*-}
  [ -n "${KUSCIA_IAC_KUSCIA_SRC:-}" ] || return 0
  dir=$KUSCIA_IAC_KUSCIA_SRC/$commit
  [ -f "$dir/go.mod" ] || die "KUSCIA_IAC_KUSCIA_SRC=$KUSCIA_IAC_KUSCIA_SRC holds no $commit/go.mod (Kuscia $ver)"
  head -n1 "$dir/go.mod" | grep -qx 'module github.com/secretflow/kuscia' || die "$dir/go.mod is not github.com/secretflow/kuscia's"
  (cd "$dir" && pwd)
}

# KUSCIA_MOD: the module directory under tools/ (kuscia, kuscia-1.0); KUSCIA_BINS: its mains.
build_kuscia() {
  local out=$1 mod=${KUSCIA_MOD:-kuscia} src stage b
  src=$(kuscia_source "$mod")
  stage=$(mktemp -d "$out/.stage.XXXXXX")
  cp -R "$TOOLS/$mod/." "$stage/"
  # One loader source for every release: kuscia-1.0 builds kuscia/loader against its own go.mod.
  [ -d "$stage/loader" ] || cp -R "$TOOLS/kuscia/loader" "$stage/loader"
  chmod -R u+w "$stage"
  cd "$stage"
  if [ -n "$src" ]; then
    log "$mod: github.com/secretflow/kuscia from $src (KUSCIA_IAC_KUSCIA_SRC)"
    go mod edit -replace "github.com/secretflow/kuscia=$src"
  else
    log "$mod: github.com/secretflow/kuscia from the module proxy (KUSCIA_IAC_KUSCIA_SRC is not set)"
    export GOFLAGS="${GOFLAGS/-mod=readonly/-mod=mod}"
  fi
  # The loader reads etc/conf/transport/transport.yaml of the Kuscia image on lite and
  # autonomy nodes (modules.GetTransportPort): built in from the release's own source.
  local kdir
  kdir=$(go list -m -f '{{.Dir}}' github.com/secretflow/kuscia)
  [ -f "$kdir/etc/conf/transport/transport.yaml" ] || die "$mod: no etc/conf/transport/transport.yaml in $kdir"
  printf '// Code generated by test/e2e/build-tools.sh from etc/conf/transport/transport.yaml of github.com/secretflow/kuscia. DO NOT EDIT.\n\npackage main\n\nfunc init() { imageTransportYAML = "%s" }\n' \
    "$(base64 -w0 "$kdir/etc/conf/transport/transport.yaml")" >loader/zz_image.go
  for b in ${KUSCIA_BINS:-controllers loader}; do
    if [ "$b" = controllers ]; then
      # The runner embeds Kuscia's own start-up files (the ClusterRole every domain is bound
      # to and the per-domain Role template), taken from the Kuscia module it is built
      # against, never from a copy in this repository.
      kdir=$(go list -m -f '{{.Dir}}' github.com/secretflow/kuscia)
      [ -f "$kdir/etc/conf/domain-cluster-res.yaml" ] || die "$kdir/etc/conf/domain-cluster-res.yaml not found (Kuscia module)"
      mkdir -p controllers/conf
      cp "$kdir/etc/conf/domain-cluster-res.yaml" "$kdir/etc/conf/domain-namespace-res.yaml" controllers/conf/
      chmod u+w controllers/conf/*
    fi
    "${GOBUILD[@]}" -ldflags "-s -w" -o "$out/kuscia-$b" "./$b"
  done
  cd "$out"
  rm -rf "$stage"
}

check_kuscia() {
  local out=$1 b code
  for b in ${KUSCIA_BINS:-controllers loader}; do
    code=0
    "$out/kuscia-$b" --help >/dev/null 2>&1 || code=$?
    [ "$code" = 0 ] || die "kuscia-$b --help exited $code"
  done
  log "${KUSCIA_MOD:-kuscia}: kuscia-${KUSCIA_BINS:-controllers loader} answer --help"
}

usage="usage: $0 [TARGET...] (kube|kube-1.33|kube-1.28|pulumi|yaml|sdkgen|go-sdk|helm|promrules|kuscia|kuscia-1.0|all|ci; default all)"
targets=()
[ $# -gt 0 ] || set -- all
for a in "$@"; do
  case $a in
    kube | kube-1.33 | kube-1.28 | pulumi | yaml | sdkgen | go-sdk | helm | promrules | kuscia | kuscia-1.0) targets+=("$a") ;;
    all) targets+=(kube pulumi yaml sdkgen helm promrules kube-1.33 kube-1.28) ;;
    # Everything .ci/run's suites use, in the order the e2e suites first need it (the order
    # .mocharc.e2e.json lists them; the older kube lines run last).
    ci) targets+=(kube pulumi helm promrules yaml sdkgen go-sdk kuscia kuscia-1.0 kube-1.33 kube-1.28) ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

# Several targets: each is built by its own run of this script, so that one that fails does
# not stop the others (each failure is logged; the exit status is 1 if any failed).
if [ ${#targets[@]} -gt 1 ]; then
  failed=()
  for t in "${targets[@]}"; do
    bash "${BASH_SOURCE[0]}" "$t" || failed+=("$t")
  done
  [ ${#failed[@]} -eq 0 ] || { log "failed: ${failed[*]}"; exit 1; }
  exit 0
fi

case ${targets[0]} in
  kube) build_target kube kube ;;
  kube-1.33) KUBE_MOD=kube-1.33 KUBE_PEER=kuscia BUILD_AS=kube build_target kube-1.33 kube-1.33 kube ;;
  kube-1.28) KUBE_MOD=kube-1.28 KUBE_PEER=kuscia-1.0 BUILD_AS=kube build_target kube-1.28 kube-1.28 kube ;;
  pulumi) build_target pulumi pulumi pulumi-kubernetes ;;
  yaml) build_target yaml pulumi-kubernetes ;;
  sdkgen) build_target sdkgen pulumi-sdkgen ;;
  go-sdk) warm_go_sdk ;;
  helm) build_target helm pulumi-kubernetes ;;
  promrules) build_target promrules promrules ;;
  kuscia) build_target kuscia kuscia ;;
  kuscia-1.0) KUSCIA_MOD=kuscia-1.0 KUSCIA_BINS=loader BUILD_AS=kuscia build_target kuscia-1.0 kuscia-1.0 kuscia/loader ;;
esac
