package main

import (
	"github.com/go-sql-driver/mysql"
	"github.com/lib/pq"
	"github.com/secretflow/kuscia/cmd/kuscia/confloader"
	"github.com/secretflow/kuscia/pkg/utils/datastore"
	tlsutils "github.com/secretflow/kuscia/pkg/utils/tls"
)

var _ = []any{mysql.ParseDSN, pq.ParseURL, confloader.ReadConfig, datastore.CheckDatastoreEndpoint, tlsutils.ParseEncodedKey}

func main() {}
