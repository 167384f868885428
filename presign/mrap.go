package presign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// MultiRegionAccessPointHost returns the host of the S3 Multi-Region
// Access Point with the given alias ("mfzwi23gnjvgw.mrap"):
// <alias>.accesspoint.s3-global.amazonaws.com.
func MultiRegionAccessPointHost(alias string) string {
	return alias + ".accesspoint.s3-global.amazonaws.com"
}

// MultiRegionAccessPoint presigns a request for the object key (without a
// leading '/') behind the S3 Multi-Region Access Point alias
// ("mfzwi23gnjvgw.mrap", as the S3 console and the s3control API show it).
// AWS requires SigV4a for these endpoints, valid in every region, so s must
// be a sigv4a.Signer for service "s3" and region set "*":
//
//	s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: provider})
//	req, err := presign.MultiRegionAccessPoint(ctx, s, "GET", "mfzwi23gnjvgw.mrap", "photos/cat.jpg", time.Hour)
//
// The URL is https://<alias>.accesspoint.s3-global.amazonaws.com/<key>,
// the key escaped once as S3 wants. The options of [Presign] apply
// ([VersionID], [ResponseContentDisposition], [Header], ...).
func MultiRegionAccessPoint(ctx context.Context, s *sigv4a.Signer, method, alias, key string, expires time.Duration, opts ...Option) (*Request, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrInvalidConfig)
	}
	if s.Service() != "s3" || s.RegionSet() != "*" {
		return nil, fmt.Errorf("%w: a Multi-Region Access Point wants a sigv4a signer for service \"s3\" and region set \"*\", not %q and %q",
			ErrInvalidConfig, s.Service(), s.RegionSet())
	}
	if !validAlias(alias) {
		return nil, fmt.Errorf("%w: Multi-Region Access Point alias %q: want lower-case letters, digits, '-' and '.', such as \"mfzwi23gnjvgw.mrap\"", ErrInvalidConfig, alias)
	}
	if key == "" || len(key) > 1024 {
		return nil, fmt.Errorf("%w: %d bytes (want 1 to 1024)", ErrInvalidKey, len(key))
	}
	rawURL := "https://" + MultiRegionAccessPointHost(alias) + sigv4.EscapePath("/"+key)
	return Presign(ctx, s.SigV4(), method, rawURL, expires, opts...)
}

// validAlias reports whether alias is 1 to 100 lower-case letters, digits,
// dashes and dots, not starting or ending with a dot or a dash.
func validAlias(alias string) bool {
	if alias == "" || len(alias) > 100 || strings.Trim(alias, ".-") != alias || strings.Contains(alias, "..") {
		return false
	}
	for i := 0; i < len(alias); i++ {
		if c := alias[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
