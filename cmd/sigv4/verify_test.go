package main

import (
	"os"
	"strings"
	"testing"
)

func presignURL(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	r := runIn(t, env, "", append([]string{"presign"}, args...)...)
	if r.code != 0 {
		t.Fatalf("presign: %+v", r)
	}
	return strings.TrimSpace(r.stdout)
}

func TestVerify(t *testing.T) {
	env := credEnv(t)
	u := presignURL(t, env, "s3://photos/cats/tom.png", "--expires-in", "600")
	runIn(t, env, "", "verify", u).check(t, exitOK, []string{
		"valid: GET https://photos.s3.us-east-1.amazonaws.com/cats/tom.png\n",
		"signed by AKIAIOSFODNN7EXAMPLE for s3 in us-east-1 at 2013-05-24T00:00:00Z",
		"expires 2013-05-24T00:10:00Z (in 10m0s)", "signed headers: host"}, nil)

	later := credEnv(t)
	later[envTestNow] = "2013-05-24T01:00:00Z"
	runIn(t, later, "", "verify", u).check(t, exitError, nil, []string{
		"sigv4: error: the URL expired at 2013-05-24T00:10:00Z, 50m0s ago (signed at 2013-05-24T00:00:00Z for 10m0s)", "sigv4: hint: presign a new URL"})
	earlier := credEnv(t)
	earlier[envTestNow] = "2013-05-23T23:00:00Z"
	runIn(t, earlier, "", "verify", u).check(t, exitError, nil, []string{"sigv4: error: the URL is not valid yet", "clock is ahead"})

	tampered := strings.Replace(u, "tom.png", "jerry.png", 1)
	runIn(t, env, "", "verify", tampered).check(t, exitError, nil, []string{"sigv4: error: the signature does not match", "sigv4: hint: the URL was changed after signing"})
	runIn(t, env, "", "verify", "-X", "GET", flipLast(u)).check(t, exitError, nil, []string{"the signature does not match"})

	other := credEnv(t)
	other["AWS_ACCESS_KEY_ID"] = "AKIDOTHER"
	runIn(t, other, "", "verify", u).check(t, exitError, nil, []string{"sigv4: error: signature not checked: the URL is signed by access key AKIAIOSFODNN7EXAMPLE, the credentials (env) are for AKIDOTHER"})
	noCreds := baseEnv(t)
	noCreds[envTestNow] = env[envTestNow]
	runIn(t, noCreds, "", "verify", u).check(t, exitError, nil, []string{"sigv4: error: signature not checked: no credentials", "sigv4: hint: set AWS_ACCESS_KEY_ID"})

	runIn(t, env, "", "verify", "--region", "eu-west-1", u).check(t, exitError, nil, []string{"sigv4: error: the URL is signed for region us-east-1, not eu-west-1"})
	runIn(t, env, "", "verify", "--service", "sts", u).check(t, exitError, nil, []string{"the URL is signed for service s3, not sts"})

	// A PUT URL: found without -X, with a warning; its signed headers are needed.
	put := presignURL(t, env, "s3://photos/up.txt", "--method", "PUT", "--content-type", "text/plain")
	runIn(t, env, "", "verify", put).check(t, exitError, nil, []string{"sigv4: error: the URL signs header content-type", "sigv4: hint: pass the value the client will send: -H 'Content-Type: ...'"})
	runIn(t, env, "", "verify", "-H", "Content-Type: text/plain", put).check(t, exitOK, []string{"valid: PUT "}, []string{"sigv4: warning: the URL is signed for PUT, not GET"})
	runIn(t, env, "", "verify", "-H", "Content-Type: text/html", "-X", "PUT", put).check(t, exitError, nil, []string{"the signature does not match"})
}

func TestVerifyVersitygwURL(t *testing.T) {
	u, err := os.ReadFile("testdata/versitygw-presigned-content-type.url")
	if err != nil {
		t.Fatal(err)
	}
	env := gwEnv(t)
	env[envTestNow] = "2026-11-28T14:30:00Z"
	runIn(t, env, "", "verify", "-X", "PUT", "-H", "Content-Type: image/png", strings.TrimSpace(string(u))).
		check(t, exitOK, []string{"valid: PUT http://127.0.0.1:44201/mybucket/uploads/cat.png", "signed headers: content-type;host"}, nil)
}

