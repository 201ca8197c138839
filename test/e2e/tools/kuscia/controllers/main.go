// kuscia-controllers runs Kuscia's own controllers (github.com/secretflow/kuscia, the commit
// go.mod requires) against the API server of a kubeconfig, for tests that compare what they
// create with kuscia-iac's expansion. See --help.
//
// What it runs is what cmd/kuscia/modules/controllers.go (NewControllersModule) hands to
// pkg/controllers.NewServer, constructed as Server.onStartedLeading constructs them, without the
// leader election and the health port (fixed at 8090, so two runners could not share a machine).
// With --interconn it also runs the Kuscia-protocol interconnection controller that
// pkg/interconn.NewServer registers (pkg/interconn/kuscia.NewServer), again without the leader
// election; the BFIA server is left out (it serves a fixed HTTP port and the tests use the
// Kuscia protocol only).
//
// Before the controllers start it prepares what Kuscia's start-up would have made
// (cmd/kuscia/modules/k3s.go applyKusciaResources and createCrossNamespace, and the
// namespace kuscia-system of the master's own domain): namespaces cross-domain and
// kuscia-system, ClusterRole domain-cluster-res from etc/conf/domain-cluster-res.yaml, and
// <root-dir>/etc/conf/domain-namespace-res.yaml, the Role template the domain controller
// renders (pkg/utils/resources.CreateOrUpdateRole). Both files are Kuscia's, embedded from the
// Kuscia module at build time (test/e2e/build-tools.sh copies them into conf/).
package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	v1core "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/yaml"

	"github.com/secretflow/kuscia/pkg/common"
	"github.com/secretflow/kuscia/pkg/controllers"
	"github.com/secretflow/kuscia/pkg/controllers/clusterdomainroute"
	"github.com/secretflow/kuscia/pkg/controllers/domain"
	"github.com/secretflow/kuscia/pkg/controllers/domaindata"
	"github.com/secretflow/kuscia/pkg/controllers/domainroute"
	"github.com/secretflow/kuscia/pkg/controllers/garbagecollection"
	"github.com/secretflow/kuscia/pkg/controllers/kusciadeployment"
	"github.com/secretflow/kuscia/pkg/controllers/kusciajob"
	"github.com/secretflow/kuscia/pkg/controllers/kusciatask"
	"github.com/secretflow/kuscia/pkg/controllers/portflake"
	"github.com/secretflow/kuscia/pkg/controllers/taskresourcegroup"
	kusciascheme "github.com/secretflow/kuscia/pkg/crd/clientset/versioned/scheme"
	iccommon "github.com/secretflow/kuscia/pkg/interconn/common"
	ickuscia "github.com/secretflow/kuscia/pkg/interconn/kuscia"
	"github.com/secretflow/kuscia/pkg/interconn/kuscia/hostresources"
	"github.com/secretflow/kuscia/pkg/utils/kubeconfig"
	"github.com/secretflow/kuscia/pkg/utils/nlog"
)

//go:embed conf/domain-cluster-res.yaml conf/domain-namespace-res.yaml
var conf embed.FS

const usage = `Usage: kuscia-controllers --kubeconfig FILE [options]

Runs Kuscia's own controllers (the set cmd/kuscia/modules/controllers.go starts)
against the API server of FILE until SIGINT or SIGTERM. Kuscia's CRDs must be
installed there. Prints "ready" on standard output once every controller has
been started (their informers then sync); logs go to standard error.

Options:
  --kubeconfig FILE      kubeconfig of the API server (required)
  --domain ID            the node's own domain ID (controllers' Namespace option;
                         default kuscia-system, the master's)
  --mode MODE            autonomy (default), lite or master (RunMode)
  --root-dir DIR         Kuscia's RootDir; <DIR>/etc/conf/domain-namespace-res.yaml is
                         written there (default: a temporary directory, removed at exit)
  --interconn            also run the Kuscia-protocol interconnection controller
                         (InteropConfig: a member copies its host's objects)
  --host ID=FILE         the API server of host domain ID for --interconn, instead of
                         http://apiserver.<ID>.svc (Kuscia's gateway); repeatable. A
                         host not named here is an error, never a DNS query
  --log-level LEVEL      debug, info, warn (default) or error
  --help                 this text

Exit status: 0 stopped by a signal; 1 a controller could not start; 2 usage error.
`

