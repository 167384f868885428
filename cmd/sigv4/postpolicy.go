package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/policy"
)

const postPolicyHelp = `Usage: sigv4 post-policy s3://bucket/prefix [flags]

Prints the fields of a signed S3 POST form (browser-based upload): the
form's action URL, then one name=value line per field. The file goes last,
in a field named "file". The object key must start with the prefix; the
uploaded file's name replaces ${filename}.

Flags:
  --expires-in D        validity: a duration (15m, 1h, 7d) or seconds;
                        default 1h
  --max-size N          the largest file: bytes, or 512KB, 10MB, 1GB
                        (powers of 1024); default: no limit
  --min-size N          the smallest file (default 0)
  --content-type T      the file's Content-Type: exactly T, or any type
                        starting with T when T ends with '/' (image/)
  --acl A               a canned ACL the form must set (private, public-read)
  --success-status N    success_action_status: 200, 201 or 204
  --region R            the bucket's region (default: AWS_REGION,
                        AWS_DEFAULT_REGION, then the profile's)
  --profile P           the profile of the AWS shared files
  --endpoint-url URL    an S3-compatible server (path-style action URL)
  --json                print {"url", "fields", "expires"} as JSON
  --html                print an HTML form; with a --content-type prefix,
                        its Content-Type is set from the chosen file
`

// runPostPolicy prints a signed POST policy form.
func runPostPolicy(a *app, args []string) error {
	fs := flag.NewFlagSet("post-policy", flag.ContinueOnError)
	var (
		o                                          awsFlags
		expiresIn                                  = "1h"
		maxSize, minSize, contentType, acl, status string
		asJSON, asHTML                             bool
	)
	o.register(fs, true)
	fs.StringVar(&expiresIn, "expires-in", expiresIn, "")
	fs.StringVar(&maxSize, "max-size", "", "")
	fs.StringVar(&minSize, "min-size", "", "")
	fs.StringVar(&contentType, "content-type", "", "")
	fs.StringVar(&acl, "acl", "", "")
	fs.StringVar(&status, "success-status", "", "")
	fs.BoolVar(&asJSON, "json", false, "")
	fs.BoolVar(&asHTML, "html", false, "")
	pos, err := a.parseFlags(fs, postPolicyHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("post-policy takes one s3://bucket/prefix argument, got %d", len(pos)).withHint(`run "sigv4 post-policy --help" for usage`)
	}
	if asJSON && asHTML {
		return usagef("--json and --html exclude each other").withHint("pass one of them")
	}
	bucket, prefix, err := parseS3URL(pos[0])
	if err != nil {
		return err
	}
	expires, err := parseExpiry(expiresIn)
	if err != nil {
		return usagef("--expires-in: %v", err).withHint("write a duration (15m, 1h, 7d) or seconds (3600)")
	}
	if expires < time.Second {
		return usagef("--expires-in %s is out of range", expiresIn).withHint("a POST policy must be valid for at least one second")
	}
	var lo, hi int64
	if minSize != "" {
		if lo, err = parseSize(minSize); err != nil {
			return usagef("--min-size: %v", err).withHint("write bytes (1048576) or a size with KB, MB, GB")
		}
	}
	if maxSize != "" {
		if hi, err = parseSize(maxSize); err != nil {
			return usagef("--max-size: %v", err).withHint("write bytes (1048576) or a size with KB, MB, GB")
		}
		if hi < lo {
			return usagef("--max-size %s is smaller than --min-size %s", maxSize, minSize).withHint("raise --max-size or lower --min-size")
		}
	} else if minSize != "" {
		hi = 5 << 40 // S3's largest object
	}

	cfg, err := a.config(o, o.region)
	if err != nil {
		return err
	}
	creds, _, err := a.credentials(cfg)
	if err != nil {
		return err
	}
	if cfg.Region == "" {
		return failf("no region").withHint("pass --region, set AWS_REGION, or set region in the profile")
	}
	region := cfg.Region
	now := a.now()
	p := policy.New(now.Add(expires)).Bucket(bucket).KeyStartsWith(prefix)
	if hi > 0 {
		p = p.ContentLengthRange(lo, hi)
	}
	switch {
	case contentType == "":
	case strings.HasSuffix(contentType, "/"):
		p = p.ContentTypeStartsWith(contentType)
	default:
		p = p.ContentType(contentType)
	}
	if acl != "" {
		p = p.ACL(acl)
	}
	if status != "" {
		var n int
		if _, err := fmt.Sscan(status, &n); err != nil {
			return usagef("--success-status %q is not a number", status).withHint("S3 answers a form with 200, 201 or 204")
		}
		p = p.SuccessActionStatus(n)
	}
	if err := p.Err(); err != nil {
		return usagef("%v", err).withHint(`change the flag the error names; "sigv4 post-policy --help" lists them`)
	}
	form, err := p.Sign(creds, region, now)
	if err != nil {
		return err
	}
	var action string
	if ep := endpointURL(o.endpoint, cfg); ep != "" {
		if action, err = policy.PathStyleURL(ep, bucket); err != nil {
			return usagef("%v", err).withHint("the endpoint is a URL like http://127.0.0.1:9000 (--endpoint-url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the profile's endpoint_url)")
		}
	} else {
		action = policy.BucketURL(region, bucket)
	}
	if form.Expires.Before(now.Add(expires).Truncate(time.Millisecond)) {
		a.warnf("the credentials (%s) expire at %s: the form is valid until then only",
			creds.Source, form.Expires.UTC().Format(time.RFC3339))
	}
	if maxSize == "" {
		a.hintf("no --max-size: the form accepts files of any size")
	}
	if prefix, ok := form.StartsWith["Content-Type"]; ok && !asHTML {
		a.hintf("the Content-Type field holds the prefix %q: post the file's own type (starting with %q) instead, or S3 stores %q as the object's type; --html's form does it", prefix, prefix, prefix)
	}
	switch {
	case asJSON:
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			URL     string            `json:"url"`
			Fields  map[string]string `json:"fields"`
			Expires string            `json:"expires"`
		}{action, form.Fields, form.Expires.UTC().Format(time.RFC3339)})
	case asHTML:
		_, err := fmt.Fprint(a.stdout, form.HTML(action))
		return err
	}
	fmt.Fprintln(a.stdout, action)
	names := make([]string, 0, len(form.Fields))
	for n := range form.Fields {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(a.stdout, "%s=%s\n", n, form.Fields[n])
	}
	return nil
}
