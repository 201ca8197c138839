package main

import (
	"github.com/secretflow/kuscia/pkg/controllers"
	"github.com/secretflow/kuscia/pkg/controllers/clusterdomainroute"
	"github.com/secretflow/kuscia/pkg/controllers/domain"
	"github.com/secretflow/kuscia/pkg/controllers/domaindata"
	"github.com/secretflow/kuscia/pkg/controllers/domainroute"
	"github.com/secretflow/kuscia/pkg/controllers/kusciadeployment"
	"github.com/secretflow/kuscia/pkg/controllers/kusciajob"
	"github.com/secretflow/kuscia/pkg/controllers/kusciatask"
	"github.com/secretflow/kuscia/pkg/controllers/portflake"
	"github.com/secretflow/kuscia/pkg/controllers/taskresourcegroup"
	"github.com/secretflow/kuscia/pkg/interconn"
	"github.com/secretflow/kuscia/pkg/interconn/kuscia/hostresources"
	"github.com/secretflow/kuscia/pkg/utils/kubeconfig"
)

var _ = []any{controllers.NewServer, clusterdomainroute.NewController, domain.NewController, domaindata.NewController,
	domainroute.NewController, kusciadeployment.NewController, kusciajob.NewController, kusciatask.NewController,
	portflake.NewController, taskresourcegroup.NewController, hostresources.GetHostClient, interconn.NewServer, kubeconfig.CreateClientSetsFromKubeconfig}

func main() {}