// kusciaSystem: the master's domain ID in Kuscia's deployment guides and manifests
// (hack/k8s/master), whose namespace the master's start-up creates as it creates any own domain's.
const kusciaSystem = "kuscia-system"

type hostList map[string]string

func (h hostList) String() string { return fmt.Sprint(map[string]string(h)) }
func (h hostList) Set(v string) error {
	id, file, ok := strings.Cut(v, "=")
	if !ok || id == "" || file == "" {
		return fmt.Errorf("want ID=FILE, got %q", v)
	}
	h[id] = file
	return nil
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("kuscia-controllers", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	kubeconfigPath := fs.String("kubeconfig", "", "")
	domainID := fs.String("domain", kusciaSystem, "")
	mode := fs.String("mode", common.RunModeAutonomy, "")
	rootDir := fs.String("root-dir", "", "")
	interconn := fs.Bool("interconn", false, "")
	logLevel := fs.String("log-level", "warn", "")
	hosts := hostList{}
	fs.Var(hosts, "host", "")
	help := fs.Bool("help", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(os.Stdout, usage)
			return 0
		}
		return 2
	}
	if *help {
		fmt.Fprint(os.Stdout, usage)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "kuscia-controllers: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	if *kubeconfigPath == "" {
		fmt.Fprintln(os.Stderr, "kuscia-controllers: --kubeconfig is required (see --help)")
		return 2
	}
	switch *mode {
	case common.RunModeAutonomy, common.RunModeLite, common.RunModeMaster:
	default:
		fmt.Fprintf(os.Stderr, "kuscia-controllers: --mode %q: use autonomy, lite or master\n", *mode)
		return 2
	}
	writer, err := newStderrWriter(*logLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kuscia-controllers: --log-level: %v\n", err)
		return 2
	}
	if len(hosts) > 0 && !*interconn {
		fmt.Fprintln(os.Stderr, "kuscia-controllers: --host is only used with --interconn")
		return 2
	}
	// Kuscia's default log writer prints to standard output, which is kept for "ready".
	nlog.Setup(nlog.SetWriter(writer), nlog.SetFormatter(nlog.NewDefaultFormatter()))

	if *rootDir == "" {
		dir, err := os.MkdirTemp("", "kuscia-root-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "kuscia-controllers: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		*rootDir = dir
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := start(ctx, *kubeconfigPath, *domainID, common.RunModeType(*mode), *rootDir, *interconn, hosts); err != nil {
		fmt.Fprintf(os.Stderr, "kuscia-controllers: %v\n", err)
		return 1
	}
	fmt.Fprintln(os.Stdout, "ready")
	<-ctx.Done()
	return 0
}

func start(ctx context.Context, kubeconfigPath, domainID string, mode common.RunModeType, rootDir string, interconn bool, hosts hostList) error {
	clients, err := kubeconfig.CreateClientSetsFromKubeconfig(kubeconfigPath, "")
	if err != nil {
		return fmt.Errorf("--kubeconfig %s: %v", kubeconfigPath, err)
	}
	if err := prepare(ctx, clients, rootDir); err != nil {
		return err
	}

	constructions := controllerConstructions()
	var crdNames []string
	seen := map[string]bool{}
	for _, cc := range constructions {
		for _, n := range cc.CRDNames {
			if !seen[n] {
				seen[n] = true
				crdNames = append(crdNames, n)
			}
		}
	}
	if interconn {
		crdNames = append(crdNames, ickuscia.NewServer(clients).CRDNames...)
	}
	// As controllers.Server.Run and interconn.Server.Run check before they start.
	if err := controllers.CheckCRDExists(ctx, clients.ExtensionsClient, crdNames); err != nil {
		return fmt.Errorf("Kuscia's CRDs are not installed: %v", err)
	}
	if err := kusciascheme.AddToScheme(scheme.Scheme); err != nil {
		return fmt.Errorf("failed to add scheme, detail-> %v", err)
	}

	// controllers.Server.onStartedLeading, with the options of NewControllersModule.
	config := controllers.ControllerConfig{
		RunMode:      mode,
		Namespace:    domainID,
		RootDir:      rootDir,
		KubeClient:   clients.KubeClient,
		KusciaClient: clients.KusciaClient,
		// controllers.buildEventRecorder; the controller name is NewControllersModule's.
		EventRecorder: eventRecorder(clients, "kuscia-controller-manager"),
	}
	const workers = 4
	for _, cc := range constructions {
		c := cc.NewController(ctx, config)
		go runController(c.Name(), func() error { return c.Run(workers) })
	}

	if interconn {
		// hostresources reaches a host through Kuscia's gateway at http://apiserver.<host>.svc;
		// here each host is an API server named on the command line.
		hostresources.GetHostClient = func(token, masterURL string) (*kubeconfig.KubeClients, error) {
			host := hostOf(masterURL)
			file, ok := hosts[host]
			if !ok {
				known := make([]string, 0, len(hosts))
				for h := range hosts {
					known = append(known, h)
				}
				sort.Strings(known)
				return nil, fmt.Errorf("no --host %s=FILE for %s (given: %s)", host, masterURL, strings.Join(known, ", "))
			}
			return kubeconfig.CreateClientSetsFromKubeconfig(file, "")
		}
		// interconn.Server.onStartedLeading: the Kuscia-protocol server's controller.
		srv := ickuscia.NewServer(clients)
		constructions := []iccommon.ControllerConstruction{{NewController: srv.NewController, CRDNames: srv.CRDNames}}
		rec := eventRecorder(clients, common.KusciaControllerManagerLeaseName)
		for _, cc := range constructions {
			c := cc.NewController(ctx, clients.KubeClient, clients.KusciaClient, rec)
			go runController(c.Name(), func() error { return c.Run(workers) })
		}
	}
	return nil
}

// controllerConstructions: NewControllersModule's list, in its order.
func controllerConstructions() []controllers.ControllerConstruction {
	return []controllers.ControllerConstruction{
		{NewController: taskresourcegroup.NewController, CRDNames: []string{controllers.CRDTaskResourcesGroupsName, controllers.CRDTaskResourcesName}},
		{NewController: domain.NewController, CRDNames: []string{controllers.CRDDomainsName}},
		{NewController: kusciatask.NewController, CRDNames: []string{controllers.CRDKusciaTasksName, controllers.CRDAppImagesName}},
		{NewController: domainroute.NewController, CRDNames: []string{controllers.CRDDomainsName, controllers.CRDDomainRoutesName, controllers.CRDGatewaysName}},
		{NewController: clusterdomainroute.NewController, CRDNames: []string{controllers.CRDDomainsName, controllers.CRDClusterDomainRoutesName, controllers.CRDDomainRoutesName, controllers.CRDGatewaysName}},
		{NewController: kusciajob.NewController, CRDNames: []string{controllers.CRDKusciaJobsName}},
		{NewController: kusciadeployment.NewController, CRDNames: []string{controllers.CRDKusciaDeploymentsName}},
		{NewController: domaindata.NewController, CRDNames: []string{controllers.CRDDomainsName, controllers.CRDDomainDataGrantsName}},
		{NewController: portflake.NewController},
		{NewController: garbagecollection.NewKusciaJobGCController},
		{NewController: garbagecollection.NewKusciaDomainDataGCController},
	}
}

func runController(name string, run func() error) {
	nlog.Warnf("Run controller %v", name)
	if err := run(); err != nil {
		nlog.Errorf("Error running controller %v, %v", name, err)
	}
}

func eventRecorder(clients *kubeconfig.KubeClients, component string) record.EventRecorder {
	b := record.NewBroadcaster()
	b.StartLogging(nlog.Debugf)
	b.StartRecordingToSink(&v1core.EventSinkImpl{Interface: clients.KubeClient.CoreV1().Events("")})
	return b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: component})
}

