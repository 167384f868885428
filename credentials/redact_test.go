package credentials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

const (
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
	testToken  = "FwoGZXIvYXdzEXAMPLESESSIONTOKENxyz"
)

// TestCredentialsNeverPrintSecrets formats credentials every way a program
// might and checks that neither the secret nor the session token shows.
func TestCredentialsNeverPrintSecrets(t *testing.T) {
	c := credentials.Credentials{
		AccessKeyID:     "AKIAEXAMPLE",
		SecretAccessKey: testSecret,
		SessionToken:    testToken,
		Expires:         time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC),
		Source:          "test",
	}
	type wrapper struct {
		Name  string
		Creds credentials.Credentials
		Ptr   *credentials.Credentials
	}
	w := wrapper{"w", c, &c}

	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3v"} {
		outputs["Sprintf "+verb] = fmt.Sprintf(verb, c)
		outputs["Sprintf "+verb+" pointer"] = fmt.Sprintf(verb, &c)
		outputs["Sprintf "+verb+" in a struct"] = fmt.Sprintf(verb, w)
	}
	outputs["Sprint"] = fmt.Sprint(c)
	outputs["Sprintln"] = fmt.Sprintln(c, &c)
	outputs["String"] = c.String()
	outputs["GoString"] = c.GoString()
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(j)
	j, err = json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json in a struct"] = string(j)
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("creds", "c", c, "p", &c)
		l.Info("group", slog.Any("c", c))
	}
	outputs["slog"] = buf.String()
	outputs["Static provider"] = fmt.Sprintf("%v %+v %#v %s", credentials.Static("AKIAEXAMPLE", testSecret, testToken), credentials.Static("AKIAEXAMPLE", testSecret, testToken), credentials.Static("AKIAEXAMPLE", testSecret, testToken), credentials.Static("AKIAEXAMPLE", testSecret, testToken))

	for name, out := range outputs {
		if strings.Contains(out, testSecret) || strings.Contains(out, testToken) {
			t.Errorf("%s shows a secret: %s", name, out)
		}
		if strings.Contains(out, "AKIAEXAMPLE") == false && !strings.HasPrefix(name, "Sprintf %x") && !strings.HasPrefix(name, "Sprintf %d") {
			t.Errorf("%s does not show the access key ID: %s", name, out)
		}
	}
	if !strings.Contains(outputs["json"], `"SecretAccessKey":"[REDACTED]"`) {
		t.Errorf("json = %s", outputs["json"])
	}
}

func TestCredentialsExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		expired bool
	}{
		{"no expiry", time.Time{}, false},
		{"future", now.Add(time.Second), false},
		{"exactly now", now, true},
		{"past", now.Add(-time.Hour), true},
	}
	for _, tt := range tests {
		c := credentials.Credentials{AccessKeyID: "A", SecretAccessKey: "S", Expires: tt.expires}
		if got := c.Expired(now); got != tt.expired {
			t.Errorf("%s: Expired = %v, want %v", tt.name, got, tt.expired)
		}
		if c.CanExpire() == tt.expires.IsZero() {
			t.Errorf("%s: CanExpire = %v", tt.name, c.CanExpire())
		}
	}
}

func TestStatic(t *testing.T) {
	c, err := credentials.Static("AKID", "SECRET", "TOKEN").Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Source: "static"}
	if c != want {
		t.Errorf("Retrieve = %#v", c)
	}
	if !c.HasKeys() {
		t.Error("HasKeys = false")
	}
}

func ExampleStatic() {
	p := credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	c, _ := p.Retrieve(context.Background())
	fmt.Println(c) // the secret never prints
	// Output:
	// credentials{AccessKeyID: AKIAIOSFODNN7EXAMPLE, SecretAccessKey: [REDACTED], Source: static}
}
