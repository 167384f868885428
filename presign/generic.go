package presign

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Presign presigns any AWS request: method and rawURL (with its own query
// parameters, escaped as in a URL), signed by s for its service and region,
// valid for expires. [Query], [Header], [ContentLength] and [StrictExpiry]
// apply; other options are headers and query parameters of S3 and mean
// nothing to other services. For services other than S3 the payload signed
// is the empty body.
func Presign(ctx context.Context, s *sigv4.Signer, method, rawURL string, expires time.Duration, opts ...Option) (*Request, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrInvalidConfig)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	c := getCall()
	defer putCall(c)
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if q := encodeQuery(c); q != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += q
	}
	req := &http.Request{Method: method, URL: u, Header: c.header, ContentLength: c.length}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	return presign(ctx, s, req, expires, c.strict)
}

// STS presigns requests to AWS Security Token Service: GetCallerIdentity
// URLs, with which a holder of the URL proves who signed it, and EKS tokens
// built on them. It is safe for concurrent use. It prints redacted.
type STS struct {
	signer *sigv4.Signer
	creds  credentials.Provider
	now    func() time.Time
	ep     endpoint
	strict bool
}

// NewSTS returns an STS presigner for cfg. It reads Region, Credentials,
// Endpoint (else AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and the profile's
// sts and global endpoint_url), FIPS, DualStack, Profile, StrictExpiry, Now
// and Getenv; the S3 addressing settings do not apply. The endpoint is
// regional (https://sts.eu-west-1.amazonaws.com), as the AWS CLI's default;
// Region "aws-global" selects the global endpoint https://sts.amazonaws.com,
// signed for us-east-1.
func NewSTS(cfg Config) (*STS, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("%w: no credentials provider", ErrInvalidConfig)
	}
	st := settings{getenv: getenv, profile: cfg.Profile}
	region := cfg.Region
	if region == "" {
		region = st.region()
	}
	if region == "" || !validRegion(region) {
		return nil, fmt.Errorf("%w: region %q", ErrInvalidConfig, region)
	}
	raw := cfg.Endpoint
	if raw == "" {
		raw = st.endpointURL("sts", "AWS_ENDPOINT_URL_STS")
	}
	opts := endpointOptions{
		dualStack: cfg.DualStack || st.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
		fips:      cfg.FIPS || st.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
	}
	var ep endpoint
	var err error
	if raw == "" && region == "aws-global" {
		ep, region = endpoint{scheme: "https", host: "sts.amazonaws.com", aws: true}, "us-east-1"
	} else if ep, err = resolveEndpoint(raw, region, "sts", opts); err != nil {
		return nil, err
	}
	s, err := sigv4.New(sigv4.Config{Service: "sts", Region: region, Credentials: cfg.Credentials, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &STS{signer: s, creds: cfg.Credentials, now: now, ep: ep, strict: cfg.StrictExpiry}, nil
}

// getCallerIdentityQuery is the query of a GetCallerIdentity request.
const getCallerIdentityQuery = "Action=GetCallerIdentity&Version=2011-06-15"

// GetCallerIdentity presigns an sts:GetCallerIdentity GET. Whoever sends it
// learns the account, user ID and ARN of the signer, and so does a server
// that the URL is handed to: the basis of EKS tokens and of Vault's and
// other systems' AWS authentication. Sign extra headers with [Header] (EKS
// uses x-k8s-aws-id, Vault X-Vault-AWS-IAM-Server-ID).
func (s *STS) GetCallerIdentity(ctx context.Context, expires time.Duration, opts ...Option) (*Request, error) {
	return s.getCallerIdentity(ctx, s.signer, expires, opts)
}

func (s *STS) getCallerIdentity(ctx context.Context, signer *sigv4.Signer, expires time.Duration, opts []Option) (*Request, error) {
	if s.strict {
		opts = append(opts[:len(opts):len(opts)], StrictExpiry())
	}
	return Presign(ctx, signer, http.MethodGet, s.ep.scheme+"://"+s.ep.host+s.ep.basePath+"/?"+getCallerIdentityQuery, expires, opts...)
}

// EKSToken is a bearer token for the Kubernetes API of an EKS cluster.
// It prints with Token redacted (fmt, log/slog); read Token to hand it on.
type EKSToken struct {
	// Token is "k8s-aws-v1." followed by the unpadded base64url encoding of
	// a presigned GetCallerIdentity URL.
	Token string
	// Expires is when a client should get a new token, as aws eks get-token
	// reports it: 14 minutes after signing (EKS accepts a token for 15
	// minutes), or when the credentials expire if that is earlier.
	Expires time.Time
}

// EKS token constants.
const (
	// EKSTokenPrefix starts every EKS token.
	EKSTokenPrefix = "k8s-aws-v1."
	// EKSClusterHeader is the signed header that names the cluster.
	EKSClusterHeader = "x-k8s-aws-id"
	// eksURLExpires is the X-Amz-Expires of the token's URL.
	eksURLExpires = 60 * time.Second
	// eksTokenLife is how long aws eks get-token says a token lasts.
	eksTokenLife = 14 * time.Minute
)

// EKSToken returns a token for the EKS cluster named cluster, as
// aws eks get-token produces: a GetCallerIdentity URL presigned for 60
// seconds with the x-k8s-aws-id header (the cluster name) signed, encoded
// as EKSTokenPrefix + base64url.
func (s *STS) EKSToken(ctx context.Context, cluster string) (*EKSToken, error) {
	if cluster == "" {
		return nil, fmt.Errorf("%w: empty cluster name", ErrInvalidOption)
	}
	// Retrieve the credentials once, to know their expiry, and sign with
	// exactly them.
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("presign: retrieve credentials: %w", err)
	}
	signer, err := sigv4.New(sigv4.Config{
		Service:      s.signer.Service(),
		Region:       s.signer.Region(),
		Credentials:  credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) { return creds, nil }),
		Now:          s.now,
		KeyCacheSize: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	r, err := s.getCallerIdentity(ctx, signer, eksURLExpires, []Option{Header(EKSClusterHeader, cluster)})
	if err != nil {
		return nil, err
	}
	exp := r.Expires
	if signedAt, ok := urlDate(r.URL); ok {
		exp = signedAt.Add(eksTokenLife)
		if creds.CanExpire() && creds.Expires.Before(exp) {
			exp = creds.Expires
		}
	}
	return &EKSToken{Token: EKSTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(r.URL)), Expires: exp}, nil
}

// urlDate returns the X-Amz-Date of a presigned URL.
func urlDate(u string) (time.Time, bool) {
	_, v, ok := strings.Cut(u, "X-Amz-Date=")
	if !ok {
		return time.Time{}, false
	}
	v, _, _ = strings.Cut(v, "&")
	t, err := time.Parse("20060102T150405Z", v)
	return t, err == nil
}