// hostOf: "alice" from http://apiserver.alice.svc (hostresources.getAPIServerURLForHostCluster).
func hostOf(masterURL string) string {
	u, err := url.Parse(masterURL)
	if err != nil {
		return masterURL
	}
	h := strings.TrimPrefix(u.Hostname(), "apiserver.")
	return strings.TrimSuffix(h, ".svc")
}

// prepare makes what Kuscia's start-up would have made before its controllers run.
func prepare(ctx context.Context, clients *kubeconfig.KubeClients, rootDir string) error {
	for _, ns := range []string{common.KusciaCrossDomain, kusciaSystem} {
		_, err := clients.KubeClient.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !k8serrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %v", ns, err)
		}
	}
	raw, err := conf.ReadFile("conf/domain-cluster-res.yaml")
	if err != nil {
		return err
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(raw, role); err != nil {
		return fmt.Errorf("etc/conf/domain-cluster-res.yaml: %v", err)
	}
	existing, err := clients.KubeClient.RbacV1().ClusterRoles().Get(ctx, role.Name, metav1.GetOptions{})
	switch {
	case k8serrors.IsNotFound(err):
		_, err = clients.KubeClient.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{})
	case err == nil:
		existing.Rules = role.Rules
		_, err = clients.KubeClient.RbacV1().ClusterRoles().Update(ctx, existing, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("apply ClusterRole %s: %v", role.Name, err)
	}
	tmpl, err := conf.ReadFile("conf/domain-namespace-res.yaml")
	if err != nil {
		return err
	}
	dir := filepath.Join(rootDir, common.ConfPrefix)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "domain-namespace-res.yaml"), tmpl, 0o644)
}

