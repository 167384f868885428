package presign

import (
	"context"

	"github.com/sigv4kit/sigv4kit/awsconfig"
)

// ConfigFrom returns the Config of a configuration that awsconfig.Load
// resolved: its credentials, region and clock, the S3 endpoint URL
// (cfg.EndpointURL("s3")), and the S3 settings, applied as botocore
// applies them:
//
//   - s3.addressing_style = path sets PathStyle, and virtual sets
//     VirtualHosted (custom endpoints use path-style addressing
//     otherwise); with s3.use_accelerate_endpoint the addressing style is
//     ignored, as accelerate endpoints are virtual-hosted only.
//   - s3.use_accelerate_endpoint sets Accelerate; the S3 dual-stack and
//     FIPS settings set DualStack and FIPS, except with a configured
//     endpoint URL, which they cannot change.
//
// Getenv is set to read nothing: the loaded configuration already applied
// the environment. Change the fields before calling New to override them.
func ConfigFrom(cfg *awsconfig.Config) Config {
	c := Config{
		Region:     cfg.Region,
		Endpoint:   cfg.EndpointURL("s3"),
		Accelerate: cfg.S3.UseAccelerate,
		DualStack:  cfg.S3.UseDualStack,
		FIPS:       cfg.S3.UseFIPS,
		Now:        cfg.Now,
		Getenv:     func(string) string { return "" },
	}
	if cfg.Credentials != nil {
		c.Credentials = cfg.Credentials
	}
	if !c.Accelerate {
		c.PathStyle = cfg.S3.AddressingStyle == "path"
		c.VirtualHosted = cfg.S3.AddressingStyle == "virtual" && c.Endpoint != ""
	}
	if c.Endpoint != "" {
		c.DualStack, c.FIPS = false, false
	}
	return c
}

// FromEnvironment returns a Presigner configured the way the AWS CLI is:
// New(ConfigFrom(cfg)) for the cfg that awsconfig.Load(ctx, opts)
// resolves from the environment and the shared files (credentials, region,
// endpoint URL, S3 settings).
//
// It returns no error, so that a program can load and presign in one
// expression, the way database/sql's QueryRow defers its error to Scan:
// when loading or New fails, every operation of the returned Presigner
// returns that error, and [Presigner.Err] reports it at once. The
// credentials are not retrieved here: the first operation retrieves them
// (and reports their error), then the cache keeps them.
func FromEnvironment(ctx context.Context, opts awsconfig.Options) *Presigner {
	cfg, err := awsconfig.Load(ctx, opts)
	if err != nil {
		return &Presigner{err: err}
	}
	p, err := New(ConfigFrom(cfg))
	if err != nil {
		return &Presigner{err: err}
	}
	return p
}

// Err returns the error of the FromEnvironment call that made p, or nil.
// A server that presigns many URLs checks it once at startup.
func (p *Presigner) Err() error { return p.err }
