package main

// The steps of `kuscia start` that read the node configuration, in the order Kuscia runs
// them. Each step names the upstream function; a step that calls it is marked "calls", a
// step that reproduces it is marked "reproduces" with the reason.

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/secretflow/kuscia/cmd/kuscia/confloader"
	"github.com/secretflow/kuscia/cmd/kuscia/modules"
	agentconfig "github.com/secretflow/kuscia/pkg/agent/config"
	"github.com/secretflow/kuscia/pkg/agent/provider"
	"github.com/secretflow/kuscia/pkg/common"
	gwconfig "github.com/secretflow/kuscia/pkg/gateway/config"
	"github.com/secretflow/kuscia/pkg/utils/kubeconfig"
	"github.com/secretflow/kuscia/pkg/utils/kusciaconfig"
	"github.com/secretflow/kuscia/pkg/utils/network"
	"github.com/secretflow/kuscia/pkg/utils/nlog"
	"github.com/secretflow/kuscia/pkg/utils/nlog/zlogwriter"
)

// imageTransportYAML is etc/conf/transport/transport.yaml of the Kuscia image (the file
// modules.GetTransportPort reads on lite and autonomy nodes), base64. build-tools.sh
// writes it into zz_image.go from the Kuscia source the loader is built from.
var imageTransportYAML string

// prepareProcess sets up what the whole process shares.
func prepareProcess() error {
	// nlog.Fatal* exits the process (nlog's default writer, and zap's); the loader's writer
	// panics instead, and load() turns the panic into the refusal it stands for.
	nlog.Setup(nlog.SetWriter(fatalWriter{}))
	// go-sql-driver/mysql logs connection errors itself; the loader's connections all fail
	// on purpose (nonet.go).
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	// lib/pq reads PGHOST, PGSSLMODE, ... into every connection (NewConnector); the Kuscia
	// container sets none of them, so neither may the machine the loader runs on.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PG") {
			os.Unsetenv(k)
		}
	}
	// confloader.DefaultKusciaConfig calls it for every mode and exits when it fails.
	if _, err := network.GetHostIP(); err != nil {
		return fmt.Errorf("this machine cannot start Kuscia: network.GetHostIP needs an eth0 or en0 interface with an IPv4 address (%v)", err)
	}
	return nil
}

// writeImageFiles puts under root the files of the Kuscia image that the steps read.
func writeImageFiles(root string) error {
	if imageTransportYAML == "" {
		return errors.New("built without the image's transport.yaml (test/e2e/build-tools.sh generates zz_image.go)")
	}
	data, err := base64.StdEncoding.DecodeString(imageTransportYAML)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "etc", "conf", "transport")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "transport.yaml"), data, 0o644)
}

// fatal is what the loader's nlog writer panics with.
type fatal struct{ msg string }

