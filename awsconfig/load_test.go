package awsconfig_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
)

// imdsServer follows IMDSv2 on a loopback server: a session token, then
// the instance's region with that token.
func imdsServer(t *testing.T, region string) (*httptest.Server, *int) {
	calls := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" && r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "":
			io.WriteString(w, "imds-token")
		case r.Method == http.MethodGet && r.URL.Path == "/latest/meta-data/placement/region" && r.Header.Get("X-Aws-Ec2-Metadata-Token") == "imds-token":
			io.WriteString(w, region)
		default:
			http.Error(w, "no", http.StatusUnauthorized)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func TestLoad(t *testing.T) {
	imds, imdsCalls := imdsServer(t, "ap-northeast-2")
	home := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(home, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodConfig := write("config", "[profile dev]\nregion = eu-west-1\n")
	badStyle := write("badstyle", "[default]\ns3 =\n  addressing_style = vhost\n")
	badRegion := write("badregion", "[default]\nregion = eu west 1\n")
	tests := []struct {
		name       string
		env        map[string]string
		opts       awsconfig.Options
		region     string
		source     string
		wantErr    error
		msg        string
		imdsCalled bool
	}{
		{name: "no files, no variables: no region, no error"},
		{name: "only a named profile in the config, none selected (containers)", env: map[string]string{"AWS_CONFIG_FILE": goodConfig}},
		{name: "AWS_PROFILE", env: map[string]string{"AWS_CONFIG_FILE": goodConfig, "AWS_PROFILE": "dev"}, region: "eu-west-1", source: `profile "dev"`},
		{name: "Options.Region wins", env: map[string]string{"AWS_CONFIG_FILE": goodConfig, "AWS_PROFILE": "dev", "AWS_REGION": "us-east-2"},
			opts: awsconfig.Options{Region: "sa-east-1"}, region: "sa-east-1", source: "Options.Region"},
		{name: "AWS_REGION before AWS_DEFAULT_REGION", env: map[string]string{"AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "us-west-1"}, region: "us-east-2", source: "AWS_REGION"},
		{name: "IMDS is not asked unless told", env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL}},
		{name: "IMDSRegion asks IMDS", env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL},
			opts: awsconfig.Options{IMDSRegion: true}, region: "ap-northeast-2", source: "imds", imdsCalled: true},
		{name: "IMDSRegion with a configured region does not ask", env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL, "AWS_DEFAULT_REGION": "eu-north-1"},
			opts: awsconfig.Options{IMDSRegion: true}, region: "eu-north-1", source: "AWS_DEFAULT_REGION"},
		{name: "IMDSRegion off EC2: no region", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}, opts: awsconfig.Options{IMDSRegion: true}},
		{name: "explicit missing profile", opts: awsconfig.Options{Profile: "nosuch"}, wantErr: credentials.ErrProfileNotFound, msg: `profile "nosuch"`},
		{name: "AWS_DEFAULT_PROFILE missing", env: map[string]string{"AWS_DEFAULT_PROFILE": "nosuch", "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"}, wantErr: credentials.ErrProfileNotFound},
		{name: "bad addressing_style", env: map[string]string{"AWS_CONFIG_FILE": badStyle}, wantErr: awsconfig.ErrInvalidConfig,
			msg: `awsconfig: invalid setting: profile "default" setting s3.addressing_style is "vhost"; use auto, virtual or path`},
		{name: "bad region", env: map[string]string{"AWS_CONFIG_FILE": badRegion}, wantErr: awsconfig.ErrInvalidConfig, msg: `region "eu west 1" from profile "default" is not a region name`},
		{name: "bad AWS_REGION", env: map[string]string{"AWS_REGION": "EU-WEST-1"}, wantErr: awsconfig.ErrInvalidConfig, msg: "from AWS_REGION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*imdsCalls = 0
			opts := tt.opts
			opts.Getenv = func(k string) string { return tt.env[k] }
			opts.HomeDir = home
			cfg, err := awsconfig.Load(context.Background(), opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.region || cfg.RegionSource != tt.source {
				t.Errorf("region %q from %q, want %q from %q", cfg.Region, cfg.RegionSource, tt.region, tt.source)
			}
			if (*imdsCalls > 0) != tt.imdsCalled {
				t.Errorf("IMDS got %d requests, want called = %v", *imdsCalls, tt.imdsCalled)
			}
			if cfg.Credentials == nil {
				t.Error("no credentials provider")
			}
		})
	}
}
