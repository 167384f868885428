package main

import (
	"net"
	"strings"
)

// signingNames maps endpoint prefixes to the service names they sign with
// when the two differ.
var signingNames = map[string]string{
	"s3-control":            "s3",
	"s3-accesspoint":        "s3",
	"s3-fips":               "s3",
	"bedrock-runtime":       "bedrock",
	"bedrock-agent":         "bedrock",
	"bedrock-agent-runtime": "bedrock",
	"aps-workspaces":        "aps",
	"data.iot":              "iotdata",
	"data-ats.iot":          "iotdata",
	"runtime.lex":           "lex",
	"runtime-v2-lex":        "lex",
	"runtime.sagemaker":     "sagemaker",
	"email":                 "ses",
	"streams.dynamodb":      "dynamodb",
}

// globalServices are the services whose endpoint has no region and that
// sign for us-east-1.
var globalServices = map[string]bool{
	"sts": true, "iam": true, "route53": true, "cloudfront": true, "organizations": true,
	"s3": true, "waf": true, "shield": true, "globalaccelerator": true,
}

// inferService returns the signing service and region of an AWS host name
// ("dynamodb.us-east-1.amazonaws.com" gives dynamodb and us-east-1), or
// empty strings for what it cannot tell.
func inferService(host string) (service, region string) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	// Lambda function URLs: <id>.lambda-url.<region>.on.aws.
	if rest, ok := strings.CutSuffix(host, ".on.aws"); ok {
		labels := strings.Split(rest, ".")
		if n := len(labels); n >= 2 && labels[n-2] == "lambda-url" {
			return "lambda", labels[n-1]
		}
		return "", ""
	}
	var rest string
	var ok bool
	for _, suffix := range []string{".amazonaws.com.cn", ".amazonaws.com", ".api.aws"} {
		if rest, ok = strings.CutSuffix(host, suffix); ok {
			break
		}
	}
	if !ok || rest == "" {
		return "", ""
	}
	labels := strings.Split(rest, ".")
	ri := -1
	for i, l := range labels {
		if isRegion(l) {
			ri = i
		}
	}
	if ri < 0 {
		// Global endpoints: sts.amazonaws.com, bucket.s3.amazonaws.com,
		// s3-us-west-2.amazonaws.com (legacy dash form).
		last := labels[len(labels)-1]
		if r, ok := strings.CutPrefix(last, "s3-"); ok && isRegion(r) {
			return "s3", r
		}
		if last == "s3-external-1" {
			return "s3", "us-east-1"
		}
		if last == "s3-accelerate" || len(labels) >= 2 && labels[len(labels)-2] == "s3-accelerate" {
			return "s3", "" // the bucket's region, which the host does not say
		}
		if globalServices[last] {
			return last, "us-east-1"
		}
		return signingName(labels, len(labels)), ""
	}
	region = labels[ri]
	if ri+1 < len(labels) && labels[ri+1] != "vpce" {
		// <domain>.<region>.es.amazonaws.com: the service follows the region.
		return signingName(labels[ri+1:], 1), region
	}
	// Skip dualstack and FIPS labels before the region.
	end := ri
	for end > 0 && (labels[end-1] == "dualstack" || labels[end-1] == "fips") {
		end--
	}
	if end == 0 {
		return "", region
	}
	return signingName(labels, end), region
}

// signingName returns the service of the label before labels[end].
func signingName(labels []string, end int) string {
	last := labels[end-1]
	if end >= 2 {
		if s, ok := signingNames[labels[end-2]+"."+last]; ok {
			return s
		}
	}
	if s, ok := signingNames[last]; ok {
		return s
	}
	switch {
	case last == "s3express-control" || strings.HasPrefix(last, "s3express-"):
		return "s3express"
	case strings.HasSuffix(last, "-fips"):
		return strings.TrimSuffix(last, "-fips")
	}
	return last
}

// isRegion reports whether l looks like an AWS region: us-east-1,
// eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1.
func isRegion(l string) bool {
	parts := strings.Split(l, "-")
	if len(parts) < 3 || len(parts) > 4 {
		return false
	}
	if len(parts[0]) != 2 || !isLower(parts[0]) {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		if p == "" || !isLower(p) {
			return false
		}
	}
	last := parts[len(parts)-1]
	if last == "" || len(last) > 2 {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