func TestVerifyMalformed(t *testing.T) {
	env := credEnv(t)
	u := presignURL(t, env, "s3://photos/a")
	for _, tc := range []struct{ name, url, stderr string }{
		{"not presigned", "https://photos.s3.amazonaws.com/a", "the URL has no X-Amz-Algorithm parameter"},
		{"algorithm", strings.Replace(u, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1), `X-Amz-Algorithm is "AWS4-HMAC-SHA1"`},
		{"twice", u + "&X-Amz-Expires=5", "parameter X-Amz-Expires appears 2 times"},
		{"expires too long", strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1), `X-Amz-Expires "604801" is not a number of seconds from 1 to 604800`},
		{"credential", strings.Replace(u, "%2Faws4_request", "", 1), "is not ACCESS-KEY/YYYYMMDD/region/service/aws4_request"},
		{"date", strings.Replace(u, "X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24", 1), `X-Amz-Date "2013-05-24" is not YYYYMMDDTHHMMSSZ`},
		{"scope date", strings.Replace(u, "X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z", 1), "the credential scope's date 20130524 is not the date of X-Amz-Date 20130525"},
		{"no host", strings.Replace(u, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range", 1), `X-Amz-SignedHeaders "range" does not include host`},
		{"signature", strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=ab", 1), "X-Amz-Signature"},
		{"case", strings.Replace(u, "X-Amz-Signature=", "x-amz-signature=", 1), "parameter x-amz-signature must be spelled X-Amz-Signature"},
		{"host", strings.Replace(u, "photos.s3.us-east-1.amazonaws.com", "photos.s3.eu-west-1.amazonaws.com", 1), "but its host photos.s3.eu-west-1.amazonaws.com is s3 in eu-west-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runIn(t, env, "", "verify", tc.url).check(t, exitError, nil, []string{"sigv4: error: " + tc.stderr[:0], tc.stderr})
		})
	}
	runIn(t, env, "", "verify", "not a url").check(t, exitUsage, nil, []string{"is not an http or https URL"})
	runIn(t, env, "", "verify").check(t, exitUsage, nil, []string{"verify takes one URL, got 0"})
}

// flipLast changes the last character of a presigned URL (a signature hex
// digit) to another one.
func flipLast(u string) string {
	if strings.HasSuffix(u, "0") {
		return u[:len(u)-1] + "1"
	}
	return u[:len(u)-1] + "0"
}

// TestVerifyAcceptsPresign presigns with every addressing style presign
// makes and checks that verify accepts each URL, for GET and for a PUT
// with a signed Content-Type.
func TestVerifyAcceptsPresign(t *testing.T) {
	accel := credEnv(t)
	writeFile(t, accel["AWS_CONFIG_FILE"], "[default]\ns3 =\n  use_accelerate_endpoint = true\n")
	virtualCustom := credEnv(t)
	writeFile(t, virtualCustom["AWS_CONFIG_FILE"], "[default]\ns3 =\n  addressing_style = virtual\n")
	dual := credEnv(t)
	dual["AWS_USE_DUALSTACK_ENDPOINT"] = "true"
	fips := credEnv(t)
	fips["AWS_USE_FIPS_ENDPOINT"] = "true"
	envEndpoint := credEnv(t)
	envEndpoint["AWS_ENDPOINT_URL_S3"] = "http://localhost:7070"
	for _, tc := range []struct {
		name, host string
		env        map[string]string
		args       []string
	}{
		{"virtual-hosted", "https://photos.s3.eu-west-1.amazonaws.com/", credEnv(t), []string{"--region", "eu-west-1"}},
		{"virtual-hosted us-east-1", "https://photos.s3.us-east-1.amazonaws.com/", credEnv(t), nil},
		{"path-style", "https://s3.eu-west-1.amazonaws.com/photos/", credEnv(t), []string{"--region", "eu-west-1", "--path-style"}},
		{"bucket with dots", "https://s3.eu-west-1.amazonaws.com/my.photos/", credEnv(t), []string{"--region", "eu-west-1"}},
		{"global endpoint", "https://photos.s3.amazonaws.com/", credEnv(t), []string{"--endpoint-url", "https://s3.amazonaws.com"}},
		{"global endpoint, another region", "https://photos.s3.amazonaws.com/", credEnv(t), []string{"--endpoint-url", "https://s3.amazonaws.com", "--region", "eu-west-1"}},
		{"global endpoint, path-style", "https://s3.amazonaws.com/photos/", credEnv(t), []string{"--endpoint-url", "https://s3.amazonaws.com", "--region", "ap-south-1", "--path-style"}},
		{"dualstack", "https://photos.s3.dualstack.eu-west-1.amazonaws.com/", dual, []string{"--region", "eu-west-1"}},
		{"fips", "https://photos.s3-fips.us-gov-west-1.amazonaws.com/", fips, []string{"--region", "us-gov-west-1"}},
		{"accelerate", "https://photos.s3-accelerate.amazonaws.com/", accel, []string{"--region", "eu-west-1"}},
		{"china", "https://photos.s3.cn-north-1.amazonaws.com.cn/", credEnv(t), []string{"--region", "cn-north-1"}},
		{"custom endpoint with port", "http://127.0.0.1:9000/photos/", credEnv(t), []string{"--endpoint-url", "http://127.0.0.1:9000"}},
		{"custom endpoint from the environment", "http://localhost:7070/photos/", envEndpoint, nil},
		{"custom endpoint, virtual-hosted", "http://photos.minio.local:9000/", virtualCustom, []string{"--endpoint-url", "http://minio.local:9000"}},
		{"IPv6 host", "http://[::1]:9000/photos/", credEnv(t), []string{"--endpoint-url", "http://[::1]:9000"}},
		{"IP host, default port", "http://10.0.0.7/photos/", credEnv(t), []string{"--endpoint-url", "http://10.0.0.7:80"}},
		{"https endpoint with a base path", "https://gw.example/s3/photos/", credEnv(t), []string{"--endpoint-url", "https://gw.example/s3/"}},
		{"R2", "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/photos/", credEnv(t), []string{"--region", "auto", "--endpoint-url", "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range []struct {
				args, verify []string
				method       string
			}{
				{nil, nil, "GET"},
				{[]string{"-X", "PUT", "--content-type", "image/png"}, []string{"-X", "PUT", "-H", "Content-Type: image/png"}, "PUT"},
				{[]string{"--method", "DELETE"}, nil, "DELETE"},
			} {
				args := append(append([]string{"s3://photos/cats/tom+jerry 1.png"}, tc.args...), m.args...)
				if strings.Contains(tc.name, "dots") {
					args[0] = "s3://my.photos/cats/tom+jerry 1.png"
				}
				u := presignURL(t, tc.env, args...)
				if !strings.HasPrefix(u, tc.host+"cats/tom%2Bjerry%201.png?") {
					t.Fatalf("presign %v made %s, want a URL under %s", args, u, tc.host)
				}
				r := runIn(t, tc.env, "", append(append([]string{"verify"}, m.verify...), u)...)
				r.check(t, exitOK, []string{"valid: " + m.method + " "}, nil)
				if strings.Contains(r.stderr, "error") {
					t.Errorf("verify %s: %s", u, r.stderr)
				}
			}
		})
	}
}

