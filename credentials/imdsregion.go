package credentials

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

const imdsRegionPath = "/latest/meta-data/placement/region"

// Region returns the region of the EC2 instance, from the instance
// metadata service (GET /latest/meta-data/placement/region, with an IMDSv2
// session token), with the endpoint, timeouts and environment variables of
// Retrieve. The AWS SDKs ask IMDS for the region only when told to
// (aws-sdk-go-v2's config.WithEC2IMDSRegion); awsconfig.Load does it when
// Options.IMDSRegion is set.
//
// An unreachable endpoint, AWS_EC2_METADATA_DISABLED=true and a missing
// region all match [ErrNoCredentials], as in Retrieve: "nothing here".
func (p IMDS) Region(ctx context.Context) (string, error) {
	base, err := p.endpoint()
	if err != nil {
		return "", err
	}
	m := newMetadataClient(p.HTTPClient, p.Timeout, p.Attempts, false)
	defer m.close()
	token, err := m.do(ctx, http.MethodPut, base+imdsTokenPath, http.Header{imdsTTLHeader: {"21600"}})
	if err != nil {
		return "", imdsError(err, "session token")
	}
	body, err := m.do(ctx, http.MethodGet, base+imdsRegionPath, http.Header{imdsTokenHeader: {string(token)}})
	if err != nil {
		var se *statusError
		if errors.As(err, &se) && se.status == http.StatusNotFound {
			return "", notFound("imds: the instance metadata has no region")
		}
		return "", imdsError(err, "region")
	}
	region := strings.TrimSpace(string(body))
	if !validRegionName(region) {
		return "", kindf(ErrInvalidValue, "imds: the region %q is not a region name", printable(region))
	}
	return region, nil
}