// stderrWriter is nlog's LogWriter on standard error, with a level.
type stderrWriter struct{ level int }

var levels = map[string]int{"debug": 0, "info": 1, "warn": 2, "error": 3}

func newStderrWriter(level string) (*stderrWriter, error) {
	l, ok := levels[strings.ToLower(level)]
	if !ok {
		return nil, fmt.Errorf("%q: use debug, info, warn or error", level)
	}
	return &stderrWriter{level: l}, nil
}

func (w *stderrWriter) out(l int, tag, msg string) {
	if l >= w.level {
		fmt.Fprintf(os.Stderr, "%s %s\n", tag, msg)
	}
}
func (w *stderrWriter) Infof(f string, a ...interface{})  { w.out(1, "I", fmt.Sprintf(f, a...)) }
func (w *stderrWriter) Info(a ...interface{})             { w.out(1, "I", fmt.Sprint(a...)) }
func (w *stderrWriter) Debugf(f string, a ...interface{}) { w.out(0, "D", fmt.Sprintf(f, a...)) }
func (w *stderrWriter) Debug(a ...interface{})            { w.out(0, "D", fmt.Sprint(a...)) }
func (w *stderrWriter) Warnf(f string, a ...interface{})  { w.out(2, "W", fmt.Sprintf(f, a...)) }
func (w *stderrWriter) Warn(a ...interface{})             { w.out(2, "W", fmt.Sprint(a...)) }
func (w *stderrWriter) Errorf(f string, a ...interface{}) { w.out(3, "E", fmt.Sprintf(f, a...)) }
func (w *stderrWriter) Error(a ...interface{})            { w.out(3, "E", fmt.Sprint(a...)) }
func (w *stderrWriter) Fatalf(f string, a ...interface{}) {
	w.out(4, "F", fmt.Sprintf(f, a...))
	os.Exit(1)
}
func (w *stderrWriter) Fatal(a ...interface{}) {
	w.out(4, "F", fmt.Sprint(a...))
	os.Exit(1)
}
func (w *stderrWriter) Sync() error                 { return nil }
func (w *stderrWriter) Write(p []byte) (int, error) { return os.Stderr.Write(p) }
func (w *stderrWriter) ChangeLogLevel(level string) error {
	l, ok := levels[strings.ToLower(level)]
	if !ok {
		return fmt.Errorf("invalid log level: %s", level)
	}
	w.level = l
	return nil
}