// load runs the steps on the configuration file of a node whose home is root (standing
// for /home/kuscia). It returns the step that refused the configuration and Kuscia's
// message, or no error.
func load(root, file string) (stage string, err error) {
	// Every path Kuscia derives from its home (certificates, logs, transport.yaml) goes
	// under root: common.DefaultKusciaHomePath is a variable for this purpose (its tests
	// replace it too).
	common.DefaultKusciaHomePath = func() string { return root }
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(fatal); ok {
				err = errors.New(f.msg)
				return
			}
			// A crash of Kuscia's own code on this input: Kuscia would crash too.
			err = fmt.Errorf("panic: %v", r)
		}
	}()

	// cmd/kuscia/start/start.go: Start (calls): the common part, then the mode's.
	stage = "start: LoadCommonConfig"
	cc, err := confloader.LoadCommonConfig(file)
	if err != nil {
		return stage, fmt.Errorf("Load kuscia common config failed. %v", err)
	}
	stage = "start: domain ID"
	if cc.DomainID == common.UnSupportedDomainID {
		return stage, fmt.Errorf("Domain id can't be 'master', please check input config file(kuscia.yaml)")
	}
	// confloader.ReadConfig (calls): mode, the mode's struct and defaults, domain ID; a lite
	// node's GenerateCsrData parses domainKeyData (nlog.Fatalf on any problem).
	stage = "start: ReadConfig"
	conf, err := confloader.ReadConfig(file)
	if err != nil {
		return stage, fmt.Errorf("Load kuscia config failed. %v", err.Error())
	}

	stage = "NewModuleRuntimeConfigs"
	deps, err := newModuleRuntimeConfigs(conf)
	if err != nil {
		return stage, err
	}

	// start.go: a runc node must run privileged (runtime.Permission.HasPrivileged); the loader
	// stands for a container started as Kuscia's docs say (privileged for runc), so it does
	// not check the machine it runs on.

	mode := deps.RunMode
	if mode == common.RunModeMaster || mode == common.RunModeAutonomy {
		// cmd/kuscia/modules/k3s.go: k3sModule.Run, the first thing it does.
		stage = "k3s: datastore.CheckDatastoreEndpoint"
		if err := checkDatastoreEndpoint(deps.Master.DatastoreEndpoint); err != nil {
			return stage, err
		}
		// k3s.go: initKusciaEnvAfterReady -> createDefaultDomain creates the Domain named
		// by domainID in the node's own API server (reproduces the API server's check of a
		// cluster-scoped custom resource's name, the only part that does not need K3s).
		stage = "k3s: createDefaultDomain"
		if err := checkDomainName(deps.DomainID); err != nil {
			return stage, err
		}
	}
	if mode == common.RunModeLite {
		stage = "domainroute: master endpoint"
		if err := checkMasterEndpoint(&deps.Master); err != nil {
			return stage, err
		}
		// ConnectToMaster -> controller.RegisterDomain: the master signs the lite node's CSR
		// only for a Domain of that name in its API server
		// (pkg/gateway/controller/register_node.go: the domain is looked up by the CSR's
		// common name, the domain ID); a name the API server cannot hold never exists there
		// (reproduces the API server's check of the name, the part that needs no master).
		stage = "domainroute: register with the master"
		if err := checkDomainName(deps.DomainID); err != nil {
			return stage, err
		}
	}
	if mode == common.RunModeLite || mode == common.RunModeAutonomy {
		stage = "agent: provider.NewFactory"
		if err := checkRuntime(&deps.Agent); err != nil {
			return stage, err
		}
	}
	return "", nil
}

