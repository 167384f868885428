package main

import (
	"flag"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// sigv4aFlags are --sigv4a and --region-set, of presign and curl: sign
// with SigV4a (AWS4-ECDSA-P256-SHA256) for a set of regions.
type sigv4aFlags struct {
	on        bool
	regionSet string
}

func (f *sigv4aFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "sigv4a", false, "")
	fs.StringVar(&f.regionSet, "region-set", "", "")
}

// enabled reports whether SigV4a is asked for: --sigv4a, or a region set.
func (f sigv4aFlags) enabled() bool { return f.on || f.regionSet != "" }

// set returns the region set: --region-set split at commas, else "*".
func (f sigv4aFlags) set() []string {
	if f.regionSet == "" {
		return []string{"*"}
	}
	return strings.Split(f.regionSet, ",")
}

// signer returns a SigV4a signer for the service, or a usage error naming
// the region set.
func (f sigv4aFlags) signer(service string, provider credentials.Provider, now func() time.Time) (*sigv4a.Signer, error) {
	s, err := sigv4a.New(sigv4a.Config{Service: service, RegionSet: f.set(), Credentials: provider, Now: now})
	if err != nil {
		return nil, usagef("--region-set %q: %v", f.regionSet, err).withHint(`write regions separated by commas (us-east-1,eu-west-1), or "*" for all`)
	}
	return s, nil
}