// TestVerifyAWSCLIPresign checks URLs that the AWS CLI v1 (botocore
// 1.43.11) presigned: with s3.signature_version = s3v4 and the region
// eu-west-1 it signs for eu-west-1 on the global host
// my-bucket.s3.amazonaws.com, which verify accepts; by default it makes
// Signature Version 2 URLs, which verify names with a hint.
func TestVerifyAWSCLIPresign(t *testing.T) {
	v4, err := os.ReadFile("testdata/awscli-v1-presign-sigv4.url")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := os.ReadFile("testdata/awscli-v1-presign-sigv2.url")
	if err != nil {
		t.Fatal(err)
	}
	env := credEnv(t)
	env[envTestNow] = "2026-12-01T12:40:00Z"
	runIn(t, env, "", "verify", strings.TrimSpace(string(v4))).check(t, exitOK, []string{
		"valid: GET https://my-bucket.s3.amazonaws.com/reports/Q3%20a%2Bb.pdf\n",
		"signed by AKIAIOSFODNN7EXAMPLE for s3 in eu-west-1 at 2026-12-01T12:32:28Z",
		"host my-bucket.s3.amazonaws.com is S3's global endpoint: it serves the URL if the bucket is in eu-west-1"}, nil)
	runIn(t, env, "", "verify", strings.TrimSpace(string(v2))).check(t, exitError, nil, []string{
		"sigv4: error: the URL is signed with Signature Version 2", "sigv4: hint: aws s3 presign of the AWS CLI v1 makes these by default"})
	// The same URL from sigv4 presign at the same second: the same
	// signature, on the global host with --endpoint-url (the regional host
	// by default).
	env[envTestNow] = "2026-12-01T12:32:28Z"
	runIn(t, env, "", "presign", "s3://my-bucket/reports/Q3 a+b.pdf", "--region", "eu-west-1", "--endpoint-url", "https://s3.amazonaws.com").
		check(t, exitOK, []string{"https://my-bucket.s3.amazonaws.com/reports/Q3%20a%2Bb.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261201%2Feu-west-1%2Fs3%2Faws4_request",
			"&X-Amz-Signature=1da0e0a0c796ef17e7cc6d236092212f1c199fb376c69a8dc1d2671aa8bad8c7"}, nil)
}