// newModuleRuntimeConfigs is cmd/kuscia/modules/runtime.go: NewModuleRuntimeConfigs,
// step by step (reproduces): its first step, InitLogs, installs zap as nlog's writer, whose
// Fatal exits the process and whose output would mix with the loader's. Every other step
// calls the function NewModuleRuntimeConfigs calls; the one that can fail in InitLogs,
// zlogwriter.New (the log level), is called without installing its result.
func newModuleRuntimeConfigs(kusciaConf confloader.KusciaConfig) (*modules.ModuleRuntimeConfigs, error) {
	d := &modules.ModuleRuntimeConfigs{KusciaConfig: kusciaConf}
	// initLoggerConfig (unexported), with modules.kusciaLogPath = "var/logs/kuscia.log".
	logConfig := &nlog.LogConfig{
		LogPath:       path.Join(kusciaConf.RootDir, "var/logs/kuscia.log"),
		LogLevel:      kusciaConf.LogLevel,
		MaxFileSizeMB: kusciaConf.Logrotate.MaxFileSizeMB,
		MaxFiles:      kusciaConf.Logrotate.MaxFiles,
		Compress:      true,
	}
	if _, err := zlogwriter.New(logConfig); err != nil {
		return nil, err // nlog.Fatal(err)
	}
	d.LogConfig = logConfig
	d.Logrorate = kusciaConf.Logrotate
	d.Image = &d.KusciaConfig.Image
	if err := d.EnsureDir(); err != nil {
		return nil, err
	}
	if d.RunMode == common.RunModeMaster || d.RunMode == common.RunModeAutonomy {
		d.ApiserverEndpoint = d.Master.APIServer.Endpoint
		d.KubeconfigFile = d.Master.APIServer.KubeConfig
		d.KusciaKubeConfig = filepath.Join(d.RootDir, "etc/kuscia.kubeconfig")
		d.InterConnSchedulerPort = 8084 // modules.defaultInterConnSchedulerPort
	}
	if d.RunMode == common.RunModeAutonomy || d.RunMode == common.RunModeLite {
		d.ContainerdSock = common.ContainerdSocket()
		d.TransportConfigFile = filepath.Join(d.RootDir, "etc/conf/transport/transport.yaml")
		port, err := modules.GetTransportPort(d.TransportConfigFile)
		if err != nil {
			return nil, err
		}
		d.TransportPort = port
		d.EnableContainerd = d.Agent.Provider.Runtime == agentconfig.ContainerRuntime
	}
	if d.RunMode == common.RunModeLite {
		d.ApiserverEndpoint = "http://apiserver.master.svc" // modules.defaultEndpointForLite
	}
	// Parses domainKeyData (also the CA key), writes it under var/certs and signs the
	// node's self-signed CA and domain certificates with it.
	if err := d.LoadCaDomainKeyAndCert(); err != nil {
		return nil, err
	}
	if strings.ToLower(d.RunMode) == common.RunModeLite {
		clients, err := kubeconfig.CreateClientSetsFromKubeconfig(d.KubeconfigFile, d.ApiserverEndpoint)
		if err != nil {
			return nil, fmt.Errorf("init k3s client failed with err: %s", err.Error())
		}
		d.Clients = clients
	}
	return d, nil
}

// checkDatastoreEndpoint is pkg/utils/datastore/datastore_endpoint_check.go:
// CheckDatastoreEndpoint (reproduces: it ends in a ping of the database). Everything up to
// the ping is upstream's code as written; the ping (pingDatastoreEndpointByDriverName)
// runs the driver as far as its first packet (nonet.go) and counts reaching the network as
// success.
func checkDatastoreEndpoint(datastoreEndpoint string) error {
	if datastoreEndpoint == "" {
		return nil // "will use sqlite"
	}
	parts := strings.SplitN(datastoreEndpoint, "://", 2)
	if len(parts) < 2 {
		return fmt.Errorf("configured 'datastoreEndpoint' is invalid, expected format: mysql://username:password@tcp(hostname:3306)/database-name")
	}
	driveName, datastoreDSN := parts[0], parts[1]
	const errorFormat = "DatastoreEndpoint config error: %s"
	switch driveName {
	case "mysql":
		c, err := mysql.ParseDSN(datastoreDSN)
		if err != nil {
			return fmt.Errorf(errorFormat, err.Error())
		}
		return pingMySQL(c.FormatDSN())
	case "postgres", "postgresql":
		c, err := pq.ParseURL(datastoreEndpoint)
		if err != nil {
			return fmt.Errorf(errorFormat, err.Error())
		}
		return pingPostgres(c)
	default:
		return fmt.Errorf("Kuscia 'datastoreEndpoint' config: Driver Name is '%s' Not supported", driveName)
	}
}

// pingMySQL: sql.Open("mysql", dsn) and PingContext, as pingDatastoreEndpointByDriverName
// does, with the driver's dialer for the DSN's network replaced by dialOffline
// (mysql.RegisterDialContext; go-sql-driver/mysql dials registered networks the way it
// dials the others, through net.Dialer.DialContext, which dialOffline calls).
func pingMySQL(dsn string) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return fmt.Errorf("open datastore endpoint error: %s", err.Error())
	}
	defer db.Close()
	if cfg, err := mysql.ParseDSN(dsn); err == nil {
		network := cfg.Net
		mysql.RegisterDialContext(network, func(ctx context.Context, addr string) (net.Conn, error) {
			return dialOffline(ctx, network, addr)
		})
	}
	return pingOffline(db)
}

// pingPostgres: sql.Open("postgres", dsn) never fails (lib/pq has no OpenConnector), and
// PingContext runs pq.Open(dsn) = NewConnector(dsn) and the connector's open with
// pq's default dialer; here the connector gets dialOffline instead.
func pingPostgres(dsn string) error {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return fmt.Errorf("ping datastore endpoint error: %s", err.Error())
	}
	c.Dialer(pqDialer{})
	db := sql.OpenDB(c)
	defer db.Close()
	return pingOffline(db)
}

func pingOffline(db *sql.DB) error {
	reached.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := db.PingContext(ctx)
	if err == nil || reached.Load() {
		return nil
	}
	return fmt.Errorf("ping datastore endpoint error: %s", err.Error())
}

// checkDomainName: the API server's check of metadata.name when createDefaultDomain
// creates the Domain (apiextensions-apiserver validates a custom resource's ObjectMeta
// with apimachinery's ValidateObjectMeta and NameIsDNSSubdomain; a Domain is
// cluster-scoped). K3s then refuses the Domain and the k3s module never becomes ready.
func checkDomainName(domainID string) error {
	meta := &metav1.ObjectMeta{Name: domainID}
	errs := apivalidation.ValidateObjectMeta(meta, false, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if len(errs) > 0 {
		return fmt.Errorf("Domain.kuscia.secretflow.io %q is invalid: %s", domainID, errs.ToAggregate().Error())
	}
	return nil
}

// checkMasterEndpoint: what a lite node's gateway does with masterEndpoint
// (pkg/gateway/commands/root.go: Run -> utils.ProbePeerEndpoint, then ConnectToMaster ->
// config.LoadMasterProxyConfig). ProbePeerEndpoint is reproduced as far as its request
// would leave the machine (an http.Client whose transport dials offline; the rest of the
// probe needs the master); LoadMasterProxyConfig is called. kusciaconfig.CheckMasterConfig
// exists upstream but nothing calls it.
func checkMasterEndpoint(m *kusciaconfig.MasterConfig) error {
	endpointURL := m.Endpoint
	if endpointURL == "" {
		return fmt.Errorf("[PROBE] failed to probe master endpoint %s, detail-> %v", endpointURL, "endpoint URL is empty")
	}
	req, err := http.NewRequest("GET", endpointURL, nil)
	if err != nil {
		return fmt.Errorf("[PROBE] failed to probe master endpoint %s, detail-> endpoint URL is invalid: %v", endpointURL, err)
	}
	reached.Store(false)
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DialContext: dialOffline}
	client := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := client.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	if err != nil && !reached.Load() {
		return fmt.Errorf("[PROBE] failed to probe master endpoint %s, detail-> sending request error: %v", endpointURL, err)
	}
	if _, err := gwconfig.LoadMasterProxyConfig(m); err != nil {
		return fmt.Errorf("load master proxy config failed, detail -> %v", err)
	}
	return nil
}

// checkRuntime: pkg/agent/provider/provider_factory.go: NewFactory, called by the agent
// module (pkg/agent/commands/root.go: Run). Called for runc and runp, whose factories need
// nothing outside the configuration; for runk it would build a client of the Kubernetes
// cluster the node runs in (in-cluster configuration or runk.kubeconfigFile), which only
// that cluster has, so the loader stops at the runtime's name (reproduces the switch).
func checkRuntime(agent *agentconfig.AgentConfig) error {
	if agent.Provider.Runtime == agentconfig.K8sRuntime {
		return nil
	}
	_, err := provider.NewFactory(agent, nil)
	return err
}
